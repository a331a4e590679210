package dev.mlops.datastore.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/** General rules of the Pod Identity evaluation over generated service accounts (a fixed seed per repetition). */
class PodIdentityPropertiesTest {
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-";
  private static final String ALLOW_BOTH =
      "{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"pods.eks.amazonaws.com\"}, \"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"]%s}";

  private static String dnsLabel(Random r) {
    int length = 1 + r.nextInt(20);
    StringBuilder sb = new StringBuilder();
    sb.append((char) ('a' + r.nextInt(26)));
    for (int i = 1; i < length; i++) {
      sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
    }
    return sb.toString().replaceAll("-+$", "x");
  }

  private static String policy(String... statements) {
    return "{\"Version\": \"2012-10-17\", \"Statement\": [" + String.join(", ", statements) + "]}";
  }

  private static String scoped(String namespace, String serviceAccount) {
    return ALLOW_BOTH.formatted(", \"Condition\": {\"StringEquals\": {\"aws:RequestTag/kubernetes-namespace\": \"" + namespace
        + "\", \"aws:RequestTag/kubernetes-service-account\": \"" + serviceAccount + "\"}}");
  }

  private static TrustVerdict eval(String policy, PodIdentityRequest request) {
    return TrustPolicyEvaluator.evaluatePodIdentity(policy, request);
  }

  @RepeatedTest(200)
  void aScopedPolicyAdmitsExactlyItsServiceAccount(RepetitionInfo info) {
    Random r = new Random(info.getCurrentRepetition());
    String ns = dnsLabel(r);
    String sa = dnsLabel(r);
    String policy = policy(scoped(ns, sa));
    String otherNs = r.nextBoolean() ? ns : dnsLabel(r);
    String otherSa = r.nextBoolean() ? sa : dnsLabel(r);

    assertThat(eval(policy, PodIdentityTrustTest.pod(ns, sa)).verdict()).isEqualTo(Verdict.ALLOWED);
    assertThat(eval(policy, PodIdentityTrustTest.pod(otherNs, otherSa)).verdict())
        .isEqualTo(otherNs.equals(ns) && otherSa.equals(sa) ? Verdict.ALLOWED : Verdict.DENIED);
  }

  @RepeatedTest(100)
  void theLetterCaseOfConditionKeysNeverChangesTheVerdict(RepetitionInfo info) {
    Random r = new Random(1000 + info.getCurrentRepetition());
    String ns = dnsLabel(r);
    String sa = dnsLabel(r);
    PodIdentityRequest request = PodIdentityTrustTest.pod(r.nextBoolean() ? ns : dnsLabel(r), sa);
    String policy = policy(scoped(ns, sa));
    StringBuilder mixed = new StringBuilder();
    for (String key : new String[] {"aws:RequestTag/kubernetes-namespace", "aws:RequestTag/kubernetes-service-account"}) {
      mixed.setLength(0);
      for (char c : key.toCharArray()) {
        mixed.append(r.nextBoolean() ? Character.toUpperCase(c) : c);
      }
      policy = policy.replace("\"" + key + "\"", "\"" + mixed + "\"");
    }

    assertThat(eval(policy, request).verdict()).isEqualTo(eval(policy(scoped(ns, sa)), request).verdict());
    assertThat(eval(policy.replace("\"" + ns + "\"", "\"" + ns.toUpperCase(Locale.ROOT) + "\""), request).verdict())
        .as("values stay case-sensitive").isEqualTo(ns.equals(ns.toUpperCase(Locale.ROOT)) ? eval(policy, request).verdict() : Verdict.DENIED);
  }

  @RepeatedTest(100)
  void statementOrderNeverChangesTheVerdict(RepetitionInfo info) {
    Random r = new Random(2000 + info.getCurrentRepetition());
    String ns = dnsLabel(r);
    PodIdentityRequest request = PodIdentityTrustTest.pod(r.nextBoolean() ? ns : dnsLabel(r), dnsLabel(r));
    List<String> statements = new ArrayList<>(List.of(
        ALLOW_BOTH.formatted(""),
        "{\"Effect\": \"Deny\", \"Principal\": {\"Service\": \"pods.eks.amazonaws.com\"}, \"Action\": \"sts:TagSession\","
            + " \"Condition\": {\"StringEquals\": {\"aws:RequestTag/kubernetes-namespace\": \"" + ns + "\"}}}",
        "{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"sts:AssumeRole\"}"));
    TrustVerdict before = eval(policy(statements.toArray(String[]::new)), request);
    Collections.shuffle(statements, r);
    TrustVerdict after = eval(policy(statements.toArray(String[]::new)), request);

    assertThat(after.verdict()).isEqualTo(before.verdict()).isEqualTo(request.namespace().equals(ns) ? Verdict.DENIED : Verdict.ALLOWED);
    assertThat(after.reasons()).isEqualTo(before.reasons());
  }

  @RepeatedTest(50)
  void bothActionsAreNeededWhateverElseIsListed(RepetitionInfo info) {
    Random r = new Random(3000 + info.getCurrentRepetition());
    List<String> actions = new ArrayList<>();
    for (String a : new String[] {"sts:AssumeRole", "sts:TagSession", "sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity"}) {
      if (r.nextBoolean()) {
        actions.add("\"" + a + "\"");
      }
    }
    if (actions.isEmpty()) {
      actions.add("\"sts:GetCallerIdentity\"");
    }
    String policy = policy("{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"pods.eks.amazonaws.com\"}, \"Action\": " + actions + "}");
    boolean both = actions.contains("\"sts:AssumeRole\"") && actions.contains("\"sts:TagSession\"");

    TrustVerdict v = eval(policy, PodIdentityTrustTest.pod(dnsLabel(r), dnsLabel(r)));

    assertThat(v.verdict()).as(policy).isEqualTo(both ? Verdict.ALLOWED : Verdict.DENIED);
    if (!actions.contains("\"sts:TagSession\"")) {
      assertThat(v.reasons()).contains(TrustReason.TagSessionNotAllowed);
    }
  }
}
