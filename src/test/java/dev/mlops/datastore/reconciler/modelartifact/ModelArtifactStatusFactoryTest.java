package dev.mlops.datastore.reconciler.modelartifact;

import static dev.mlops.datastore.testing.ConditionAssert.assertThatConditions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.ModelArtifact;
import dev.mlops.datastore.api.v1alpha1.ModelArtifactStatus;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.dataset.InspectionLimits;
import dev.mlops.datastore.dataset.LocalObjectStore;
import dev.mlops.datastore.model.ModelFiles;
import dev.mlops.datastore.model.ModelInspection;
import dev.mlops.datastore.model.ModelInspector;
import dev.mlops.datastore.model.ModelRules;
import dev.mlops.datastore.reconciler.Failure;
import dev.mlops.datastore.testing.GoldenFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each ModelArtifact status the factory builds, from real inspections of real files, pinned in golden YAML. */
class ModelArtifactStatusFactoryTest {
  private static final Clock T0 = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
  private static final ModelInspector INSPECTOR = new ModelInspector(InspectionLimits.forThisJvm());
  @TempDir Path dir;

  private static ModelArtifact model(String path, Platform platform) {
    return ModelArtifacts.model("fraud-model", "fraud-data", path, platform);
  }

  private ModelInspection inspect(String key, ModelRules rules) {
    return INSPECTOR.inspect(new LocalObjectStore(dir), key, rules);
  }

  private static void stable(ModelArtifactStatus status) {
    status.setLastModified(null); // the temporary file's time
  }

  @Test
  void shouldBeReadyForARobustIntelligenceModelFile() throws IOException {
    Files.writeString(dir.resolve("fraud_model.py"), ModelFiles.RI_MODEL);
    Files.write(dir.resolve("fraud_model.pkl"), new byte[] {(byte) 0x80, 4, 'K', 1, '.'});

    ModelArtifactStatus status = new ModelArtifactStatusFactory(T0).inspected(model("s3://b-1/fraud_model.py", null),
        inspect("fraud_model.py", ModelRules.ROBUST_INTELLIGENCE));

    assertThatConditions(status.getConditions()).has("Ready", "True", "Ready").has("ArtifactValid", "True", "ArtifactValid").allObserved(1);
    stable(status);
    GoldenFiles.assertMatches("modelartifact/ready-python", status);
  }

  @Test
  void shouldNameTheNestedFunctionAndTheNearMiss() throws IOException {
    Files.writeString(dir.resolve("fraud_model.py"), ModelFiles.RI_MODEL_NESTED);

    ModelArtifactStatus status = new ModelArtifactStatusFactory(T0).inspected(model("s3://b-1/fraud_model.py", Platform.RobustIntelligence),
        inspect("fraud_model.py", ModelRules.ROBUST_INTELLIGENCE));

    assertThatConditions(status.getConditions()).has("Ready", "False", "NoPredictFunction").has("Readable", "True", "Readable");
    stable(status);
    status.getConditions().forEach(c -> c.setMessage(c.getMessage().replace(dir.toString(), "DIR")));
    GoldenFiles.assertMatches("modelartifact/no-predict-function", status);
  }

  @Test
  void shouldBeReadyForADataRobotFolder() throws IOException {
    Files.createDirectories(dir.resolve("churn"));
    Files.write(dir.resolve("churn/model.onnx"), ModelFiles.onnx());
    Files.write(dir.resolve("churn/model.pmml"), ModelFiles.pmml());
    Files.writeString(dir.resolve("churn/custom.py"), "def load_model(d):\n    return None\n", StandardCharsets.UTF_8);

    ModelArtifactStatus status = new ModelArtifactStatusFactory(T0).inspected(model("s3://b-1/churn/", Platform.DataRobot),
        inspect("churn/", ModelRules.DATAROBOT));

    assertThatConditions(status.getConditions()).has("Ready", "True", "Ready").allObserved(1);
    assertThat(status.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow().getMessage())
        .isEqualTo("DataRobot custom model: model.onnx (ONNX), model.pmml (PMML) and custom.py with load_model");
    GoldenFiles.assertMatches("modelartifact/ready-datarobot", status);
  }

  @Test
  void shouldNotJudgeTheArtifactOfAModelThatCannotBeFound() {
    ModelArtifactStatus status = new ModelArtifactStatusFactory(T0).inspected(model("s3://b-1/churn/", Platform.DataRobot),
        inspect("churn/", ModelRules.DATAROBOT));

    assertThatConditions(status.getConditions()).has("Readable", "False", "ModelFileNotFound").has("ArtifactValid", "Unknown", "NotRead")
        .has("Ready", "False", "ModelFileNotFound");
    status.getConditions().forEach(c -> c.setMessage(c.getMessage().replace(dir.toString(), "DIR")));
    GoldenFiles.assertMatches("modelartifact/model-file-not-found", status);
  }

  @Test
  void shouldWaitForAMissingIntegration() {
    ModelArtifactStatus status = new ModelArtifactStatusFactory(T0).waiting(model("s3://b-1/m.py", null), null);
    assertThatConditions(status.getConditions()).has("IntegrationReady", "False", "IntegrationNotFound").has("Ready", "False", "IntegrationNotFound");
    GoldenFiles.assertMatches("modelartifact/integration-not-found", status);
  }

  @Test
  void shouldStallOnASpecThatCannotWork() {
    ModelArtifact ma = model("s3://b-1", Platform.RobustIntelligence);
    Failure problem = ModelArtifactSpecRules.check(ma.getSpec()).problem();
    assertThat(problem).isNotNull();

    ModelArtifactStatus status = new ModelArtifactStatusFactory(T0).failed(ma, problem);

    assertThatConditions(status.getConditions()).has("Stalled", "True", "InvalidSpec").has("Ready", "False", "InvalidSpec");
    GoldenFiles.assertMatches("modelartifact/invalid-spec", status);
  }
}
