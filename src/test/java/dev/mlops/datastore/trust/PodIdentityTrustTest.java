package dev.mlops.datastore.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PodIdentityTrustTest {
  static final String ROLE = "arn:aws:iam::111122223333:role/ml-s3";
  static final String CLUSTER_ARN = "arn:aws:eks:us-east-1:111122223333:cluster/prod";

  static PodIdentityRequest pod(String namespace, String name) {
    return new PodIdentityRequest(ROLE, "prod", CLUSTER_ARN, namespace, name);
  }

  static TrustVerdict eval(String policy, PodIdentityRequest request) {
    return TrustPolicyEvaluator.evaluatePodIdentity(policy, request);
  }

  static String allow(String action, String condition) {
    return """
        {"Version": "2012-10-17", "Statement": [{
          "Effect": "Allow",
          "Principal": {"Service": "pods.eks.amazonaws.com"},
          "Action": %s%s
        }]}""".formatted(action, condition == null ? "" : ", \"Condition\": " + condition);
  }

  @Test
  void shouldAllowTheDocumentedPolicyAndWarnThatItIsUnscoped() {
    TrustVerdict v = eval(allow("[\"sts:AssumeRole\", \"sts:TagSession\"]", null), pod("ml", "trainer"));

    assertThat(v.verdict()).isEqualTo(Verdict.ALLOWED);
    assertThat(v.reasons()).containsExactly(TrustReason.Allowed);
    assertThat(v.warnings()).containsExactly(TrustWarning.UnscopedPodIdentityRole);
  }

  @Test
  void shouldDenyWithTagSessionNotAllowedWhenOnlyAssumeRoleIsAllowed() {
    TrustVerdict v = eval(allow("\"sts:AssumeRole\"", null), pod("ml", "trainer"));

    assertThat(v.verdict()).isEqualTo(Verdict.DENIED);
    assertThat(v.reasons()).containsExactly(TrustReason.TagSessionNotAllowed);
    assertThat(v.explanation()).contains("sts:TagSession");
  }

  @Test
  void shouldSayAnIrsaPolicyIsWrittenForIrsa() {
    String irsa = Policies.eksctlStyle("ml", "trainer");

    TrustVerdict v = eval(irsa, pod("ml", "trainer"));

    assertThat(v.verdict()).isEqualTo(Verdict.DENIED);
    assertThat(v.reasons()).containsExactly(TrustReason.IrsaTrustPolicy);
    assertThat(v.explanation()).startsWith("this trust policy is written for IRSA (")
        .contains("Pod Identity needs Service pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession");
  }

  @Test
  void shouldMatchNamespaceAndServiceAccountTags() {
    String policy = allow("[\"sts:AssumeRole\", \"sts:TagSession\"]",
        "{\"StringEquals\": {\"aws:RequestTag/kubernetes-namespace\": \"ml\", \"aws:RequestTag/kubernetes-service-account\": \"trainer\"}}");

    assertThat(eval(policy, pod("ml", "trainer")).verdict()).isEqualTo(Verdict.ALLOWED);
    assertThat(eval(policy, pod("ml", "trainer")).warnings()).isEmpty();
    TrustVerdict other = eval(policy, pod("ml", "notebook"));
    assertThat(other.reasons()).containsExactly(TrustReason.ConditionNotMatched);
    assertThat(other.explanation()).contains("kubernetes-service-account=notebook");
  }

  @Test
  void shouldLeaveAPodNameConditionUndetermined() {
    String policy = allow("[\"sts:AssumeRole\", \"sts:TagSession\"]",
        "{\"StringEquals\": {\"aws:RequestTag/kubernetes-namespace\": \"ml\", \"aws:RequestTag/kubernetes-pod-name\": \"trainer-0\"}}");

    TrustVerdict v = eval(policy, pod("ml", "trainer"));

    assertThat(v.verdict()).isEqualTo(Verdict.UNDETERMINED);
    assertThat(v.explanation()).contains("pod name differs from pod to pod");
  }

  @Test
  void shouldRejectAClusterArnOfAnotherCluster() {
    assertThatThrownBy(() -> new PodIdentityRequest(ROLE, "prod", "arn:aws:eks:us-east-1:111122223333:cluster/dev", "ml", "a"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldNarrowTheDefaultPolicyToExactlyTheRequestedServiceAccounts() {
    String policy = allow("[\"sts:AssumeRole\", \"sts:TagSession\"]", null);
    java.util.List<PodIdentityRequest> wanted = java.util.List.of(pod("ml", "trainer"), pod("ml", "evaluator"), pod("serving", "api"));

    String fixed = TrustPolicyFix.fixPodIdentity(policy, wanted).orElseThrow();

    for (PodIdentityRequest r : wanted) {
      assertThat(eval(fixed, r).verdict()).as("%s under %s", r, fixed).isEqualTo(Verdict.ALLOWED);
      assertThat(eval(fixed, r).warnings()).isEmpty();
    }
    for (PodIdentityRequest other : java.util.List.of(pod("ml", "api"), pod("serving", "trainer"), pod("dev", "trainer"),
        new PodIdentityRequest(ROLE, "staging", "arn:aws:eks:us-east-1:111122223333:cluster/staging", "ml", "trainer"))) {
      assertThat(eval(fixed, other).verdict()).as("%s under %s", other, fixed).isEqualTo(Verdict.DENIED);
    }
    assertThat(TrustPolicyFix.suggestPodIdentity(policy, wanted)).as("suggest is for policies that deny").isEmpty();
  }

  @Test
  void shouldFixAnIrsaPolicyByAddingAPodIdentityStatementAndKeepingTheIrsaOne() {
    String irsa = Policies.eksctlStyle("ml", "trainer");

    String fixed = TrustPolicyFix.suggestPodIdentity(irsa, java.util.List.of(pod("ml", "trainer"))).orElseThrow();

    assertThat(eval(fixed, pod("ml", "trainer")).verdict()).isEqualTo(Verdict.ALLOWED);
    assertThat(TrustPolicyEvaluator.evaluate(fixed, Policies.sa("ml", "trainer")).verdict()).isEqualTo(Verdict.ALLOWED);
  }

  @Test
  void shouldAddTagSessionAndKeepOtherConditionsWhenFixing() {
    String policy = allow("\"sts:AssumeRole\"",
        "{\"StringEquals\": {\"aws:SourceAccount\": \"111122223333\", \"aws:RequestTag/kubernetes-namespace\": \"ml\"}}");

    String fixed = TrustPolicyFix.suggestPodIdentity(policy, java.util.List.of(pod("ml", "trainer"))).orElseThrow();

    assertThat(eval(fixed, pod("ml", "trainer")).verdict()).isEqualTo(Verdict.ALLOWED);
    assertThat(fixed).contains("sts:TagSession").contains("\"aws:SourceAccount\":\"111122223333\"");
  }

  @Test
  void shouldSuggestNothingWhenEveryServiceAccountIsAllowed() {
    String policy = allow("[\"sts:AssumeRole\", \"sts:TagSession\"]",
        "{\"StringEquals\": {\"aws:RequestTag/kubernetes-namespace\": \"ml\", \"aws:RequestTag/kubernetes-service-account\": \"trainer\"}}");

    assertThat(TrustPolicyFix.suggestPodIdentity(policy, java.util.List.of(pod("ml", "trainer")))).isEmpty();
    assertThat(TrustPolicyFix.fixPodIdentity(policy, java.util.List.of(pod("ml", "trainer")))).isPresent();
  }

  @Test
  void shouldKeepSidsUniqueWhenOneStatementBecomesOnePerNamespace() {
    String policy = """
        {"Version": "2012-10-17", "Statement": [{"Sid": "PodIdentity", "Effect": "Allow",
          "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}""";
    java.util.List<PodIdentityRequest> wanted = java.util.List.of(pod("ml", "trainer"), pod("serving", "api"));

    String fixed = TrustPolicyFix.suggestPodIdentity(policy, wanted).orElseThrow();

    assertThat(fixed).contains("\"Sid\":\"PodIdentity\"").contains("\"Sid\":\"PodIdentity2\"");
    assertThat(eval(fixed, pod("serving", "api")).verdict()).isEqualTo(Verdict.ALLOWED);
    assertThat(eval(fixed, pod("serving", "trainer")).verdict()).isEqualTo(Verdict.DENIED);
  }
}
