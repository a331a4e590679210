package dev.mlops.datastore.reconciler.policy;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static dev.mlops.datastore.testing.Resources.ROLE_ARN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.Access;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicy;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The combination rules of AwsIntegrationPolicies, without a server. */
class PolicyEvaluatorTest {
  private static final Map<String, String> TEAM_A = Map.of("team", "a", PolicyGate.NAME_LABEL, NAMESPACE);

  static AwsIntegrationPolicy policy(String name, String spec) {
    return Serialization.unmarshal("""
        apiVersion: datastore.mlops.dev/v1alpha1
        kind: AwsIntegrationPolicy
        metadata: {name: %s}
        spec:
        %s
        """.formatted(name, spec.indent(2)), AwsIntegrationPolicy.class);
  }

  private static AwsIntegration irsa() {
    return Resources.irsaIntegration("fraud-data", Platform.Custom, "reader");
  }

  private static PolicyDecision admit(AwsIntegration ai, Map<String, String> labels, PolicyMode mode, AwsIntegrationPolicy... policies) {
    return PolicyEvaluator.admit(ai, labels, List.of(policies), mode);
  }

  @Test
  void shouldAdmitEverythingWhenNoPolicyExists() {
    assertThat(admit(irsa(), TEAM_A, PolicyMode.CLOSED).admitted()).isTrue();
  }

  @Test
  void shouldRefuseANamespaceNoPolicySelectsInClosedModeAndAdmitItInOpenMode() {
    AwsIntegrationPolicy other = policy("team-b", "namespaceSelector: {matchLabels: {team: b}}");

    PolicyDecision closed = admit(irsa(), TEAM_A, PolicyMode.CLOSED, other);
    PolicyDecision open = admit(irsa(), TEAM_A, PolicyMode.OPEN, other);

    assertThat(closed.admitted()).isFalse();
    assertThat(closed.message()).contains("no AwsIntegrationPolicy selects namespace " + NAMESPACE, "closed");
    assertThat(open.admitted()).isTrue();
  }

  @Test
  void shouldNameThePolicyAndFieldThatRefusedTheRole() {
    AwsIntegrationPolicy teamA = policy("team-a", """
        namespaceSelector: {matchLabels: {team: a}}
        roleArns: ["arn:aws:iam::111122223333:role/team-a-*"]""");

    PolicyDecision d = admit(irsa(), TEAM_A, PolicyMode.CLOSED, teamA);

    assertThat(d.admitted()).isFalse();
    assertThat(d.message()).isEqualTo("AwsIntegrationPolicy team-a: spec.roleArns does not admit " + ROLE_ARN);
  }

  @Test
  void shouldAdmitARoleMatchingAGlob() {
    AwsIntegrationPolicy teamA = policy("team-a", """
        namespaces: [%s]
        roleArns: ["arn:aws:iam::111122223333:role/rime-*"]
        buckets: ["rime-blob-?ntegration"]""".formatted(NAMESPACE));

    PolicyDecision d = admit(irsa(), Map.of(), PolicyMode.CLOSED, teamA);

    assertThat(d.admitted()).isTrue();
    assertThat(d.message()).isEqualTo("admitted by AwsIntegrationPolicy team-a");
  }

  @Test
  void shouldRefuseABucketOutsideTheGlobs() {
    AwsIntegrationPolicy teamA = policy("team-a", "namespaceSelector: {}\nbuckets: [team-a-*]");

    PolicyDecision d = admit(irsa(), TEAM_A, PolicyMode.CLOSED, teamA);

    assertThat(d.message()).isEqualTo("AwsIntegrationPolicy team-a: spec.buckets does not admit bucket rime-blob-integration");
  }

  @Test
  void shouldRefuseAccessKeysUnlessAPolicyListsThem() {
    AwsIntegration keys = Resources.accessKeyIntegration("keys", Platform.Custom);
    AwsIntegrationPolicy roleOnly = policy("roles", "namespaceSelector: {}");
    AwsIntegrationPolicy withKeys = policy("keys", "namespaceSelector: {}\nauthModes: [accessKey]");

    PolicyDecision refused = admit(keys, TEAM_A, PolicyMode.CLOSED, roleOnly);

    assertThat(refused.message()).contains("AwsIntegrationPolicy roles: spec.authModes does not admit accessKey",
        "irsa and podIdentity only", "access-key Secrets are not allowed");
    assertThat(admit(keys, TEAM_A, PolicyMode.CLOSED, roleOnly, withKeys).admitted()).isTrue();
  }

