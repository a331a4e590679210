package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the chart does for AwsIntegrationPolicies: the operator reads them (and namespaces) in every
 * mode, the policy mode reaches the operator, and no aggregated role lets namespace users write them.
 */
class ChartPolicyTest {
  private static final String GROUP = "datastore.mlops.dev";

  private static List<JsonNode> kind(List<JsonNode> objects, String kind) {
    return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode clusterRole(List<JsonNode> objects, String name) {
    return kind(objects, "ClusterRole").stream().filter(c -> c.path("metadata").path("name").asText().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void shouldLetTheOperatorReadPoliciesAndNamespacesInEveryMode() throws IOException {
    for (Map<String, Object> values : List.<Map<String, Object>>of(Map.of(), Map.of("watchNamespaces[0]", "ml"))) {
      List<JsonNode> objects = ChartTest.objects(ChartTest.render(values));
      JsonNode role = clusterRole(objects, "aws-datastore-operator-policies");
      List<String> grants = new ArrayList<>();
      role.path("rules").forEach(r -> texts(r.path("resources")).forEach(res -> grants.add(res + ":" + texts(r.path("verbs")))));

      assertThat(grants).as("%s", values).containsExactlyInAnyOrder(
          "awsintegrationpolicies:[get, list, watch]", "awsintegrationpolicies/status:[get, patch, update]", "namespaces:[get, list, watch]");
      assertThat(kind(objects, "ClusterRoleBinding")).anySatisfy(b -> {
        assertThat(b.path("roleRef").path("name").asText()).isEqualTo("aws-datastore-operator-policies");
        assertThat(b.path("subjects").get(0).path("name").asText()).isEqualTo("aws-datastore-operator");
      });
    }
  }

  @Test
  void shouldGiveNoAggregatedRoleWriteOnPolicies() throws IOException {
    for (Map<String, Object> values : List.<Map<String, Object>>of(Map.of(), Map.of("rbac.awsIntegrationsAggregateTo", "edit"))) {
      List<JsonNode> objects = ChartTest.objects(ChartTest.render(values));
      for (JsonNode role : kind(objects, "ClusterRole")) {
        boolean aggregated = role.path("metadata").path("labels").properties().stream()
            .anyMatch(l -> l.getKey().startsWith("rbac.authorization.k8s.io/aggregate-to-"));
        if (!aggregated) {
          continue;
        }
        role.path("rules").forEach(r -> {
          if (texts(r.path("apiGroups")).contains(GROUP) && texts(r.path("resources")).stream().anyMatch(s -> s.startsWith("awsintegrationpolicies"))) {
            assertThat(texts(r.path("verbs"))).as(role.path("metadata").path("name").asText()).containsExactlyInAnyOrder("get", "list", "watch");
          }
        });
      }
      assertThat(clusterRole(objects, "aws-datastore-operator-view").path("metadata").path("labels")
          .path("rbac.authorization.k8s.io/aggregate-to-view").asText()).isEqualTo("true");
    }
  }

  @Test
  void shouldPassThePolicyModeToTheOperator() throws IOException {
    assertThat(mode(Map.of())).isEqualTo("closed");
    assertThat(mode(Map.of("policy.mode", "open"))).isEqualTo("open");
    assertThat(catchThrowable(() -> ChartTest.render(Map.of("policy.mode", "permissive")))).hasMessageContaining("/policy/mode");
  }

  @Test
  void shouldShipThePolicyCrd() throws IOException {
    List<JsonNode> crds = kind(ChartTest.objects(ChartTest.render(Map.of())), "CustomResourceDefinition");

    assertThat(crds).anySatisfy(c -> {
      assertThat(c.path("metadata").path("name").asText()).isEqualTo("awsintegrationpolicies.datastore.mlops.dev");
      assertThat(c.path("spec").path("scope").asText()).isEqualTo("Cluster");
    });
  }

  private static String mode(Map<String, Object> values) throws IOException {
    JsonNode container = kind(ChartTest.objects(ChartTest.render(values)), "Deployment").get(0)
        .path("spec").path("template").path("spec").path("containers").get(0);
    for (JsonNode env : container.path("env")) {
      if (env.path("name").asText().equals("OPERATOR_POLICY_MODE")) {
        return env.path("value").asText();
      }
    }
    return null;
  }
}
