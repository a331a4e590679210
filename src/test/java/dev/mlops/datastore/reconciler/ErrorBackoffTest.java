package dev.mlops.datastore.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ErrorBackoffTest {
  private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  private final ErrorBackoff backoff = new ErrorBackoff(Duration.ofMinutes(5));

  @Test
  void shouldStartAtFiveSecondsAndGrowWithTheTimeSpentFailing() {
    assertThat(backoff.next(null, NOW)).isBetween(Duration.ofMillis(3750), Duration.ofSeconds(5));
    assertThat(backoff.next(NOW.minusSeconds(40), NOW)).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(40));
  }

  @Test
  void shouldNeverWaitLongerThanTheCapHoweverLongItFails() {
    for (int i = 0; i < 100; i++) {
      assertThat(backoff.next(NOW.minus(Duration.ofDays(3)), NOW)).isBetween(Duration.ofSeconds(225), Duration.ofMinutes(5));
    }
  }
}