  @Test
  void shouldRefuseAnIrsaIntegrationWhenOnlyAccessKeysAreListed() {
    AwsIntegrationPolicy keys = policy("keys", "namespaceSelector: {}\nauthModes: [accessKey]");

    assertThat(admit(irsa(), TEAM_A, PolicyMode.CLOSED, keys).message())
        .isEqualTo("AwsIntegrationPolicy keys: spec.authModes does not admit irsa");
  }

  @Test
  void shouldRefuseReadWriteUnlessAllowed() {
    AwsIntegration rw = irsa();
    rw.getSpec().setAccess(Access.ReadWrite);

    assertThat(admit(rw, TEAM_A, PolicyMode.CLOSED, policy("ro", "namespaceSelector: {}")).message())
        .startsWith("AwsIntegrationPolicy ro: spec.allowReadWrite is not true");
    assertThat(admit(rw, TEAM_A, PolicyMode.CLOSED, policy("rw", "namespaceSelector: {}\nallowReadWrite: true")).admitted()).isTrue();
  }

  @Test
  void shouldAdmitWhenSomeSelectingPolicyAdmitsOnEveryField() {
    // Neither admits both the role and the bucket alone: fields are not combined across policies.
    AwsIntegrationPolicy roles = policy("roles", "namespaceSelector: {}\nroleArns: [\"" + ROLE_ARN + "\"]\nbuckets: [other]");
    AwsIntegrationPolicy buckets = policy("buckets", "namespaceSelector: {}\nroleArns: []\nbuckets: [rime-*]");

    PolicyDecision split = admit(irsa(), TEAM_A, PolicyMode.CLOSED, roles, buckets);
    PolicyDecision whole = admit(irsa(), TEAM_A, PolicyMode.CLOSED, roles, buckets,
        policy("whole", "namespaceSelector: {}\nroleArns: [\"" + ROLE_ARN + "\"]\nbuckets: [rime-*]"));

    assertThat(split.admitted()).isFalse();
    assertThat(split.message()).isEqualTo("2 AwsIntegrationPolicies select namespace ml and none admits it: "
        + "AwsIntegrationPolicy buckets: spec.roleArns does not admit " + ROLE_ARN
        + " | AwsIntegrationPolicy roles: spec.buckets does not admit bucket rime-blob-integration");
    assertThat(whole.admitted()).isTrue();
    assertThat(whole.message()).isEqualTo("admitted by AwsIntegrationPolicy whole");
  }

  @Test
  void shouldIgnorePoliciesThatDoNotSelectTheNamespace() {
    AwsIntegrationPolicy teamB = policy("team-b", "namespaceSelector: {matchLabels: {team: b}}\nroleArns: [\"*\"]");
    AwsIntegrationPolicy teamA = policy("team-a", "namespaceSelector: {matchLabels: {team: a}}\nroleArns: []");

    assertThat(admit(irsa(), TEAM_A, PolicyMode.CLOSED, teamA, teamB).message())
        .isEqualTo("AwsIntegrationPolicy team-a: spec.roleArns does not admit " + ROLE_ARN);
  }

  @Test
  void shouldCapTheRefusalAtFivePolicies() {
    AwsIntegrationPolicy[] many = new AwsIntegrationPolicy[8];
    for (int i = 0; i < many.length; i++) {
      many[i] = policy("p" + i, "namespaceSelector: {}\nbuckets: [b" + i + "]");
    }

    String message = admit(irsa(), TEAM_A, PolicyMode.CLOSED, many).message();

    assertThat(message).startsWith("8 AwsIntegrationPolicies select namespace ml").contains("p4:").doesNotContain("p5:")
        .endsWith("(and 3 more)");
  }

  @Test
  void shouldMatchSelectorExpressionsAsKubernetesDoes() {
    AwsIntegrationPolicy in = policy("in", "namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [a, b]}]}");
    AwsIntegrationPolicy notIn = policy("notin", "namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [a]}]}");
    AwsIntegrationPolicy exists = policy("exists", "namespaceSelector: {matchExpressions: [{key: team, operator: Exists}]}");
    AwsIntegrationPolicy absent = policy("absent", "namespaceSelector: {matchExpressions: [{key: team, operator: DoesNotExist}]}");
    AwsIntegrationPolicy byName = policy("name", "namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ml}}");

    assertThat(NamespaceSelection.selects(in.getSpec(), NAMESPACE, TEAM_A)).isTrue();
    assertThat(NamespaceSelection.selects(notIn.getSpec(), NAMESPACE, TEAM_A)).isFalse();
    assertThat(NamespaceSelection.selects(notIn.getSpec(), NAMESPACE, Map.of())).isTrue();
    assertThat(NamespaceSelection.selects(exists.getSpec(), NAMESPACE, TEAM_A)).isTrue();
    assertThat(NamespaceSelection.selects(absent.getSpec(), NAMESPACE, TEAM_A)).isFalse();
    assertThat(NamespaceSelection.selects(byName.getSpec(), NAMESPACE, TEAM_A)).isTrue();
  }

