package dev.mlops.datastore.sandbox.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.sandbox.aws.StsTrustMatcher.Decision;
import dev.mlops.datastore.sandbox.aws.StsTrustMatcher.WebIdentity;
import org.junit.jupiter.api.Test;

/** The sandbox STS's own reading of trust policies, one IAM behaviour per test. */
class StsTrustMatcherTest {
  private static final String ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  private static final String PROVIDER = "arn:aws:iam::111122223333:oidc-provider/" + ISSUER;

  private static Decision decide(String policy, String namespace, String name, String audience) {
    return StsTrustMatcher.decide(policy, new WebIdentity(PROVIDER, ISSUER, "system:serviceaccount:" + namespace + ":" + name, audience));
  }

  private static Decision decide(String policy, String namespace, String name) {
    return decide(policy, namespace, name, "sts.amazonaws.com");
  }

  private static String policy(String statements) {
    return "{\"Version\": \"2012-10-17\", \"Statement\": [" + statements.replace("PROVIDER", PROVIDER).replace("ISSUER", ISSUER) + "]}";
  }

  private static String allow(String condition) {
    return "{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"PROVIDER\"}, \"Action\": \"sts:AssumeRoleWithWebIdentity\""
        + (condition.isEmpty() ? "" : ", \"Condition\": " + condition) + "}";
  }

  @Test
  void shouldAllowTheListedSubjectsOnly() {
    String p = policy(allow("{\"StringEquals\": {\"ISSUER:sub\": [\"system:serviceaccount:rime:a\", \"system:serviceaccount:rime:b\"]}}"));
    assertThat(decide(p, "rime", "b").allowed()).isTrue();
    assertThat(decide(p, "rime", "c")).isEqualTo(new Decision(false, true, "no statement allows this provider, subject and audience"));
  }

  @Test
  void shouldKeepTheLastOfDuplicateKeysAsAJsonParserDoes() {
    String p = policy(allow("{\"StringEquals\": {\"ISSUER:sub\": \"system:serviceaccount:dr:first\", \"ISSUER:sub\": \"system:serviceaccount:dr:last\","
        + " \"ISSUER:aud\": \"sts.amazonaws.com\"}}"));
    assertThat(decide(p, "dr", "first").allowed()).isFalse();
    assertThat(decide(p, "dr", "last").allowed()).isTrue();
  }

  @Test
  void shouldMatchStringLikeGlobsAndTheAudience() {
    String p = policy(allow("{\"StringEquals\": {\"ISSUER:aud\": \"sts.amazonaws.com\"}, \"StringLike\": {\"ISSUER:sub\": \"system:serviceaccount:team:*\"}}"));
    assertThat(decide(p, "team", "anything").allowed()).isTrue();
    assertThat(decide(p, "other", "anything").allowed()).isFalse();
    assertThat(decide(p, "team", "anything", "another-audience").allowed()).isFalse();
  }

  @Test
  void shouldTreatStarAsLiteralUnderStringEquals() {
    String p = policy(allow("{\"StringEquals\": {\"ISSUER:sub\": \"system:serviceaccount:team:*\"}}"));
    assertThat(decide(p, "team", "app").allowed()).isFalse();
  }

  @Test
  void shouldMatchForAnyValueStringLike() {
    String p = policy(allow("{\"ForAnyValue:StringLike\": {\"ISSUER:sub\": [\"system:serviceaccount:x:*\", \"system:serviceaccount:team:app-?\"]}}"));
    assertThat(decide(p, "team", "app-1").allowed()).isTrue();
    assertThat(decide(p, "team", "app-10").allowed()).isFalse();
  }

  @Test
  void shouldHonourNegatedOperators() {
    String p = policy(allow("{\"StringLike\": {\"ISSUER:sub\": \"system:serviceaccount:team:*\"}, \"StringNotEquals\": {\"ISSUER:sub\": \"system:serviceaccount:team:admin\"}}"));
    assertThat(decide(p, "team", "app").allowed()).isTrue();
    assertThat(decide(p, "team", "admin").allowed()).isFalse();
    String notLike = policy(allow("{\"StringNotLike\": {\"ISSUER:sub\": \"system:serviceaccount:kube-*\"}}"));
    assertThat(decide(notLike, "kube-system", "x").allowed()).isFalse();
    assertThat(decide(notLike, "team", "x").allowed()).isTrue();
  }

