package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.api.v1alpha1.Condition;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds kstatus-compatible condition lists: every condition carries the generation it was
 * computed for, and keeps its lastTransitionTime while its status does not change.
 *
 * <p>{@code Reconciling} and {@code Stalled} are "abnormal-true" conditions in kstatus terms: they
 * are present only while true. {@code Ready} is always present.
 */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  /**
   * The CRD schema's maxLength for a message (metav1.Condition's): the API server refuses a whole
   * status write with one longer message, so a longer one is cut.
   */
  public static final int MAX_MESSAGE_LENGTH = 32768;

  private final List<Condition> previous;
  private final long generation;
  private final Instant now;
  private final List<Condition> result = new ArrayList<>();

  private Conditions(List<Condition> previous, long generation, Clock clock) {
    this.previous = previous == null ? List.of() : previous;
    this.generation = generation;
    this.now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }

  /** Starts a new list that inherits transition times from {@code previous}. */
  public static Conditions after(List<Condition> previous, long generation, Clock clock) {
    return new Conditions(previous, generation, clock);
  }

  public Conditions set(String type, String status, String reason, String message) {
    Condition c = new Condition();
    c.setType(type);
    c.setStatus(status);
    c.setReason(reason);
    c.setMessage(capped(message));
    c.setObservedGeneration(generation);
    c.setLastTransitionTime(
        find(previous, type)
            .filter(old -> Objects.equals(old.getStatus(), status))
            .map(Condition::getLastTransitionTime)
            .orElse(now.toString()));
    result.removeIf(existing -> existing.getType().equals(type));
    result.add(c);
    return this;
  }

  private static String capped(String message) {
    if (message == null || message.length() <= MAX_MESSAGE_LENGTH) {
      return message;
    }
    int cut = MAX_MESSAGE_LENGTH - 1;
    if (Character.isHighSurrogate(message.charAt(cut - 1))) {
      cut--;
    }
    return message.substring(0, cut) + "…";
  }

  public Conditions set(String type, boolean value, String reason, String message) {
    return set(type, value ? TRUE : FALSE, reason, message);
  }

  public List<Condition> build() {
    return List.copyOf(result);
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }
}
