package dev.mlops.datastore.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.Condition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  private static final Clock T1 = Clock.fixed(Instant.parse("2026-11-22T10:00:00.123Z"), ZoneOffset.UTC);
  private static final Clock T2 = Clock.fixed(Instant.parse("2026-11-22T11:00:00Z"), ZoneOffset.UTC);

  @Test
  void shouldKeepTheTransitionTimeWhileTheStatusStaysTheSame() {
    List<Condition> first = Conditions.after(null, 1, T1).set("Ready", false, "A", "a").build();

    List<Condition> second = Conditions.after(first, 2, T2).set("Ready", false, "B", "b").build();

    assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");
    assertThat(second.get(0).getObservedGeneration()).isEqualTo(2L);
    assertThat(second.get(0).getReason()).isEqualTo("B");
  }

  @Test
  void shouldMoveTheTransitionTimeWhenTheStatusChanges() {
    List<Condition> first = Conditions.after(null, 1, T1).set("Ready", false, "A", "a").build();

    List<Condition> second = Conditions.after(first, 1, T2).set("Ready", true, "Ready", "ok").build();

    assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-11-22T11:00:00Z");
  }

  @Test
  void shouldDetectStatusChangesByContent() {
    List<Condition> a = Conditions.after(null, 1, T1).set("Ready", true, "Ready", "ok").build();
    List<Condition> b = Conditions.after(a, 1, T2).set("Ready", true, "Ready", "ok").build();

    assertThat(StatusComparison.differs(a, b)).isFalse();
    assertThat(StatusComparison.differs(a, Conditions.after(a, 2, T2).set("Ready", true, "Ready", "ok").build()))
        .isTrue();
  }
}
