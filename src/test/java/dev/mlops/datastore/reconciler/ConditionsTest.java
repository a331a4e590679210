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

  private static String causes(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      sb.append(i == 1 ? "" : "; ").append("column c").append(i).append(" of s3://bucket/tables/t is missing from the file's schema");
    }
    return sb.toString();
  }

  @Test
  void shouldKeepTheFirstCauseInReadyAndPointToTheConditionWithTheWholeText() {
    String whole = causes(50);
    assertThat(whole.length()).isGreaterThan(2800);

    List<Condition> built = Conditions.after(null, 1, T1)
        .set("SchemaValid", false, "ColumnsMissing", whole)
        .set("Ready", false, "ColumnsMissing", whole)
        .build();

    String ready = Conditions.find(built, "Ready").orElseThrow().getMessage();
    assertThat(ready.length()).isLessThanOrEqualTo(Conditions.MAX_READY_MESSAGE_LENGTH);
    assertThat(ready).startsWith("column c1 of s3://bucket/tables/t is missing from the file's schema; column c2")
        .endsWith("missing from the file's schema…; see condition SchemaValid");
    assertThat(Conditions.find(built, "SchemaValid").orElseThrow().getMessage()).isEqualTo(whole);
  }

  @Test
  void shouldPointToTheConditionWithTheSameReasonWhenReadyRewordsIt() {
    List<Condition> built = Conditions.after(null, 1, T1)
        .set("TrustPolicyValid", false, "SubjectNotMatched", causes(20))
        .set("Ready", false, "SubjectNotMatched", "TrustPolicyValid: " + causes(20))
        .build();

    assertThat(Conditions.find(built, "Ready").orElseThrow().getMessage())
        .startsWith("TrustPolicyValid: column c1").endsWith("…; see condition TrustPolicyValid");
  }

  @Test
  void shouldLeaveAShortReadyMessageAndOtherConditionsAlone() {
    String longDetail = causes(20);
    List<Condition> built = Conditions.after(null, 1, T1)
        .set("Readable", false, "AccessDenied", longDetail)
        .set("Ready", false, "AccessDenied", "s3:GetObject was denied")
        .build();

    assertThat(Conditions.find(built, "Ready").orElseThrow().getMessage()).isEqualTo("s3:GetObject was denied");
    assertThat(Conditions.find(built, "Readable").orElseThrow().getMessage()).isEqualTo(longDetail);
  }

  @Test
  void shouldCutAMessageWithoutBoundariesAndNoDetailConditionPlainly() {
    String blob = "x".repeat(1000);
    List<Condition> built = Conditions.after(null, 1, T1).set("Ready", false, "InternalError", blob).build();

    assertThat(Conditions.find(built, "Ready").orElseThrow().getMessage())
        .hasSize(Conditions.MAX_READY_MESSAGE_LENGTH).endsWith("x…");
  }
}
