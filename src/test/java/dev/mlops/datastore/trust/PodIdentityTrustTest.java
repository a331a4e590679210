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
}
