package dev.mlops.datastore.trust;

import static dev.mlops.datastore.trust.Policies.sa;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated documents never make the evaluator throw or report an internal failure: they
 * are verdicts, MalformedPolicy for what is broken. The time limits are hang guards, not
 * performance claims.
 */
class TrustPolicyFuzzTest {
  private static final List<String> SEEDS =
      List.of(
          Policies.robustIntelligence("rime"),
          Policies.dataRobotDuplicateKeys("dr"),
          Policies.eksctlStyle("ml", "a"),
          Policies.allowWith("{\"StringLike\": {\"" + Policies.P + ":sub\": \"system:serviceaccount:${*}:*\"}, \"ForAllValues:StringEquals\": {\"aws:SourceIp\": [1, true]}}"));
  private static final String TOKENS = "{}[]\":,*?$ \\\n0123456789abcxyzAllowDenyStatementConditionPrincipalActionNull-.";

  @Test
  void shouldAnswerEveryMutationOfTheSeedPoliciesWithAVerdict() {
    assertTimeoutPreemptively(
        Duration.ofMinutes(2),
        () -> {
          Random random = new Random(42);
          for (int i = 0; i < 20_000; i++) {
            String seed = SEEDS.get(random.nextInt(SEEDS.size()));
            String mutated = mutate(seed, random, 1 + random.nextInt(4));
            assertVerdict(mutated);
          }
        });
  }

  @Test
  void shouldAnswerEveryMutationOfPodIdentityPoliciesWithAVerdict() {
    List<String> seeds =
        List.of(
            PodIdentityTrustTest.allow("[\"sts:AssumeRole\", \"sts:TagSession\"]", null),
            PodIdentityTrustTest.allow("\"sts:*\"", "{\"StringLike\": {\"aws:RequestTag/kubernetes-namespace\": \"${aws:RequestTag/eks-cluster-name}*\"},"
                + " \"ArnLike\": {\"aws:SourceArn\": \"arn:aws:eks:*:111122223333:cluster/*\"}, \"ForAllValues:StringEquals\": {\"aws:TagKeys\": [\"kubernetes-pod-name\"]},"
                + " \"Null\": {\"aws:RequestTag/kubernetes-pod-uid\": \"false\"}, \"StringNotEqualsIfExists\": {\"aws:SourceAccount\": [\"1\", \"${aws:SourceArn}\"]}}"),
            Policies.eksctlStyle("ml", "a"));
    PodIdentityRequest known = PodIdentityTrustTest.pod("ml", "a");
    PodIdentityRequest unknownArn = new PodIdentityRequest(PodIdentityTrustTest.ROLE, "prod", null, "ml", "a");
    assertTimeoutPreemptively(
        Duration.ofMinutes(2),
        () -> {
          Random random = new Random(43);
          for (int i = 0; i < 10_000; i++) {
            String mutated = mutate(seeds.get(random.nextInt(seeds.size())), random, 1 + random.nextInt(4));
            for (PodIdentityRequest request : List.of(known, unknownArn)) {
              assertWellFormed(mutated, TrustPolicyEvaluator.evaluatePodIdentity(mutated, request));
            }
          }
        });
  }

