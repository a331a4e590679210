package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.install.CelCostEstimator.RuleCost;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generated AwsIntegrationPolicy CRD as an API server would apply it: cluster-scoped, the
 * example admitted, the mistakes the schema can see refused with their message, its CEL cheap.
 */
class PolicyCrdTest {
  private static final CustomResourceDefinition CRD = crd();
  private static final CrdValidator VALIDATOR = new CrdValidator(CRD);

  private static CustomResourceDefinition crd() {
    try (InputStream in = PolicyCrdTest.class.getResourceAsStream("/META-INF/fabric8/awsintegrationpolicies.datastore.mlops.dev-v1.yml")) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode policy(String spec) throws IOException {
    return Serialization.yamlMapper().readTree("""
        apiVersion: datastore.mlops.dev/v1alpha1
        kind: AwsIntegrationPolicy
        metadata: {name: p}
        spec:
        %s
        """.formatted(spec.indent(2)));
  }

  @Test
  void shouldBeClusterScopedWithItsShortName() {
    assertThat(CRD.getSpec().getScope()).isEqualTo("Cluster");
    assertThat(CRD.getSpec().getNames().getShortNames()).containsExactly("awsip");
  }

  @Test
  void shouldAdmitTheExample() throws IOException {
    JsonNode example = Serialization.yamlMapper().readTree(Files.readString(Path.of("deploy", "examples", "policies", "team-a.yaml")));

    assertThat(VALIDATOR.validate(example)).isEmpty();
  }

  @Test
  void shouldRefuseAPolicyThatSelectsNoNamespace() throws IOException {
    assertThat(VALIDATOR.validate(policy("roleArns: [\"*\"]"))).anySatisfy(m -> assertThat(m).contains("select namespaces with"));
    assertThat(VALIDATOR.validate(policy("namespaceSelector: {}"))).isEmpty();
  }

  @Test
  void shouldRefuseWhatTheSchemaCanSee() throws IOException {
    assertThat(VALIDATOR.validate(policy("namespaces: [Team_A]"))).isNotEmpty();
    assertThat(VALIDATOR.validate(policy("namespaces: [a]\nbuckets: [\"Team_A\"]"))).isNotEmpty();
    assertThat(VALIDATOR.validate(policy("namespaces: [a]\nroleArns: [\"arn:aws:iam::1:role/a b\"]"))).isNotEmpty();
    assertThat(VALIDATOR.validate(policy("namespaces: [a]\nauthModes: [password]"))).isNotEmpty();
    assertThat(VALIDATOR.validate(policy("namespaceSelector: {matchExpressions: [{key: team, operator: Equals}]}"))).isNotEmpty();
    assertThat(VALIDATOR.validate(policy("namespaces: [a]\nroleArns: [\"" + "a".repeat(2049) + "\"]"))).isNotEmpty();
  }

  @Test
  void shouldKeepItsCelWithinTheApiServersCostLimits() {
    JsonNode schema = Serialization.jsonMapper().valueToTree(CRD.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema());
    List<RuleCost> rules = CelCostEstimator.estimate(schema);

    assertThat(rules).isNotEmpty();
    for (RuleCost rule : rules) {
      System.out.printf("CEL cost %s %s: %,d x %,d = %,d%n", CRD.getMetadata().getName(), rule.path(), rule.cost(), rule.cardinality(), rule.total());
      assertThat(rule.cost()).isLessThanOrEqualTo(CelCostEstimator.PER_RULE_LIMIT);
      assertThat(rule.total()).isLessThanOrEqualTo(CelCostEstimator.PER_CRD_LIMIT);
    }
  }
}
