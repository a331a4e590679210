package dev.mlops.datastore.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before retrying after a transient failure. The wait grows with the time the
 * resource has already spent retrying (the {@code Reconciling} condition's lastTransitionTime, so
 * it survives a restart), from 5 seconds up to a cap, with jitter so resources that failed
 * together do not retry together. No retry count ever ends the retrying.
 */
public final class ErrorBackoff {
  private static final Duration FIRST = Duration.ofSeconds(5);
  private final Duration cap;

  public ErrorBackoff(Duration cap) {
    this.cap = cap;
  }

  /** The next wait: about as long as the failure has lasted so far, between 5 s and the cap. */
  public Duration next(Instant failingSince, Instant now) {
    Duration elapsed = failingSince == null || failingSince.isAfter(now) ? Duration.ZERO : Duration.between(failingSince, now);
    Duration wait = elapsed.compareTo(FIRST) < 0 ? FIRST : elapsed;
    if (wait.compareTo(cap) > 0) {
      wait = cap;
    }
    long millis = wait.toMillis();
    return Duration.ofMillis(millis - ThreadLocalRandom.current().nextLong(millis / 4 + 1));
  }

  /** Between 75% and 100% of the cap: after JOSDK's own retries of an unexpected error. */
  public Duration afterRetriesExhausted() {
    long millis = cap.toMillis();
    return Duration.ofMillis(millis - ThreadLocalRandom.current().nextLong(millis / 4 + 1));
  }
}