  @Test
  void shouldAnswerRandomTextWithAVerdict() {
    Random random = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder sb = new StringBuilder();
      int length = random.nextInt(200);
      for (int k = 0; k < length; k++) {
        sb.append(random.nextInt(10) == 0 ? (char) random.nextInt(0x3000) : TOKENS.charAt(random.nextInt(TOKENS.length())));
      }
      assertVerdict(sb.toString());
    }
  }

  @Test
  void shouldAnswerATenMegabyteDocumentWithinBoundedTime() {
    StringBuilder sb = new StringBuilder("{\"Version\": \"2012-10-17\", \"Statement\": [");
    int i = 0;
    while (sb.length() < 10 * 1024 * 1024) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append("{\"Sid\": \"s").append(i++).append("\", \"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"")
          .append(Policies.PROVIDER).append("\"}, \"Action\": \"sts:AssumeRoleWithWebIdentity\", \"Condition\": {\"StringLike\": {\"")
          .append(Policies.P).append(":sub\": \"system:serviceaccount:ns").append(i).append(":*a*b*c*d*e*\"}}}");
    }
    sb.append("]}");
    String huge = sb.toString();

    TrustVerdict v = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> TrustPolicyEvaluator.evaluate(huge, sa("ml", "a")));

    assertThat(v.verdict()).isEqualTo(Verdict.DENIED);
    assertThat(v.reasons()).containsExactly(TrustReason.SubjectNotMatched);
  }

  @Test
  void shouldFindAHundredThousandDuplicateKeysInOnePass() {
    // 50,000 keys written twice each: 100,000 duplicate entries in 50,000 places, the shape that
    // made the scan compare each new duplicate with every one found before.
    StringBuilder keys = new StringBuilder("\"" + Policies.P + ":sub\": \"system:serviceaccount:ns:a\"");
    for (int i = 0; i < 50_000; i++) {
      for (int twice = 0; twice < 2; twice++) {
        keys.append(", \"aws:k").append(i).append("\": \"x\"");
      }
    }
    String policy = Policies.allowWith("{\"StringEquals\": {" + keys + "}}");

    PolicyParser.Parsed parsed = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> PolicyParser.parse(policy));

    assertThat(parsed.duplicates()).hasSize(50_000).allSatisfy(d -> assertThat(d.times()).isEqualTo(2));
    TrustVerdict v = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> TrustPolicyEvaluator.evaluate(policy, sa("ns", "a")));
    assertThat(v.reasons()).containsExactly(TrustReason.MalformedPolicy);
  }

  @Test
  void shouldRejectAbsurdNestingAsMalformedWithoutOverflowingTheStack() {
    String deep = "[".repeat(200_000) + "]".repeat(200_000);

    TrustVerdict v = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> TrustPolicyEvaluator.evaluate(deep, sa("ml", "a")));

    assertThat(v.reasons()).containsExactly(TrustReason.MalformedPolicy);
  }

  @Test
  void shouldNotBacktrackExponentiallyOnAdversarialPatterns() {
    String pattern = "*a".repeat(5_000) + "b";
    String policy = Policies.allowWith("{\"StringLike\": {\"" + Policies.P + ":sub\": \"" + pattern + "\"}}");
    TrustRequest request = sa("a".repeat(60), "a".repeat(60));

    TrustVerdict v = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> TrustPolicyEvaluator.evaluate(policy, request));

    assertThat(v.verdict()).isEqualTo(Verdict.DENIED);
  }

  private static void assertVerdict(String text) {
    assertWellFormed(text, TrustPolicyEvaluator.evaluate(text, sa("ml", "a")));
  }

  private static void assertWellFormed(String text, TrustVerdict v) {
    assertThat(v).as("verdict for %s", text).isNotNull();
    assertThat(v.explanation()).as("internal failure for %s", text).doesNotContain("could not be evaluated");
    if (v.verdict() == Verdict.ALLOWED) {
      assertThat(v.reasons()).containsExactly(TrustReason.Allowed);
    } else {
      assertThat(v.reasons()).isNotEmpty().doesNotContain(TrustReason.Allowed);
    }
  }

  private static String mutate(String seed, Random random, int edits) {
    StringBuilder sb = new StringBuilder(seed);
    for (int e = 0; e < edits && sb.length() > 0; e++) {
      int at = random.nextInt(sb.length());
      switch (random.nextInt(4)) {
        case 0 -> sb.deleteCharAt(at);
        case 1 -> sb.insert(at, TOKENS.charAt(random.nextInt(TOKENS.length())));
        case 2 -> sb.setCharAt(at, TOKENS.charAt(random.nextInt(TOKENS.length())));
        default -> {
          int end = Math.min(sb.length(), at + random.nextInt(30));
          String chunk = sb.substring(at, end);
          sb.insert(random.nextInt(sb.length()), chunk);
        }
      }
    }
    return sb.toString();
  }
}
