package dev.mlops.datastore.reconciler.modelartifact;

import static dev.mlops.datastore.testing.Resources.BUCKET;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.ModelArtifact;
import dev.mlops.datastore.api.v1alpha1.ModelArtifactFile;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.model.ModelFiles;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.sandbox.aws.S3Front;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ModelArtifacts end to end: the operator reads real model files from S3Proxy with the
 * integration's proven identity, by each platform's rules; requests and bytes are counted at the
 * S3 server.
 */
class ModelArtifactIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    cluster.startOperator(Clock.systemUTC(), Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER, OperatorConfig.MIN_CHECK_INTERVAL, "1s"));
    Resources.knownRole(cluster);
    s3().putObject(BUCKET, "models/fraud/fraud_model.py", ModelFiles.RI_MODEL.getBytes(StandardCharsets.UTF_8));
    s3().putObject(BUCKET, "models/fraud/fraud_model.pkl", ModelFiles.pickle());
    cluster.client().resource(Resources.serviceAccount("reader", Map.of())).create();
    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "reader")).create();
    await().atMost(WAIT).until(() -> Conditions.isTrue(Optional.ofNullable(cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE)
        .withName("fraud-data").get()).map(a -> a.getStatus() == null ? null : a.getStatus().getConditions()).orElse(null), Conditions.READY));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private S3Front s3() {
    return cluster.aws().s3();
  }

  private void create(String name, String key, Platform platform) {
    ModelArtifact ma = ModelArtifacts.model(name, "fraud-data", "s3://" + BUCKET + "/" + key, platform);
    ma.getMetadata().setGeneration(null);
    ma.getMetadata().setUid(null);
    cluster.client().resource(ma).create();
  }

  @Test
  void shouldAcceptARobustIntelligenceModelWithAHeadAGetAndOneListingAndNoStsOrIamCall() {
    cluster.aws().iamSts().clearCalls();
    s3().clearCalls();

    create("fraud", "models/fraud/fraud_model.py", null);

    Condition ready = awaitCondition("fraud", Conditions.READY, c -> c.getStatus().equals("True"));
    assertThat(ready.getMessage()).contains("binds predict_df at module level");
    ModelArtifact ma = get("fraud");
    assertThat(ma.getStatus().getPlatform()).isEqualTo("RobustIntelligence");
    assertThat(ma.getStatus().getFunctions()).containsExactly("predict_df");
    assertThat(ma.getStatus().getSiblings()).containsExactly("fraud_model.pkl");
    assertThat(ma.getStatus().getSizeBytes()).isEqualTo(ModelFiles.RI_MODEL.getBytes(StandardCharsets.UTF_8).length);
    assertThat(s3().calls()).filteredOn(c -> c.key() != null && c.key().startsWith("models/fraud/fraud_model.py"))
        .extracting(S3Front.Call::operation).containsExactly("HeadObject", "GetObject");
    assertThat(s3().calls()).filteredOn(c -> "ListObjects".equals(c.operation())).hasSize(1);
    assertThat(s3().calls()).noneMatch(c -> "models/fraud/fraud_model.pkl".equals(c.key()));
    assertThat(ma.getStatus().getBytesRead()).isEqualTo(s3().bytesOut(BUCKET, "models/fraud/fraud_model.py"));
    assertThat(cluster.aws().iamSts().calls()).isEmpty();
  }

  @Test
  void shouldReportEachRobustIntelligenceProblem() {
    s3().putObject(BUCKET, "models/bad/pickled.py", ModelFiles.pickle());
    s3().putObject(BUCKET, "models/bad/nested.py", ModelFiles.RI_MODEL_NESTED.getBytes(StandardCharsets.UTF_8));
    s3().putObject(BUCKET, "models/bad/latin1.py", "# caf\u00e9\ndef predict_df(df):\n  return df\n".getBytes(StandardCharsets.ISO_8859_1));

    create("missing", "models/fraud/fraud-model.py", Platform.RobustIntelligence);
    create("pickled", "models/bad/pickled.py", Platform.RobustIntelligence);
    create("nested", "models/bad/nested.py", Platform.RobustIntelligence);
    create("latin1", "models/bad/latin1.py", Platform.RobustIntelligence);

    Condition missing = awaitCondition("missing", "Readable", c -> c.getStatus().equals("False"));
    assertThat(missing.getReason()).isEqualTo("ModelFileNotFound");
    assertThat(missing.getMessage()).contains("did you mean 'fraud_model.py'?");
    assertThat(condition("missing", "ArtifactValid").orElseThrow().getReason()).isEqualTo("NotRead");

    Condition pickled = awaitCondition("pickled", "ArtifactValid", c -> c.getStatus().equals("False"));
    assertThat(pickled.getReason()).isEqualTo("NotAPythonFile");
    assertThat(pickled.getMessage()).contains("a Python pickle");

    Condition nested = awaitCondition("nested", "ArtifactValid", c -> c.getStatus().equals("False"));
    assertThat(nested.getReason()).isEqualTo("NoPredictFunction");
    assertThat(nested.getMessage()).contains("inside class FraudModel").contains("'predict_dataframe'");
    assertThat(get("nested").getStatus().getFunctions()).containsExactly("predict_dataframe");

    Condition latin1 = awaitCondition("latin1", "ArtifactValid", c -> c.getStatus().equals("False"));
    assertThat(latin1.getReason()).isEqualTo("NotUtf8");

    for (String name : List.of("missing", "pickled", "nested", "latin1")) {
      assertThat(condition(name, Conditions.READY).orElseThrow().getStatus()).as(name).isEqualTo("False");
    }
  }

  @Test
  void shouldCheckDataRobotFoldersByTheirArtifactsMagicBytes() {
    s3().putObject(BUCKET, "models/churn/model.pkl", ModelFiles.pickle());
    s3().putObject(BUCKET, "models/churn/model.onnx", ModelFiles.onnx());
    s3().putObject(BUCKET, "models/churn/custom.py", "def load_model(d):\n    return None\n".getBytes(StandardCharsets.UTF_8));
    s3().putObject(BUCKET, "models/churn/requirements.txt", "numpy\n".getBytes(StandardCharsets.UTF_8));
    s3().putObject(BUCKET, "models/renamed/model.h5", ModelFiles.pickle());
    s3().putObject(BUCKET, "models/notes/README.md", "# churn\n".getBytes(StandardCharsets.UTF_8));
    s3().clearCalls();

    // The integration is Custom: a folder path is checked by DataRobot's rules.
    create("churn", "models/churn/", null);
    create("renamed", "models/renamed", Platform.DataRobot);
    create("notes", "models/notes/", Platform.DataRobot);
    create("gone", "models/gone/", Platform.DataRobot);

    awaitCondition("churn", Conditions.READY, c -> c.getStatus().equals("True"));
    ModelArtifact churn = get("churn");
    assertThat(churn.getStatus().getPlatform()).isEqualTo("DataRobot");
    assertThat(churn.getStatus().getArtifacts()).extracting(ModelArtifactFile::getName, ModelArtifactFile::getFormat)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("model.onnx", "ONNX"), org.assertj.core.groups.Tuple.tuple("model.pkl", "PICKLE"));
    assertThat(churn.getStatus().getFunctions()).containsExactly("load_model");
    assertThat(churn.getStatus().getSiblings()).containsExactly("requirements.txt");
    // One listing, a 4 KiB GET per artifact, custom.py: nothing else is read.
    assertThat(s3().calls()).filteredOn(c -> c.key() != null && c.key().startsWith("models/churn/"))
        .extracting(S3Front.Call::operation).containsOnly("GetObject").hasSize(3);
    assertThat(s3().calls()).noneMatch(c -> "models/churn/requirements.txt".equals(c.key()));

    Condition renamed = awaitCondition("renamed", "ArtifactValid", c -> c.getStatus().equals("False"));
    assertThat(renamed.getReason()).isEqualTo("ArtifactFormatMismatch");
    assertThat(renamed.getMessage()).contains("named .h5 but is a Python pickle");

    Condition notes = awaitCondition("notes", "ArtifactValid", c -> c.getStatus().equals("False"));
    assertThat(notes.getReason()).isEqualTo("NoModelArtifact");
    assertThat(notes.getMessage()).contains("README.md");

    Condition gone = awaitCondition("gone", "Readable", c -> c.getStatus().equals("False"));
    assertThat(gone.getReason()).isEqualTo("ModelFileNotFound");
  }

  @Test
  void shouldReadNothingAgainWhileTheEtagStaysAndFollowAChange() {
    ModelArtifact ma = ModelArtifacts.model("live", "fraud-data", "s3://" + BUCKET + "/models/fraud/fraud_model.py", null);
    ma.getMetadata().setGeneration(null);
    ma.getMetadata().setUid(null);
    ma.getSpec().setCheckInterval("1s");
    cluster.client().resource(ma).create();
    awaitCondition("live", Conditions.READY, c -> c.getStatus().equals("True"));
    s3().clearCalls();

    await().atMost(WAIT).until(() -> calls("models/fraud/fraud_model.py").size() >= 3);

    assertThat(calls("models/fraud/fraud_model.py")).extracting(S3Front.Call::operation).containsOnly("HeadObject");
    assertThat(s3().calls()).noneMatch(c -> "ListObjects".equals(c.operation()));

    s3().putObject(BUCKET, "models/fraud/fraud_model.py", "def predict_dict(x):\n    return x\n".getBytes(StandardCharsets.UTF_8));

    await().atMost(WAIT).until(() -> get("live").getStatus().getFunctions().contains("predict_dict"));
  }

  @Test
  void shouldCostNoAwsCallAfterARestartForAModelThatIsNotDue() {
    create("fraud", "models/fraud/fraud_model.py", null);
    create("churn-missing", "models/none/", Platform.DataRobot);
    awaitCondition("fraud", Conditions.READY, c -> c.getStatus().equals("True"));
    awaitCondition("churn-missing", Conditions.READY, c -> c.getStatus().equals("False"));

    cluster.stopOperator();
    s3().clearCalls();
    cluster.aws().iamSts().clearCalls();
    cluster.dispatcher().clearRecorded();
    double before = reconciliations();
    cluster.startOperator(Clock.systemUTC(), Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER, OperatorConfig.MIN_CHECK_INTERVAL, "1s"));

    // The integration and both models are reconciled by the new process, ...
    await().atMost(WAIT).until(() -> reconciliations() - before >= 3);

    // ... and none of them cost an AWS call or an API write.
    assertThat(s3().calls()).isEmpty();
    assertThat(cluster.aws().iamSts().calls()).isEmpty();
    assertThat(cluster.dispatcher().requests()).filteredOn(r -> !r.method().equals("GET")).as("API writes after the restart").isEmpty();
  }

  @Test
  void shouldShowAThrottledReadAsReconcilingNotAsAModelProblem() {
    cluster.aws().world().failNext("s3", "GetObject", 24, 503, "SlowDown");

    create("fraud", "models/fraud/fraud_model.py", null);

    Condition reconciling = awaitCondition("fraud", Conditions.RECONCILING, c -> c.getStatus().equals("True"));
    assertThat(reconciling.getReason()).isEqualTo("AwsThrottled");
    assertThat(reconciling.getMessage()).contains("GetObject of s3://" + BUCKET + "/models/fraud/fraud_model.py");
    assertThat(condition("fraud", Conditions.READY).orElseThrow().getStatus()).isEqualTo("Unknown");
    assertThat(condition("fraud", "ArtifactValid")).isEmpty();
  }

  private double reconciliations() {
    return cluster.metrics().getMeters().stream()
        .filter(m -> m instanceof Counter && m.getId().getName().endsWith("reconciliations.success"))
        .mapToDouble(m -> ((Counter) m).count())
        .sum();
  }

  private List<S3Front.Call> calls(String key) {
    return s3().calls().stream().filter(c -> key.equals(c.key())).toList();
  }

  private ModelArtifact get(String name) {
    return cluster.client().resources(ModelArtifact.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private Optional<Condition> condition(String name, String type) {
    ModelArtifact ma = get(name);
    return ma == null || ma.getStatus() == null ? Optional.empty() : Conditions.find(ma.getStatus().getConditions(), type);
  }

  private Condition awaitCondition(String name, String type, java.util.function.Predicate<Condition> test) {
    await().atMost(WAIT).until(() -> condition(name, type).map(test::test).orElse(false));
    return condition(name, type).orElseThrow();
  }
}
