package dev.mlops.datastore.bench;

import static dev.mlops.datastore.testing.Resources.BUCKET;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorMain;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.DataType;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.sandbox.kube.ApplyAsJsonPatchDispatcher.Recorded;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The per-Dataset costs of the benchmark (issue 12), counted at the servers, at N = 200 so it runs
 * with every build: no timing is asserted. 200 Datasets (40% CSV, 40% Parquet, 20% a Delta table)
 * over 5 integrations that are already Ready: at most 1.05 API writes per Dataset, Events
 * included; at most 3 S3 requests per Dataset on the first check; no IAM or STS call for them; and
 * after a restart over the settled resources, no write and no AWS call at all.
 */
class PerDatasetCostIT {
  static final int INTEGRATIONS = 5;
  static final int DATASETS = 200;
  private static final Path DATA = Path.of("src", "test", "resources", "data");

  @Test
  void shouldCostAtMostOneWriteAndThreeS3RequestsPerDatasetAndNothingAfterARestart() throws IOException {
    try (MockCluster cluster = new MockCluster()) {
      cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
      Resources.knownRole(cluster);
      seedObjects(cluster);
      cluster.startOperator(Clock.systemUTC());
      for (int i = 0; i < INTEGRATIONS; i++) {
        cluster.client().resource(Resources.serviceAccount("sa-" + i)).create();
        cluster.client().resource(Resources.irsaIntegration("integration-" + i, Platform.Custom, "sa-" + i)).create();
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> readyCount(cluster, AwsIntegration.class) == INTEGRATIONS);
      quiet(cluster);
      cluster.aws().s3().clearCalls();
      cluster.aws().iamSts().clearCalls();
      cluster.dispatcher().clearRecorded();

      for (int n = 0; n < DATASETS; n++) {
        cluster.client().resource(dataset(n)).create();
      }
      await().atMost(Duration.ofSeconds(180)).until(() -> readyCount(cluster, Dataset.class) == DATASETS);
      quiet(cluster);

      List<Recorded> writes = operatorWrites(cluster);
      long statusWrites = writes.stream().filter(r -> r.pathWithoutQuery().contains("/datasets/")).count();
      long events = writes.stream().filter(r -> r.pathWithoutQuery().endsWith("/events")).count();
      assertThat(statusWrites + events).as("API writes for %d Datasets, Events included: %s", DATASETS, summary(writes))
          .isLessThanOrEqualTo((long) Math.floor(1.05 * DATASETS));
      assertThat(writes).as("every operator write was for a Dataset").hasSize((int) (statusWrites + events));
      assertThat(cluster.aws().s3().calls()).as("S3 requests for %d Datasets' first check", DATASETS)
          .hasSizeLessThanOrEqualTo(3 * DATASETS);
      assertThat(cluster.aws().iamSts().calls()).as("IAM and STS calls for Datasets").isEmpty();

      cluster.stopOperator();
      cluster.aws().s3().clearCalls();
      cluster.aws().iamSts().clearCalls();
      cluster.dispatcher().clearRecorded();
      double before = reconciliations(cluster);
      cluster.startOperator(Clock.systemUTC());
      await().atMost(Duration.ofSeconds(120)).until(() -> reconciliations(cluster) - before >= INTEGRATIONS + DATASETS);

      assertThat(cluster.aws().s3().calls()).as("S3 calls after a restart").isEmpty();
      assertThat(cluster.aws().iamSts().calls()).as("IAM and STS calls after a restart").isEmpty();
      assertThat(operatorWrites(cluster)).as("API writes after a restart").isEmpty();
    }
  }

  @Test
  void shouldWriteOnceForEachDatasetAppliedTogetherWithItsIntegration() throws IOException {
    try (MockCluster cluster = new MockCluster()) {
      cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
      Resources.knownRole(cluster);
      seedObjects(cluster);
      cluster.startOperator(Clock.systemUTC());
      // As one `kubectl apply -f`: each integration, then its Datasets, none waiting for another.
      for (int i = 0; i < INTEGRATIONS; i++) {
        cluster.client().resource(Resources.serviceAccount("sa-" + i)).create();
        cluster.client().resource(Resources.irsaIntegration("integration-" + i, Platform.Custom, "sa-" + i)).create();
        for (int n = i; n < DATASETS; n += INTEGRATIONS) {
          cluster.client().resource(dataset(n)).create();
        }
      }
      await().atMost(Duration.ofSeconds(180)).until(() -> readyCount(cluster, Dataset.class) == DATASETS);
      quiet(cluster);

      // A Dataset whose integration has no status yet writes nothing (no "not checked yet"): its
      // integration's first status brings it back, and it writes its one real status.
      List<Recorded> datasetWrites = operatorWrites(cluster).stream()
          .filter(r -> r.pathWithoutQuery().contains("/datasets/") || r.pathWithoutQuery().endsWith("/events") && r.body().contains("\"kind\":\"Dataset\""))
          .toList();
      assertThat(datasetWrites).as("API writes for %d Datasets, Events included: %s", DATASETS, summary(datasetWrites))
          .hasSizeLessThanOrEqualTo((int) Math.floor(1.05 * DATASETS));
    }
  }

