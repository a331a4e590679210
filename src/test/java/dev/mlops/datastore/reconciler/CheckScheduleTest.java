package dev.mlops.datastore.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckScheduleTest {
  private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  private final CheckSchedule schedule = new CheckSchedule(Duration.ofSeconds(30), Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void shouldBeDueWithoutACheckForThisGeneration() {
    assertThat(schedule.dueIn("u", null, 1L, "2026-11-22T09:59:00Z", Duration.ofHours(1))).isEmpty();
    assertThat(schedule.dueIn("u", 1L, 2L, "2026-11-22T09:59:00Z", Duration.ofHours(1))).isEmpty();
    assertThat(schedule.dueIn("u", 1L, 1L, null, Duration.ofHours(1))).isEmpty();
    assertThat(schedule.dueIn("u", 1L, 1L, "yesterday", Duration.ofHours(1))).isEmpty();
  }

  @Test
  void shouldWaitUntilTheIntervalHasPassedSinceTheLastCheck() {
    Duration left = schedule.dueIn(null, 1L, 1L, "2026-11-22T09:30:00Z", Duration.ofHours(1)).orElseThrow();
    assertThat(left).isEqualTo(Duration.ofMinutes(30).plusSeconds(1));
    assertThat(schedule.dueIn(null, 1L, 1L, "2026-11-22T09:00:00Z", Duration.ofHours(1))).isEmpty();
  }

  @Test
  void shouldNotTrustACheckTimeFromTheFuture() {
    assertThat(schedule.dueIn(null, 1L, 1L, "2026-11-22T12:00:00Z", Duration.ofHours(1))).isEmpty();
  }

  @Test
  void shouldSpreadResourcesByUpToATenthOfTheIntervalTheSameWayInEveryProcess() {
    Set<Duration> spreads = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Duration d = CheckSchedule.spread("uid-" + i, Duration.ofHours(1));
      assertThat(d).isBetween(Duration.ofMinutes(54), Duration.ofHours(1));
      assertThat(CheckSchedule.spread("uid-" + i, Duration.ofHours(1))).isEqualTo(d);
      spreads.add(d);
    }
    assertThat(spreads).hasSizeGreaterThan(100);
  }

  @Test
  void shouldRaiseIntervalsToTheFloorAndRefuseWhatIsNotADuration() {
    assertThat(schedule.interval("5s", "1h")).isEqualTo(Duration.ofSeconds(30));
    assertThat(schedule.interval(null, "1h")).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> schedule.interval("soon", "1h")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'soon'");
  }
}
