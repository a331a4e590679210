package dev.mlops.datastore.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.testing.Resources;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadinessMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ReadinessMetrics metrics = new ReadinessMetrics(Metrics.NOOP, registry);

  private static List<Condition> ready(String status, String reason) {
    Condition c = new Condition();
    c.setType(Conditions.READY);
    c.setStatus(status);
    c.setReason(reason);
    return List.of(c);
  }

  private List<Gauge> series(String name) {
    return registry.find(ReadinessMetrics.GAUGE).tag("name", name).gauges().stream().toList();
  }

  @Test
  void shouldReportOneSeriesPerResourceWithTheReasonOfItsReadyCondition() {
    metrics.record(Resources.dataset("fraud-ref", "fraud-data"), ready("False", "IntegrationNotReady"));
    metrics.record(Resources.dataset("fraud-ref", "fraud-data"), ready("True", "Ready"));

    List<Gauge> gauges = series("fraud-ref");
    assertThat(gauges).hasSize(1);
    assertThat(gauges.get(0).getId().getTag("reason")).isEqualTo("Ready");
    assertThat(gauges.get(0).getId().getTag("kind")).isEqualTo("Dataset");
    assertThat(gauges.get(0).getId().getTag("namespace")).isEqualTo(Resources.NAMESPACE);
    assertThat(gauges.get(0).value()).isEqualTo(1.0);
  }

  @Test
  void shouldReportZeroWhenReadyIsUnknownOrFalse() {
    metrics.record(Resources.dataset("a", "x"), ready("Unknown", "CredentialsPending"));
    metrics.record(Resources.dataset("b", "x"), ready("False", "IntegrationNotFound"));

    assertThat(series("a").get(0).value()).isZero();
    assertThat(series("b").get(0).value()).isZero();
  }

  @Test
  void shouldDropTheSeriesOfADeletedResourceOnly() {
    metrics.record(Resources.dataset("gone", "x"), ready("True", "Ready"));
    metrics.record(Resources.dataset("kept", "x"), ready("True", "Ready"));

    metrics.cleanupDoneFor(new ResourceID("gone", Resources.NAMESPACE),
        Map.of(Constants.RESOURCE_GVK_KEY, new GroupVersionKind("datastore.mlops.dev", "v1alpha1", "Dataset")));

    assertThat(series("gone")).isEmpty();
    assertThat(series("kept")).hasSize(1);
  }

  @Test
  void shouldIgnoreConditionsWithoutReady() {
    metrics.record(Resources.dataset("new", "x"), List.of());

    assertThat(series("new")).isEmpty();
  }
}
