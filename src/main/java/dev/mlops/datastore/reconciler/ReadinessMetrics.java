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
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
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
 */
public final class ReadinessMetrics implements Metrics {
  static final String GAUGE = "datastore.resource.ready";

  private final Metrics delegate;
  private final MultiGauge gauge;
  private final Map<Key, Row> rows = new ConcurrentHashMap<>();
  private final CheckMetrics checks;

  public ReadinessMetrics(Metrics delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.gauge =
        MultiGauge.builder(GAUGE)
            .description("1 when the resource's Ready condition is True, else 0; reason is Ready's reason")
            .register(registry);
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
    if (!row.equals(rows.put(key, row))) {
      publish();
    }
  }

  @Override
  public void cleanupDoneFor(ResourceID id, Map<String, Object> metadata) {
    delegate.cleanupDoneFor(id, metadata);
    Object gvk = metadata == null ? null : metadata.get(Constants.RESOURCE_GVK_KEY);
    String kind = gvk instanceof GroupVersionKind g ? g.getKind() : null;
    boolean removed =
        rows.keySet().removeIf(k -> (kind == null || k.kind().equals(kind))
            && k.name().equals(id.getName())
            && Objects.equals(k.namespace(), id.getNamespace().orElse(null)));
    if (removed) {
      publish();
    }
  }

  private synchronized void publish() {
    List<MultiGauge.Row<?>> out = new ArrayList<>();
    rows.forEach((k, r) -> out.add(MultiGauge.Row.of(
        Tags.of("kind", k.kind(), "namespace", Objects.toString(k.namespace(), ""), "name", k.name(), "reason", r.reason()),
        r.value())));
    gauge.register(out, true);
  }

  private record Key(String kind, String namespace, String name) {}

  private record Row(int value, String reason) {}

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
