package dev.mlops.datastore.reconciler.dataset;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import dev.mlops.datastore.testing.StatusAwait;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Dataset follows its integration through an informer, with no timer and no S3 call. */
class DatasetIT {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
  private MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster().startOperator(CLOCK);
    Resources.knownRole(cluster);
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void shouldWaitForAMissingIntegrationAndFollowItToReady() {
    cluster.client().resource(Resources.dataset("fraud-ref", "fraud-data")).create();
    Condition missing = await("fraud-ref", DatasetStatusFactory.INTEGRATION_READY, "False");
    assertThat(missing.getReason()).isEqualTo("IntegrationNotFound");

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "late")).create();
    // The Dataset follows the integration's own status as it changes: its message repeats why.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> condition("fraud-ref", DatasetStatusFactory.INTEGRATION_READY)
            .map(c -> c.getReason().equals("IntegrationNotReady") && c.getMessage().contains("ServiceAccountNotFound"))
            .orElse(false));

    cluster.client().resource(Resources.serviceAccount("late", Map.of())).create();
    await("fraud-ref", DatasetStatusFactory.INTEGRATION_READY, "True");
    Condition ready = await("fraud-ref", Conditions.READY, "True");
    assertThat(ready.getMessage()).contains("CSV with 3 columns");
    Dataset ds = cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).withName("fraud-ref").get();
    assertThat(ds.getStatus().getColumns()).containsExactly("id", "amount", "label");
    assertThat(ds.getStatus().getFormat()).isEqualTo("CSV");
  }

  @Test
  void shouldNotLookAtAnIntegrationOfAnotherNamespace() {
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("other").endMetadata().build()).create();
    var elsewhere = Resources.accessKeyIntegration("fraud-data", Platform.Custom);
    elsewhere.getMetadata().setNamespace("other");
    cluster.client().resource(elsewhere).create();

    cluster.client().resource(Resources.dataset("fraud-ref", "fraud-data")).create();

    assertThat(await("fraud-ref", DatasetStatusFactory.INTEGRATION_READY, "False").getReason())
        .isEqualTo("IntegrationNotFound");
  }

  private Optional<Condition> condition(String name, String type) {
    return StatusAwait.condition(cluster.client(), Dataset.class, NAMESPACE, name, type);
  }

  private Condition await(String name, String type, String status) {
    return StatusAwait.awaitCondition(cluster.client(), Dataset.class, NAMESPACE, name, type, status);
  }

}
