package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.api.v1alpha1.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-resource readiness gauge {@code datastore_resource_ready{kind,namespace,name,reason}}: 1
 * while the resource's last computed {@code Ready} condition is True, 0 otherwise, with that
 * condition's reason; an alert on "not Ready for 15 minutes" needs nothing else.
 *
 * <p>It wraps JOSDK's {@link Metrics} (and delegates every call to it) for two reasons: the status
 * writer finds it through the reconcile {@link Context} without a constructor parameter threaded
 * through every reconciler, and JOSDK tells it when a resource is deleted ({@link #cleanupDoneFor}),
 * so a deleted resource's series goes away instead of reporting its last state forever.
 *
 * <p>One gauge per resource, replaced only when its value or reason changes: a change costs one
 * removal and one registration, whatever the number of resources (re-publishing every row on each
 * change made 10,000 Datasets quadratic: 100 s of the operator's CPU).
 */
public final class ReadinessMetrics implements Metrics {
  static final String GAUGE = "datastore.resource.ready";

  private final Metrics delegate;
  private final MeterRegistry registry;
  private final Map<Key, Published> rows = new ConcurrentHashMap<>();
  private final CheckMetrics checks;

  public ReadinessMetrics(Metrics delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
    this.checks = new CheckMetrics(registry);
  }

  /** The durations and bytes of the resources' checks, registered with the same registry. */
  public CheckMetrics checks() {
    return checks;
  }

  /** The readiness metrics of the running operator, when it was configured with them. */
  public static Optional<ReadinessMetrics> of(Context<?> context) {
    try {
      return context.getControllerConfiguration().getConfigurationService().getMetrics()
              instanceof ReadinessMetrics readiness
          ? Optional.of(readiness)
          : Optional.empty();
    } catch (RuntimeException e) {
      // A test's bare Context knows no configuration: no gauge, and nothing else changes.
      return Optional.empty();
    }
  }

  /** Records the resource's state from the conditions just computed for it. */
  public void record(HasMetadata resource, List<Condition> conditions) {
    Condition ready = Conditions.find(conditions, Conditions.READY).orElse(null);
    if (ready == null) {
      return;
    }
    Key key = new Key(resource.getKind(), resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    Row row = new Row(Conditions.TRUE.equals(ready.getStatus()) ? 1 : 0, Objects.toString(ready.getReason(), ""));
    rows.compute(key, (k, published) -> {
      if (published != null && published.row().equals(row)) {
        return published;
      }
      if (published != null) {
        registry.remove(published.gauge());
      }
      int value = row.value();
      Gauge gauge = Gauge.builder(GAUGE, () -> value)
          .description("1 when the resource's Ready condition is True, else 0; reason is Ready's reason")
          .tags(Tags.of("kind", k.kind(), "namespace", Objects.toString(k.namespace(), ""), "name", k.name(), "reason", row.reason()))
          .strongReference(true)
          .register(registry);
      return new Published(row, gauge);
    });
  }

  @Override
  public void cleanupDoneFor(ResourceID id, Map<String, Object> metadata) {
    delegate.cleanupDoneFor(id, metadata);
    Object gvk = metadata == null ? null : metadata.get(Constants.RESOURCE_GVK_KEY);
    String kind = gvk instanceof GroupVersionKind g ? g.getKind() : null;
    for (String k : kind == null ? List.of("AwsIntegration", "Dataset", "ModelArtifact") : List.of(kind)) {
      rows.computeIfPresent(new Key(k, id.getNamespace().orElse(null), id.getName()), (key, published) -> {
        registry.remove(published.gauge());
        return null;
      });
    }
  }

  private record Key(String kind, String namespace, String name) {}

  private record Row(int value, String reason) {}

  private record Published(Row row, Gauge gauge) {}

  // Everything else is JOSDK's own metrics, unchanged.

  @Override
  public void controllerRegistered(Controller<? extends HasMetadata> controller) {
    delegate.controllerRegistered(controller);
  }

  @Override
  public void receivedEvent(Event event, Map<String, Object> metadata) {
    delegate.receivedEvent(event, metadata);
  }

  @Override
  public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    delegate.reconcileCustomResource(resource, retryInfo, metadata);
  }

  @Override
  public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
    delegate.failedReconciliation(resource, exception, metadata);
  }

  @Override
  public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
    delegate.reconciliationExecutionStarted(resource, metadata);
  }

  @Override
  public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
    delegate.reconciliationExecutionFinished(resource, metadata);
  }

  @Override
  public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
    delegate.finishedReconciliation(resource, metadata);
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    return delegate.timeControllerExecution(execution);
  }

  @Override
  public <T extends Map<?, ?>> T monitorSizeOf(T map, String name) {
    return delegate.monitorSizeOf(map, name);
  }
}
