package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.api.v1alpha1.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.util.List;
import java.util.function.Supplier;

/**
 * Writes a computed status only when it differs from the stored one, records the transitions as
 * Events, and caches what was written so that the next reconcile (often woken by this one's own
 * side effects) starts from it rather than from an informer that has not caught up.
 */
public final class StatusWriter {
  private final TransitionEvents events;

  public StatusWriter(TransitionEvents events) {
    this.events = events;
  }

  /**
   * @param fresh a new, empty resource of the primary's kind (only its name, namespace and status
   *     are sent)
   * @return whether anything was written
   */
  public <P extends HasMetadata, S> boolean write(
      P primary, S stored, S computed, List<Condition> before, List<Condition> after, Supplier<P> fresh,
      java.util.function.BiConsumer<P, S> setStatus, Context<P> context) {
    ReadinessMetrics.of(context).ifPresent(m -> m.record(primary, after));
    if (!StatusComparison.differs(stored, computed)) {
      return false;
    }
    events.emit(primary, before == null ? List.of() : before, after);
    P patch = fresh.get();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(primary.getMetadata().getName())
            .withNamespace(primary.getMetadata().getNamespace())
            .build());
    setStatus.accept(patch, computed);
    PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(primary, patch, context);
    return true;
  }

  /**
   * What {@link #write} does besides the write, for a status JOSDK writes itself (the {@code
   * ErrorStatusUpdateControl} of {@code updateErrorStatus}): the readiness gauge and the transition
   * Event follow the error status as they follow every other.
   */
  public <P extends HasMetadata> void errorStatus(
      P primary, List<Condition> before, List<Condition> after, Context<P> context) {
    ReadinessMetrics.of(context).ifPresent(m -> m.record(primary, after));
    events.emit(primary, before == null ? List.of() : before, after);
  }
}