  /** The Datasets' objects: a CSV, a Parquet file and a Delta table with a checkpoint. */
  static void seedObjects(MockCluster cluster) throws IOException {
    cluster.aws().s3().putObject(BUCKET, "data/alltypes.parquet", Files.readAllBytes(DATA.resolve("parquet/alltypes_plain.parquet")));
    Path table = DATA.resolve("delta/basic-with-inserts-deletes-checkpoint");
    try (Stream<Path> files = Files.walk(table)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        cluster.aws().s3().putObject(BUCKET, "tables/basic/" + table.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
  }

  /** Dataset n: two in five CSV, two in five Parquet, one in five the Delta table, round the integrations. */
  static Dataset dataset(int n) {
    Dataset ds = Resources.dataset("ds-" + n, "integration-" + (n % INTEGRATIONS));
    switch ((n / INTEGRATIONS) % 5) {
      case 0, 1 -> ds.getSpec().setPath("s3://" + BUCKET + "/data/fraud_ref.csv");
      case 2, 3 -> ds.getSpec().setPath("s3://" + BUCKET + "/data/alltypes.parquet");
      default -> {
        ds.getSpec().setPath("s3://" + BUCKET + "/tables/basic");
        ds.getSpec().setDataType(DataType.DATA_TYPE_DELTA_TABLE);
      }
    }
    ds.getSpec().setDataParams(null);
    return ds;
  }

  private static List<Recorded> operatorWrites(MockCluster cluster) {
    return cluster.dispatcher().requests().stream()
        .filter(r -> !r.method().equals("GET"))
        .filter(r -> OperatorMain.FIELD_MANAGER.equals(r.fieldManager()))
        .toList();
  }

  /** Writes counted by kind, e.g. {status=200, event=3}. */
  private static String summary(List<Recorded> writes) {
    return writes.stream()
        .collect(java.util.stream.Collectors.groupingBy(
            r -> r.pathWithoutQuery().endsWith("/status") ? "status" : r.pathWithoutQuery().endsWith("/events") ? "event" : r.method() + " other",
            java.util.TreeMap::new, java.util.stream.Collectors.counting()))
        .toString();
  }

  /** Waits until the API has seen no request for a second (Events are sent off the reconcile thread). */
  static void quiet(MockCluster cluster) {
    int[] last = {-1};
    await().pollInterval(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(60)).until(() -> {
      int now = cluster.dispatcher().requests().size();
      boolean same = now == last[0];
      last[0] = now;
      return same;
    });
  }

  private static <T extends HasMetadata> long readyCount(MockCluster cluster, Class<T> kind) {
    return cluster.client().resources(kind).inNamespace(NAMESPACE).list().getItems().stream()
        .filter(r -> {
          var status = r instanceof Dataset d ? (d.getStatus() == null ? null : d.getStatus().getConditions())
              : ((AwsIntegration) r).getStatus() == null ? null : ((AwsIntegration) r).getStatus().getConditions();
          Long observed = r instanceof Dataset d ? (d.getStatus() == null ? null : d.getStatus().getObservedGeneration())
              : ((AwsIntegration) r).getStatus() == null ? null : ((AwsIntegration) r).getStatus().getObservedGeneration();
          return Conditions.isTrue(status, Conditions.READY) && r.getMetadata().getGeneration().equals(observed);
        })
        .count();
  }

  /** Reconciliations finished, over both controllers, from JOSDK's metrics. */
  private static double reconciliations(MockCluster cluster) {
    return cluster.metrics().getMeters().stream()
        .filter(m -> m instanceof Counter && m.getId().getName().endsWith("reconciliations.success"))
        .mapToDouble(m -> ((Counter) m).count())
        .sum();
  }
}
