package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.api.v1alpha1.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a computed status only when it differs from the stored one, records the transitions as
 * Events and as one INFO log line per condition whose status changed, and caches what was written so that the next reconcile (often woken by this one's own
 * side effects) starts from it rather than from an informer that has not caught up.
 */
public final class StatusWriter {
  private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);
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
    logTransitions(primary, before, after);
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
    logTransitions(primary, before, after);
  }

  /**
   * One INFO line per condition whose status changed (appeared, changed, or went away): kind,
   * namespace, name, condition type, old and new status, and the new reason. The message of the
   * condition is not logged: it is in the status, and it may quote what AWS answered.
   */
  static void logTransitions(HasMetadata resource, List<Condition> before, List<Condition> after) {
    if (!log.isInfoEnabled()) {
      return;
    }
    List<Condition> old = before == null ? List.of() : before;
    List<Condition> now = after == null ? List.of() : after;
    for (Condition c : now) {
      Condition was = Conditions.find(old, c.getType()).orElse(null);
      String from = was == null ? null : was.getStatus();
      if (!Objects.equals(from, c.getStatus())) {
        logTransition(resource, c.getType(), from, c.getStatus(), c.getReason());
      }
    }
    for (Condition was : old) {
      if (Conditions.find(now, was.getType()).isEmpty()) {
        logTransition(resource, was.getType(), was.getStatus(), null, null);
      }
    }
  }

  private static void logTransition(HasMetadata resource, String type, String from, String to, String reason) {
    var line = log.atInfo()
        .addKeyValue("resource", resource.getKind())
        .addKeyValue("namespace", resource.getMetadata().getNamespace())
        .addKeyValue("name", resource.getMetadata().getName())
        .addKeyValue("condition", type)
        .addKeyValue("from", from == null ? "absent" : from)
        .addKeyValue("to", to == null ? "absent" : to);
    if (reason != null) {
      line = line.addKeyValue("reason", reason);
    }
    line.log("{} {} -> {}", type, from == null ? "absent" : from, to == null ? "absent" : to);
  }
}
