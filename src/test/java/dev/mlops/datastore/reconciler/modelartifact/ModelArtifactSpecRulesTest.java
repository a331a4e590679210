package dev.mlops.datastore.reconciler.modelartifact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.ModelArtifact;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.dataset.S3Path;
import dev.mlops.datastore.model.ModelRules;
import org.junit.jupiter.api.Test;

/** Whose rules a model is checked by, and the specs that cannot work as written. */
class ModelArtifactSpecRulesTest {
  private static final S3Path PY = S3Path.parse("s3://bucket/models/m.py");
  private static final S3Path FOLDER = S3Path.parse("s3://bucket/models/churn/");

  @Test
  void shouldTakeTheSpecPlatformThenTheIntegrationsThenThePathsShape() {
    assertThat(ModelArtifactSpecRules.rules(Platform.DataRobot, Platform.RobustIntelligence, PY)).isEqualTo(ModelRules.DATAROBOT);
    assertThat(ModelArtifactSpecRules.rules(null, Platform.RobustIntelligence, FOLDER)).isEqualTo(ModelRules.ROBUST_INTELLIGENCE);
    assertThat(ModelArtifactSpecRules.rules(Platform.Custom, Platform.DataRobot, PY)).isEqualTo(ModelRules.DATAROBOT);
    assertThat(ModelArtifactSpecRules.rules(null, Platform.Custom, PY)).isEqualTo(ModelRules.ROBUST_INTELLIGENCE);
    assertThat(ModelArtifactSpecRules.rules(null, null, FOLDER)).isEqualTo(ModelRules.DATAROBOT);
    assertThat(ModelArtifactSpecRules.rules(null, Platform.Custom, S3Path.parse("s3://bucket/churn/custom.py"))).isEqualTo(ModelRules.DATAROBOT);
  }

  @Test
  void shouldStallSpecsThatCannotWork() {
    ModelArtifact noRef = ModelArtifacts.model("m", "x", "s3://bucket/m.py", null);
    noRef.getSpec().setIntegrationRef(null);
    assertThat(ModelArtifactSpecRules.check(noRef.getSpec()).problem().message()).startsWith("spec.integrationRef.name: is required");

    assertThat(ModelArtifactSpecRules.check(ModelArtifacts.model("m", "x", "https://bucket/m.py", null).getSpec()).problem().message())
        .startsWith("spec.path: ").contains("is not an s3:// URL");

    ModelArtifact interval = ModelArtifacts.model("m", "x", "s3://bucket/m.py", null);
    interval.getSpec().setCheckInterval("soon");
    assertThat(ModelArtifactSpecRules.check(interval.getSpec()).problem().message()).startsWith("spec.checkInterval: ");

    assertThat(ModelArtifactSpecRules.check(ModelArtifacts.model("m", "x", "s3://bucket", Platform.RobustIntelligence).getSpec()).problem().message())
        .contains("names a bucket but no file");
    assertThat(ModelArtifactSpecRules.check(ModelArtifacts.model("m", "x", "s3://bucket/models/", Platform.DataRobot).getSpec()).problem()).isNull();
  }
}
