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

  /**
   * The most a Ready message says: its first cause, for {@code kubectl get -o wide}, Events and
   * alerts. The whole text stays in the condition of the link it comes from.
   */
  public static final int MAX_READY_MESSAGE_LENGTH = 300;

  public List<Condition> build() {
    find(result, READY).ifPresent(ready -> ready.setMessage(readyMessage(ready, result)));
    return List.copyOf(result);
  }

  /**
   * Ready's message, cut to {@link #MAX_READY_MESSAGE_LENGTH} when longer: the first cause (cut at
   * the last "; ", then ". ", ", " or space that fits), then "…; see condition X", X being the
   * condition with the same message or, failing that, the same reason, that holds the whole text.
   * One rule for every kind, applied where every status is built.
   */
  static String readyMessage(Condition ready, List<Condition> all) {
    String message = ready.getMessage();
    if (message == null || message.length() <= MAX_READY_MESSAGE_LENGTH) {
      return message;
    }
    String detail = all.stream()
        .filter(c -> !READY.equals(c.getType()) && message.equals(c.getMessage()))
        .map(Condition::getType)
        .findFirst()
        .or(() -> all.stream()
            .filter(c -> !READY.equals(c.getType()) && Objects.equals(ready.getReason(), c.getReason()) && c.getMessage() != null)
            .map(Condition::getType)
            .findFirst())
        .orElse(null);
    String suffix = detail == null ? "…" : "…; see condition " + detail;
    int room = MAX_READY_MESSAGE_LENGTH - suffix.length();
    int cut = -1;
    for (String boundary : new String[] {"; ", ". ", ", ", " "}) {
      int at = message.lastIndexOf(boundary, room - 1);
      // A boundary in the first third would throw away most of what fits: try a finer one.
      if (at >= room / 3) {
        cut = at;
        break;
      }
    }
    if (cut < 0) {
      cut = Character.isHighSurrogate(message.charAt(room - 1)) ? room - 1 : room;
    }
    String head = message.substring(0, cut);
    while (!head.isEmpty() && " ,;:.(".indexOf(head.charAt(head.length() - 1)) >= 0) {
      head = head.substring(0, head.length() - 1);
    }
    return head + suffix;
  }

  /**
   * The conditions to show after a failure, starting from the last ones: a transient failure adds
   * {@code Reconciling=True} and keeps what was last known (Ready=Unknown when nothing was); a spec
   * that needs a change sets {@code Stalled=True} and {@code Ready=False}; an internal error sets
   * {@code Ready=Unknown}. Each names the failure's reason and message.
   */
  public static List<Condition> afterFailure(List<Condition> previous, long generation, Clock clock, Failure failure) {
    List<Condition> last = previous == null ? List.of() : previous;
    Conditions fresh = after(last, generation, clock);
    List<Condition> kept = new ArrayList<>(last);
    kept.removeIf(c -> c.getType().equals(RECONCILING) || c.getType().equals(STALLED));
    if (failure instanceof Failure.Transient) {
      fresh.set(RECONCILING, TRUE, failure.reason(), failure.message());
      if (find(last, READY).isEmpty()) {
        fresh.set(READY, UNKNOWN, failure.reason(), failure.message());
      }
    } else if (failure instanceof Failure.NeedsSpecChange) {
      fresh.set(STALLED, TRUE, failure.reason(), failure.message());
      fresh.set(READY, FALSE, failure.reason(), failure.message());
    } else {
      fresh.set(READY, UNKNOWN, failure.reason(), failure.message());
    }
    for (Condition c : fresh.build()) {
      kept.removeIf(k -> k.getType().equals(c.getType()));
      kept.add(c);
    }
    return List.copyOf(kept);
  }

  /** When the resource started failing, from its {@code Reconciling} condition; null when it is not. */
  public static Instant failingSince(List<Condition> conditions) {
    return find(conditions, RECONCILING)
        .filter(c -> TRUE.equals(c.getStatus()) && c.getLastTransitionTime() != null)
        .map(c -> {
          try {
            return Instant.parse(c.getLastTransitionTime());
          } catch (java.time.format.DateTimeParseException e) {
            return null;
          }
        })
        .orElse(null);
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
