package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.GoDuration;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * When a resource is due for its next check, decided from its status alone ({@code
 * observedGeneration} and {@code lastCheckTime}), so that a restart or a leader failover changes
 * nothing: what was checked recently is not checked again before it is due. Each resource's
 * interval is shortened by a fixed share (up to 10%) derived from its UID, so resources created
 * together spread out over time, and the same resource gets the same schedule in every process.
 */
public final class CheckSchedule {
  private final Duration floor;
  private final Clock clock;

  public CheckSchedule(Duration floor, Clock clock) {
    this.floor = floor;
    this.clock = clock;
  }

  /**
   * {@code spec.checkInterval} as a duration, never below the operator's floor.
   *
   * @throws IllegalArgumentException when the text is not a duration
   */
  public Duration interval(String spec, String fallback) {
    Duration asked = GoDuration.parse(spec == null ? fallback : spec);
    return asked.compareTo(floor) < 0 ? floor : asked;
  }

  /**
   * How long until the next check is due, or empty when it is due now: never checked, checked for
   * another generation, or checked longer than {@code interval} ago.
   */
  public Optional<Duration> dueIn(String uid, Long observedGeneration, Long generation, String lastCheckTime, Duration interval) {
    if (lastCheckTime == null || observedGeneration == null || !observedGeneration.equals(generation)) {
      return Optional.empty();
    }
    Instant last;
    try {
      last = Instant.parse(lastCheckTime);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
    Duration left = Duration.between(clock.instant(), last.plus(spread(uid, interval)));
    // A check time in the future (a clock step back) is not trusted for longer than one interval.
    if (left.isNegative() || left.isZero() || left.compareTo(interval) > 0) {
      return Optional.empty();
    }
    // Whole seconds, rounded up: status times are written to the second.
    return Optional.of(Duration.ofSeconds(left.toSeconds() + 1));
  }

  /** The interval, less a share of up to 10% that is the same for the same UID in every process. */
  static Duration spread(String uid, Duration interval) {
    long millis = interval.toMillis();
    long share = uid == null ? 0 : Math.floorMod((long) uid.hashCode(), 1000L);
    return Duration.ofMillis(millis - millis / 10 * share / 1000);
  }
}
