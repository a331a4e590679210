package dev.mlops.datastore.reconciler.dataset;

import static dev.mlops.datastore.testing.Resources.ACCOUNT;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static dev.mlops.datastore.testing.Resources.ROLE_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.ModelArtifact;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.reconciler.Failure;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import dev.mlops.datastore.testing.StatusAwait;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
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
 * The confused deputy of issue 14: someone who may create Datasets points one at an object that the
 * integration's identity can read in another bucket. The operator refuses the path before any S3
 * call, and the object's content appears in no status.
 */
class DatasetDeputyIT {
  private static final String OTHER_BUCKET = "payroll-secrets";

  private MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    cluster.startOperator(Clock.systemUTC(), Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER));
    Resources.knownRole(cluster);
    // The identity can read the other bucket: only the operator's check stands in the way.
    cluster.aws().bucket(OTHER_BUCKET, ACCOUNT, "us-east-1");
    cluster.aws().world().grant(ROLE_ARN, OTHER_BUCKET, "", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    cluster.aws().s3().putObject(OTHER_BUCKET, "prod.env", "DB_PASSWORD=hunter2-prod\nAPI_URL=https://x\n".getBytes(StandardCharsets.UTF_8));
    cluster.client().resource(Resources.serviceAccount("reader", Map.of())).create();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void shouldStallADatasetInAnotherBucketWithNoS3CallAndNoContent() {
    createReadyIntegration(null);
    int callsBefore = cluster.aws().s3().calls().size();

    Dataset ds = Resources.dataset("stolen", "fraud-data");
    ds.getSpec().setPath("s3://" + OTHER_BUCKET + "/prod.env");
    cluster.client().resource(ds).create();

    Condition stalled = awaitStalled(Dataset.class, "stolen");
    assertThat(stalled.getMessage()).contains("s3://rime-blob-integration/").contains(OTHER_BUCKET);
    assertThat(cluster.aws().s3().calls()).hasSize(callsBefore);
    assertThat(cluster.aws().s3().calls()).noneMatch(c -> OTHER_BUCKET.equals(c.bucket()));
    assertNoStatusContains("hunter2");
  }

  @Test
  void shouldStallAModelArtifactInAnotherBucketWithNoS3Call() {
    createReadyIntegration(null);
    int callsBefore = cluster.aws().s3().calls().size();

    ModelArtifact ma = Serialization.unmarshal("""
        apiVersion: datastore.mlops.dev/v1alpha1
        kind: ModelArtifact
        metadata: {name: stolen-model, namespace: %s}
        spec:
          integrationRef: {name: fraud-data}
          path: s3://%s/prod.env
        """.formatted(NAMESPACE, OTHER_BUCKET), ModelArtifact.class);
    cluster.client().resource(ma).create();

    awaitStalled(ModelArtifact.class, "stolen-model");
    assertThat(cluster.aws().s3().calls()).hasSize(callsBefore);
    assertNoStatusContains("hunter2");
  }

  @Test
  void shouldStallADatasetOutsideTheIntegrationsPrefixesAndNameThem() {
    createReadyIntegration(List.of("team-a/", "shared/"));
    int callsBefore = cluster.aws().s3().calls().size();

    cluster.client().resource(Resources.dataset("not-ours", "fraud-data")).create();

    Condition stalled = awaitStalled(Dataset.class, "not-ours");
    assertThat(stalled.getMessage()).contains("s3://rime-blob-integration/team-a/", "s3://rime-blob-integration/shared/");
    assertThat(cluster.aws().s3().calls()).hasSize(callsBefore);
  }

  @Test
  void shouldReadADatasetUnderOneOfThePrefixes() {
    createReadyIntegration(List.of("team-a/", "data/"));

    cluster.client().resource(Resources.dataset("ours", "fraud-data")).create();

    StatusAwait.awaitCondition(cluster.client(), Dataset.class, NAMESPACE, "ours", Conditions.READY, "True");
  }

  private void createReadyIntegration(List<String> prefixes) {
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "reader");
    ai.getSpec().setPrefixes(prefixes);
    cluster.client().resource(ai).create();
    await().atMost(StatusAwait.WAIT).until(() -> Conditions.isTrue(
        Optional.ofNullable(cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data").get())
            .map(a -> a.getStatus() == null ? null : a.getStatus().getConditions()).orElse(null), Conditions.READY));
  }

  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> Condition awaitStalled(Class<T> kind, String name) {
    Condition stalled = StatusAwait.awaitCondition(cluster.client(), kind, NAMESPACE, name, Conditions.STALLED, "True");
    assertThat(stalled.getReason()).isEqualTo(Failure.PATH_OUTSIDE_INTEGRATION);
    return stalled;
  }

  private void assertNoStatusContains(String text) {
    var client = cluster.client();
    String all = Serialization.asYaml(client.resources(AwsIntegration.class).inAnyNamespace().list())
        + Serialization.asYaml(client.resources(Dataset.class).inAnyNamespace().list())
        + Serialization.asYaml(client.resources(ModelArtifact.class).inAnyNamespace().list())
        + Serialization.asYaml(client.v1().events().inAnyNamespace().list());
    assertThat(all).contains("PathOutsideIntegration").doesNotContain(text);
  }
}