  @Test
  void shouldLetAnInvalidPolicyAdmitNothingAndSayWhy() {
    AwsIntegrationPolicy bad = policy("bad", "namespaceSelector: {}\nroleArns: [\"team-a-*\"]");

    PolicyDecision d = admit(irsa(), TEAM_A, PolicyMode.OPEN, bad);

    assertThat(d.admitted()).isFalse();
    assertThat(d.message()).contains("AwsIntegrationPolicy bad: the policy is invalid",
        "'team-a-*' can match no role ARN");
  }

  @Test
  void shouldFindTheProblemsTheSchemaCannotSee() {
    assertThat(PolicyEvaluator.problems(policy("p", "roleArns: [\"*\"]").getSpec())).singleElement()
        .asString().contains("selects no namespace");
    assertThat(PolicyEvaluator.problems(policy("p", "namespaces: [a]\nroleArns: [\"ar*\", \"*-x\", \"arn:aws:iam::1:role/x\"]").getSpec()))
        .isEmpty();
    assertThat(PolicyEvaluator.problems(policy("p", "namespaces: [a]\nbuckets: [Team_A]").getSpec())).singleElement()
        .asString().contains("can match no bucket name");
    assertThat(PolicyEvaluator.problems(policy("p",
        "namespaceSelector: {matchExpressions: [{key: team, operator: Equals, values: [a]}]}").getSpec())).singleElement()
        .asString().contains("is not In, NotIn, Exists or DoesNotExist");
    assertThat(PolicyEvaluator.problems(policy("p",
        "namespaceSelector: {matchExpressions: [{key: team, operator: In}]}").getSpec())).singleElement()
        .asString().contains("needs values");
  }

  @Test
  void shouldSummariseWhatAPolicyAdmits() {
    AwsIntegrationPolicy p = policy("team-a", """
        namespaceSelector: {matchLabels: {team: a}}
        namespaces: [team-a-dev]
        roleArns: ["arn:aws:iam::111122223333:role/team-a-*"]
        authModes: [irsa]""");

    assertThat(PolicyEvaluator.summary(p.getSpec())).isEqualTo("covers namespaces labelled team=a and namespaces team-a-dev; "
        + "admits roles arn:aws:iam::111122223333:role/team-a-*, any bucket, auth modes irsa, ReadOnly only");
  }

  @Test
  void shouldCapAHostileRoleArnInTheMessage() {
    AwsIntegration ai = irsa();
    ai.getSpec().getAuth().getIrsa().setRoleArn("arn:aws:iam::111122223333:role/" + "x".repeat(2000) + "\n");

    String message = admit(ai, TEAM_A, PolicyMode.CLOSED, policy("p", "namespaceSelector: {}\nroleArns: []")).message();

    assertThat(message.length()).isLessThan(400);
    assertThat(message).doesNotContain("\n");
  }

  @Test
  void shouldJudgeAPodIdentityIntegrationByItsModeAndRole() {
    AwsIntegration pod = irsa();
    dev.mlops.datastore.api.v1alpha1.PodIdentityAuth podIdentity = new dev.mlops.datastore.api.v1alpha1.PodIdentityAuth();
    podIdentity.setRoleArn("arn:aws:iam::111122223333:role/team-a-pods");
    pod.getSpec().getAuth().setIrsa(null);
    pod.getSpec().getAuth().setPodIdentity(podIdentity);
    AwsIntegrationPolicy irsaOnly = policy("irsa-only", """
        namespaceSelector: {matchLabels: {team: a}}
        authModes: [irsa]""");
    AwsIntegrationPolicy teamA = policy("team-a", """
        namespaceSelector: {matchLabels: {team: a}}
        roleArns: ["arn:aws:iam::111122223333:role/team-a-*"]
        authModes: [podIdentity]""");
    AwsIntegrationPolicy otherRoles = policy("other-roles", """
        namespaceSelector: {matchLabels: {team: a}}
        roleArns: ["arn:aws:iam::111122223333:role/team-b-*"]
        authModes: [podIdentity]""");

    assertThat(admit(pod, TEAM_A, PolicyMode.CLOSED, irsaOnly).message()).contains("irsa-only", "spec.authModes", "podIdentity");
    assertThat(admit(pod, TEAM_A, PolicyMode.CLOSED, otherRoles).message())
        .contains("spec.roleArns does not admit arn:aws:iam::111122223333:role/team-a-pods");
    assertThat(admit(pod, TEAM_A, PolicyMode.CLOSED, teamA).admitted()).isTrue();
  }
}
