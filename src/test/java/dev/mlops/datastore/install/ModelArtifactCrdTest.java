package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.testing.MockCluster;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The generated ModelArtifact CRD admits the shipped examples and refuses what its schema can say is wrong. */
class ModelArtifactCrdTest {
  private static final CrdValidator MODEL_ARTIFACT = new CrdValidator(MockCluster.generatedCrds().stream()
      .filter(c -> c.getSpec().getNames().getKind().equals("ModelArtifact")).findFirst().orElseThrow());

  private static JsonNode model(String spec) throws IOException {
    return Serialization.yamlMapper().readTree("apiVersion: datastore.mlops.dev/v1alpha1\nkind: ModelArtifact\nmetadata: {name: m}\nspec: " + spec);
  }

  @Test
  void shouldAdmitTheExamples() throws IOException {
    for (String file : new String[] {"modelartifact-python.yaml", "modelartifact-datarobot.yaml"}) {
      JsonNode resource = Serialization.yamlMapper().readTree(Files.readString(Path.of("deploy", "examples", file)));
      assertThat(MODEL_ARTIFACT.validate(resource)).as(file).isEmpty();
    }
  }

  @Test
  void shouldRefuseWhatTheSchemaCanSay() throws IOException {
    assertThat(MODEL_ARTIFACT.validate(model("{integrationRef: {name: a}, path: 'https://b.s3.amazonaws.com/m.py'}")))
        .anySatisfy(m -> assertThat(m).contains("does not match the regex pattern"));
    assertThat(MODEL_ARTIFACT.validate(model("{integrationRef: {name: a}, path: 's3://bucket/m.py', platform: Sagemaker}")))
        .anySatisfy(m -> assertThat(m).contains("spec.platform").contains("enumeration"));
    assertThat(MODEL_ARTIFACT.validate(model("{path: 's3://bucket/m.py'}"))).anySatisfy(m -> assertThat(m).contains("integrationRef"));
    assertThat(MODEL_ARTIFACT.validate(model("{integrationRef: {name: a}, path: 's3://bucket/m.py', checkInterval: soon}")))
        .anySatisfy(m -> assertThat(m).contains("does not match the regex pattern"));
  }

  /** CrdPatternsAgreeTest proves the Dataset path pattern agrees with S3Path; the model's must be the same. */
  @Test
  void shouldAdmitExactlyThePathsADatasetAdmits() {
    var model = spec("ModelArtifact").get("path");
    var dataset = spec("Dataset").get("path");
    assertThat(model.getPattern()).isEqualTo(dataset.getPattern());
    assertThat(model.getMaxLength()).isEqualTo(dataset.getMaxLength());
    assertThat(spec("ModelArtifact").get("checkInterval").getPattern()).isEqualTo(spec("Dataset").get("checkInterval").getPattern());
  }

  private static java.util.Map<String, io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps> spec(String kind) {
    return MockCluster.generatedCrds().stream().filter(c -> c.getSpec().getNames().getKind().equals(kind)).findFirst().orElseThrow()
        .getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec").getProperties();
  }

  @Test
  void shouldShowShortNameAndPrinterColumns() {
    CustomResourceDefinition crd = MockCluster.generatedCrds().stream()
        .filter(c -> c.getSpec().getNames().getKind().equals("ModelArtifact")).findFirst().orElseThrow();
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("mla");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns()).extracting(c -> c.getName())
        .containsExactly("Ready", "Reason", "Path", "Age", "Message", "Platform");
  }
}
