package dev.mlops.datastore.reconciler.awsintegration;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import dev.mlops.datastore.testing.StatusAwait;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An API error is shown on the resource as Reconciling, and clears by itself when it passes. */
class AwsIntegrationErrorIT {
  @Test
  void shouldReportReconcilingWhileTheApiFailsAndRecoverAfterwards() {
    try (MockCluster cluster = new MockCluster()) {
      cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
      cluster.client().resource(Resources.serviceAccount("model-a", Map.of())).create();
      // Expectations take precedence over the CRUD store: the first two patches of the service
      // account fail as they do when someone else changed it in between. (5xx answers are retried
      // inside the fabric8 client and never reach the reconciler.)
      cluster.server().expect().patch().withPath("/api/v1/namespaces/ml/serviceaccounts/model-a")
          .andReturn(409, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409}")
          .times(2);
      Resources.knownRole(cluster);
      cluster.startOperator(Clock.systemUTC());

      cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "model-a")).create();

      await().atMost(Duration.ofSeconds(20)).until(() -> condition(cluster, Conditions.RECONCILING).isPresent());
      Condition reconciling = condition(cluster, Conditions.RECONCILING).orElseThrow();
      assertThat(reconciling.getReason()).isEqualTo("KubernetesApiError");
      assertThat(reconciling.getMessage()).contains("409");

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> condition(cluster, Conditions.READY).map(c -> c.getStatus().equals("True")).orElse(false));
      assertThat(condition(cluster, Conditions.RECONCILING)).isEmpty();
    }
  }

  private static Optional<Condition> condition(MockCluster cluster, String type) {
    return StatusAwait.condition(cluster.client(), AwsIntegration.class, NAMESPACE, "fraud-data", type);
  }
}
