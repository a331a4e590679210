package dev.mlops.datastore.reconciler;

import static dev.mlops.datastore.testing.Resources.BUCKET;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * State lives in the status: an operator restarted over settled resources (a crash, a rolling
 * update, a leader failover) reads nothing from AWS and writes nothing to Kubernetes for a
 * resource whose check is not due, and emits no Event. Before this, every Dataset was read again
 * and Ready Datasets flapped through CredentialsPending.
 */
class RestartIT {
  private static final int INTEGRATIONS = 5;
  private static final int DATASETS_PER_INTEGRATION = 9;

  @Test
  void shouldCostNothingAfterARestartOverFiftySettledResources() {
    try (MockCluster cluster = new MockCluster()) {
      cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
      Resources.knownRole(cluster);
      cluster.aws().s3().putObject(BUCKET, "data/other.csv", "a,b,label\n1,2,0\n".getBytes(StandardCharsets.UTF_8));
      cluster.startOperator(Clock.systemUTC());
      for (int i = 0; i < INTEGRATIONS; i++) {
        cluster.client().resource(Resources.serviceAccount("sa-" + i)).create();
        cluster.client().resource(Resources.irsaIntegration("integration-" + i, Platform.Custom, "sa-" + i)).create();
        for (int d = 0; d < DATASETS_PER_INTEGRATION; d++) {
          Dataset ds = Resources.dataset("ds-" + i + "-" + d, "integration-" + i);
          ds.getSpec().setPath("s3://" + BUCKET + (d % 2 == 0 ? "/data/fraud_ref.csv" : "/data/other.csv"));
          cluster.client().resource(ds).create();
        }
      }
      await().atMost(Duration.ofSeconds(90)).until(() -> allReady(cluster));

      cluster.stopOperator();
      cluster.aws().s3().clearCalls();
      cluster.aws().iamSts().clearCalls();
      cluster.dispatcher().clearRecorded();
      double before = reconciliations(cluster);

      cluster.startOperator(Clock.systemUTC());
      // Every resource is reconciled by the new process (it has looked at all 50), ...
      await().atMost(Duration.ofSeconds(60)).until(() -> reconciliations(cluster) - before >= INTEGRATIONS * (1 + DATASETS_PER_INTEGRATION));

      // ... and none of them cost an AWS call, an API write or an Event.
      assertThat(cluster.aws().s3().calls()).isEmpty();
      assertThat(cluster.aws().iamSts().calls()).isEmpty();
      assertThat(cluster.dispatcher().requests())
          .filteredOn(r -> !r.method().equals("GET"))
          .as("API writes after the restart")
          .isEmpty();
      assertThat(allReady(cluster)).isTrue();
    }
  }

  private static boolean allReady(MockCluster cluster) {
    List<AwsIntegration> integrations = cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).list().getItems();
    List<Dataset> datasets = cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).list().getItems();
    return integrations.size() == INTEGRATIONS
        && datasets.size() == INTEGRATIONS * DATASETS_PER_INTEGRATION
        && integrations.stream().allMatch(ai -> ai.getStatus() != null && ready(ai, ai.getStatus().getConditions(), ai.getStatus().getObservedGeneration()))
        && datasets.stream().allMatch(ds -> ds.getStatus() != null && ready(ds, ds.getStatus().getConditions(), ds.getStatus().getObservedGeneration()));
  }

  private static boolean ready(HasMetadata r, List<dev.mlops.datastore.api.v1alpha1.Condition> conditions, Long observed) {
    return Conditions.isTrue(conditions, Conditions.READY) && r.getMetadata().getGeneration().equals(observed);
  }

  /** Reconciliations finished, over both controllers, from JOSDK's metrics. */
  private static double reconciliations(MockCluster cluster) {
    return cluster.metrics().getMeters().stream()
        .filter(m -> m instanceof Counter && m.getId().getName().endsWith("reconciliations.success"))
        .mapToDouble(m -> ((Counter) m).count())
        .sum();
  }
}
