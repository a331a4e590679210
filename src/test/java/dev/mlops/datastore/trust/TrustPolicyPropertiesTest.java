package dev.mlops.datastore.trust;

import static dev.mlops.datastore.trust.Policies.P;
import static dev.mlops.datastore.trust.Policies.allowWith;
import static dev.mlops.datastore.trust.Policies.sa;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * General rules checked over many generated service accounts (a fixed seed per repetition, so a
 * failure names the case that broke).
 */
class TrustPolicyPropertiesTest {
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-";

  private static String dnsLabel(Random r) {
    int length = 1 + r.nextInt(20);
    StringBuilder sb = new StringBuilder();
    sb.append((char) ('a' + r.nextInt(26)));
    for (int i = 1; i < length; i++) {
      sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
    }
    return sb.toString().replaceAll("-+$", "x");
  }

  private static Verdict like(String pattern, TrustRequest request) {
    return TrustPolicyEvaluator.evaluate(allowWith("{\"StringLike\": {\"" + P + ":sub\": \"" + pattern + "\"}}"), request).verdict();
  }

  @RepeatedTest(200)
  void starInStringLikeCrossesColonsAndMatchesAnyServiceAccount(RepetitionInfo info) {
    Random r = new Random(info.getCurrentRepetition());
    String ns = dnsLabel(r);
    String name = dnsLabel(r);
    TrustRequest request = sa(ns, name);

    assertThat(like("system:serviceaccount:*", request)).isEqualTo(Verdict.ALLOWED);
    assertThat(like("system:*:" + name, request)).isEqualTo(Verdict.ALLOWED);
    assertThat(like("*" + name.substring(name.length() - 1), request)).isEqualTo(Verdict.ALLOWED);
    assertThat(like("system:serviceaccount:*:" + name, request)).isEqualTo(Verdict.ALLOWED);
  }

  @RepeatedTest(200)
  void questionMarkStandsForExactlyOneCharacterColonIncluded(RepetitionInfo info) {
    Random r = new Random(1000 + info.getCurrentRepetition());
    TrustRequest request = sa(dnsLabel(r), dnsLabel(r));
    String subject = request.subject();
    int at = r.nextInt(subject.length());

    String oneMark = subject.substring(0, at) + "?" + subject.substring(at + 1);
    String extraMark = subject + "?";

    assertThat(like(oneMark, request)).isEqualTo(Verdict.ALLOWED);
    assertThat(like(extraMark, request)).isEqualTo(Verdict.DENIED);
  }

  @RepeatedTest(200)
  void negatedOperatorsAreTheExactComplementOnAPresentKey(RepetitionInfo info) {
    Random r = new Random(2000 + info.getCurrentRepetition());
    TrustRequest request = sa(dnsLabel(r), dnsLabel(r));
    String value = r.nextBoolean() ? request.subject() : sa(dnsLabel(r), dnsLabel(r)).subject();
    for (String[] pair : new String[][] {{"StringEquals", "StringNotEquals"}, {"StringLike", "StringNotLike"}, {"StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"}}) {
      Verdict positive = TrustPolicyEvaluator.evaluate(allowWith("{\"" + pair[0] + "\": {\"" + P + ":sub\": \"" + value + "\"}}"), request).verdict();
      Verdict negative = TrustPolicyEvaluator.evaluate(allowWith("{\"" + pair[1] + "\": {\"" + P + ":sub\": \"" + value + "\"}}"), request).verdict();

      assertThat(positive).as(pair[0] + " vs " + pair[1] + " on " + value).isNotEqualTo(negative);
    }
  }

  @RepeatedTest(100)
  void aSubjectListedAmongOthersIsAdmittedAndAnUnlistedOneIsNot(RepetitionInfo info) {
    Random r = new Random(3000 + info.getCurrentRepetition());
    TrustRequest request = sa(dnsLabel(r), dnsLabel(r));
    StringBuilder list = new StringBuilder();
    int others = r.nextInt(6);
    int position = r.nextInt(others + 1);
    for (int i = 0; i <= others; i++) {
      if (i > 0) {
        list.append(',');
      }
      String subject = i == position ? request.subject() : "system:serviceaccount:other-" + i + ":" + dnsLabel(r);
      list.append('"').append(subject).append('"');
    }
    String policy = allowWith("{\"StringEquals\": {\"" + P + ":sub\": [" + list + "]}}");

    assertThat(TrustPolicyEvaluator.evaluate(policy, request).verdict()).isEqualTo(Verdict.ALLOWED);
    assertThat(TrustPolicyEvaluator.evaluate(policy, sa("not-listed", "x")).verdict()).isEqualTo(Verdict.DENIED);
  }
}