  @Test
  void shouldLetAMatchingDenyWin() {
    String p = policy(allow("") + ", {\"Effect\": \"Deny\", \"Principal\": {\"Federated\": \"PROVIDER\"}, \"Action\": \"sts:*\","
        + " \"Condition\": {\"StringEquals\": {\"ISSUER:sub\": \"system:serviceaccount:team:blocked\"}}}");
    assertThat(decide(p, "team", "app").allowed()).isTrue();
    Decision blocked = decide(p, "team", "blocked");
    assertThat(blocked.allowed()).isFalse();
    assertThat(blocked.why()).isEqualTo("Statement[1] denies explicitly");
  }

  @Test
  void shouldIgnoreStatementsForOtherPrincipalsAndActions() {
    String p = policy("{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"arn:aws:iam::999999999999:oidc-provider/" + ISSUER + "\"},"
        + " \"Action\": \"sts:AssumeRoleWithWebIdentity\"}, {\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"PROVIDER\"}, \"Action\": \"sts:AssumeRole\"},"
        + " {\"Effect\": \"Deny\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\", \"NotResource\": \"x\"}");
    assertThat(decide(p, "team", "app").allowed()).isFalse();
    assertThat(decide(p, "team", "app").understood()).isTrue();
  }

  @Test
  void shouldMatchActionsCaseInsensitivelyWithWildcards() {
    String p = policy("{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": [\"other\", \"PROVIDER\"]}, \"Action\": [\"s3:GetObject\", \"STS:AssumeRoleWith*\"]}");
    assertThat(decide(p, "team", "app").allowed()).isTrue();
  }

  @Test
  void shouldReadConditionKeysCaseInsensitively() {
    String p = policy(allow("{\"StringEquals\": {\"" + ISSUER.toUpperCase() + ":SUB\": \"system:serviceaccount:team:app\"}}"));
    assertThat(decide(p, "team", "app").allowed()).isTrue();
  }

  @Test
  void shouldTreatAnotherIssuersKeyAsAbsent() {
    String other = "oidc.eks.us-east-1.amazonaws.com/id/OTHER";
    assertThat(decide(policy(allow("{\"StringEquals\": {\"" + other + ":sub\": \"system:serviceaccount:team:app\"}}")), "team", "app").allowed()).isFalse();
    assertThat(decide(policy(allow("{\"StringNotEquals\": {\"" + other + ":sub\": \"system:serviceaccount:team:app\"}}")), "team", "app").allowed()).isTrue();
  }

  @Test
  void shouldDenyAndSayWhyWhenItCannotReadAStatementThatApplies() {
    Decision ip = decide(policy(allow("{\"IpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}")), "team", "app");
    assertThat(ip.allowed()).isFalse();
    assertThat(ip.understood()).isFalse();
    assertThat(ip.why()).contains("IpAddress");
    Decision key = decide(policy(allow("{\"StringEquals\": {\"aws:PrincipalTag/team\": \"x\"}}")), "team", "app");
    assertThat(key.why()).contains("aws:PrincipalTag/team");
    Decision star = decide(policy("{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"sts:AssumeRoleWithWebIdentity\"}"), "team", "app");
    assertThat(star.understood()).isFalse();
    assertThat(star.why()).contains("Principal \"*\"");
    Decision notAction = decide(policy("{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"PROVIDER\"}, \"NotAction\": \"s3:*\"}"), "team", "app");
    assertThat(notAction.why()).contains("NotAction");
    assertThat(decide("{not json", "team", "app").understood()).isFalse();
  }

  private static final String CLUSTER_ARN = "arn:aws:eks:us-east-1:111122223333:cluster/prod";
  private static final java.util.Map<String, String> TAGS = java.util.Map.of("eks-cluster-arn", CLUSTER_ARN, "eks-cluster-name", "prod",
      "kubernetes-namespace", "team", "kubernetes-service-account", "app");

  private static Decision pod(String policy, java.util.Map<String, String> tags) {
    return StsTrustMatcher.decidePodIdentity(policy, tags, "111122223333", CLUSTER_ARN);
  }

  private static String pods(String actions, String condition) {
    return policy("{\"Effect\": \"Allow\", \"Principal\": {\"Service\": [\"ec2.amazonaws.com\", \"pods.eks.amazonaws.com\"]}, \"Action\": " + actions
        + (condition.isEmpty() ? "" : ", \"Condition\": " + condition) + "}");
  }

  @Test
  void shouldAllowPodIdentityOnlyWithBothAssumeRoleAndTagSessionWhenTagsArePassed() {
    assertThat(pod(pods("[\"sts:AssumeRole\", \"sts:TagSession\"]", ""), TAGS).allowed()).isTrue();
    assertThat(pod(pods("\"sts:*\"", ""), TAGS).allowed()).isTrue();
    Decision noTag = pod(pods("\"sts:AssumeRole\"", ""), TAGS);
    assertThat(noTag.allowed()).isFalse();
    assertThat(noTag.understood()).isTrue();
    assertThat(noTag.why()).startsWith("sts:TagSession");
    assertThat(pod(pods("\"sts:AssumeRole\"", ""), java.util.Map.of()).allowed()).isTrue();
    assertThat(pod(pods("\"sts:AssumeRoleWithWebIdentity\"", ""), java.util.Map.of()).allowed()).isFalse();
  }

  @Test
  void shouldMatchRequestTagsSourceAccountAndSourceArn() {
    String p = pods("[\"sts:AssumeRole\", \"sts:TagSession\"]", "{\"StringEquals\": {\"aws:RequestTag/Kubernetes-Namespace\": \"team\","
        + " \"aws:SourceAccount\": \"111122223333\"}, \"ArnLike\": {\"aws:SourceArn\": \"arn:aws:eks:*:111122223333:cluster/*\"}}");
    assertThat(pod(p, TAGS).allowed()).isTrue();
    java.util.Map<String, String> other = new java.util.HashMap<>(TAGS);
    other.put("kubernetes-namespace", "other");
    assertThat(pod(p, other).allowed()).isFalse();
    assertThat(StsTrustMatcher.decidePodIdentity(p, TAGS, "999999999999", CLUSTER_ARN).allowed()).isFalse();
    Decision untagged = pod(p, java.util.Map.of());
    assertThat(untagged.allowed()).isFalse();
    assertThat(untagged.understood()).isTrue();
    String ifExists = pods("\"sts:AssumeRole\"", "{\"StringEqualsIfExists\": {\"aws:RequestTag/kubernetes-namespace\": \"team\"}}");
    assertThat(pod(ifExists, java.util.Map.of()).allowed()).isTrue();
  }

  @Test
  void shouldLetADenyOfPodsWinAndIgnoreStatementsOfOtherPrincipals() {
    String p = policy("{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"pods.eks.amazonaws.com\"}, \"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"]},"
        + " {\"Effect\": \"Deny\", \"Principal\": {\"Service\": \"pods.eks.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\","
        + " \"Condition\": {\"StringEquals\": {\"aws:RequestTag/kubernetes-namespace\": \"kube-system\"}}},"
        + " {\"Effect\": \"Deny\", \"Principal\": {\"Federated\": \"PROVIDER\"}, \"Action\": \"sts:*\"}");
    assertThat(pod(p, TAGS).allowed()).isTrue();
    java.util.Map<String, String> system = new java.util.HashMap<>(TAGS);
    system.put("kubernetes-namespace", "kube-system");
    assertThat(pod(p, system).why()).contains("denies explicitly");
    assertThat(pod(policy(allow("")), TAGS).allowed()).isFalse();
  }

  @Test
  void shouldChainFromARoleNamedByArnOrAccountWithTheExternalId() {
    String first = "arn:aws:iam::111122223333:role/pod-reader";
    String byArn = policy("{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"" + first + "\"}, \"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"],"
        + " \"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"ext-1\"}}}");
    assertThat(StsTrustMatcher.decideRoleChain(byArn, first, TAGS, "ext-1").allowed()).isTrue();
    assertThat(StsTrustMatcher.decideRoleChain(byArn, first, TAGS, "ext-2").allowed()).isFalse();
    assertThat(StsTrustMatcher.decideRoleChain(byArn, "arn:aws:iam::111122223333:role/other", TAGS, "ext-1").allowed()).isFalse();
    String byAccount = policy("{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"sts:AssumeRole\"}");
    assertThat(StsTrustMatcher.decideRoleChain(byAccount, first, java.util.Map.of(), "ext-1").allowed()).isTrue();
    assertThat(StsTrustMatcher.decideRoleChain(byAccount, first, TAGS, "ext-1").why()).startsWith("sts:TagSession");
  }
}
