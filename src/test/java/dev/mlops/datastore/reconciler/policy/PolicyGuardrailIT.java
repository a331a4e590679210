package dev.mlops.datastore.reconciler.policy;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static dev.mlops.datastore.testing.Resources.ROLE_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.OperatorMain;
import dev.mlops.datastore.api.v1alpha1.Access;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicy;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.reconciler.awsintegration.IrsaAnnotations;
import dev.mlops.datastore.reconciler.dataset.DatasetStatusFactory;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import dev.mlops.datastore.testing.StatusAwait;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guardrail end to end: the real operator against the mock API server and the sandbox's IAM,
 * STS and S3, every call counted at those servers. A refused integration costs no AWS call, no
 * Secret read and no annotation write; a policy change releases or re-admits it.
 */
class PolicyGuardrailIT {
  private static final String TEAM_A_ROLES = "arn:aws:iam::111122223333:role/team-a-*";
  private static final String FOREIGN = "example.com/owner";

  private MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    namespace(Map.of("team", "a"));
    Resources.knownRole(cluster);
    cluster.client().resource(Resources.serviceAccount("reader", Map.of(FOREIGN, "platform-team"))).create();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void shouldRefuseAForbiddenRoleWithNoAwsCallAndNoAnnotationWrite() {
    policy("team-a", "namespaceSelector: {matchLabels: {team: a}}\nroleArns: [\"" + TEAM_A_ROLES + "\"]");
    startOperator(Map.of());

    Condition refused = createAndAwaitRefused(Resources.irsaIntegration("fraud-data", Platform.Custom, "reader"));

    assertThat(refused.getMessage()).isEqualTo("AwsIntegrationPolicy team-a: spec.roleArns does not admit " + ROLE_ARN);
    assertNothingAskedOfAwsOrWritten();
    assertThat(cluster.aws().iamActions()).as("the operator's own IAM reads (GetRole...) for a refused role").isEmpty();
  }

  @Test
  void shouldRefuseAForbiddenBucketWithNoAwsCallAlsoWhenWatchingSomeNamespaces() {
    policy("team-a", "namespaceSelector: {matchLabels: {team: a}}\nbuckets: [team-a-*]");
    // Policies and namespaces are cluster-scoped: watched cluster-wide also in namespaced mode.
    startOperator(Map.of(OperatorConfig.WATCH_NAMESPACES, NAMESPACE));

    Condition refused = createAndAwaitRefused(Resources.irsaIntegration("fraud-data", Platform.Custom, "reader"));

    assertThat(refused.getMessage()).isEqualTo("AwsIntegrationPolicy team-a: spec.buckets does not admit bucket rime-blob-integration");
    assertNothingAskedOfAwsOrWritten();
  }

  @Test
  void shouldRefuseAccessKeysWithoutReadingTheSecret() {
    policy("team-a", "namespaceSelector: {matchLabels: {team: a}}");
    cluster.client().resource(new SecretBuilder().withNewMetadata().withName("aws-creds").withNamespace(NAMESPACE).endMetadata()
        .withStringData(Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE000000000", "AWS_SECRET_ACCESS_KEY", "not-read")).build()).create();
    startOperator(Map.of());

    Condition refused = createAndAwaitRefused(Resources.accessKeyIntegration("keys", Platform.Custom));

    assertThat(refused.getMessage()).contains("spec.authModes does not admit accessKey", "access-key Secrets are not allowed");
    assertNothingAskedOfAwsOrWritten();
    assertThat(cluster.dispatcher().requests()).as("the operator's Secret reads")
        .noneMatch(r -> OperatorMain.FIELD_MANAGER.equals(r.fieldManager()) && r.pathWithoutQuery().contains("/secrets"));
  }

  @Test
  void shouldRefuseTheReadWriteProbeUnlessAllowed() {
    policy("team-a", "namespaceSelector: {matchLabels: {team: a}}");
    startOperator(Map.of());
    AwsIntegration rw = Resources.irsaIntegration("fraud-data", Platform.Custom, "reader");
    rw.getSpec().setAccess(Access.ReadWrite);

    Condition refused = createAndAwaitRefused(rw);

    assertThat(refused.getMessage()).startsWith("AwsIntegrationPolicy team-a: spec.allowReadWrite is not true");
    assertNothingAskedOfAwsOrWritten();
  }

  @Test
  void shouldRefuseANamespaceNoPolicySelectsAndAdmitItOnceRelabelled() {
    policy("team-b", "namespaceSelector: {matchLabels: {team: b}}");
    startOperator(Map.of());

    Condition refused = createAndAwaitRefused(Resources.irsaIntegration("fraud-data", Platform.Custom, "reader"));
    assertThat(refused.getMessage()).startsWith("no AwsIntegrationPolicy selects namespace ml (1 exist)");
    assertNothingAskedOfAwsOrWritten();

    namespace(Map.of("team", "b"));

    awaitReady("fraud-data");
    assertThat(annotations()).containsEntry(IrsaAnnotations.ROLE_ARN, ROLE_ARN);
  }

  @Test
  void shouldAdmitEverythingWhenNoPolicyExists() {
    startOperator(Map.of());

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "reader")).create();

    awaitReady("fraud-data");
    assertThat(cluster.aws().iamActions()).contains("GetRole");
  }

  @Test
  void shouldAdmitANamespaceNoPolicySelectsInOpenMode() {
    policy("team-b", "namespaceSelector: {matchLabels: {team: b}}\nroleArns: []");
    startOperator(Map.of(OperatorConfig.POLICY_MODE, "open"));

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "reader")).create();

    awaitReady("fraud-data");
  }

  @Test
  void shouldReleaseOnlyItsAnnotationsWhenAPolicyArrivesAndReadmitWhenItChanges() {
    startOperator(Map.of());
    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "reader")).create();
    cluster.client().resource(Resources.dataset("fraud-ref", "fraud-data")).create();
    awaitReady("fraud-data");
    StatusAwait.awaitCondition(cluster.client(), Dataset.class, NAMESPACE, "fraud-ref", Conditions.READY, "True");
    assertThat(annotations()).containsEntry(IrsaAnnotations.ROLE_ARN, ROLE_ARN).containsKey(IrsaAnnotations.OWNER);

    policy("team-a", "namespaceSelector: {matchLabels: {team: a}}\nroleArns: [\"" + TEAM_A_ROLES + "\"]");

    Condition refused = StatusAwait.awaitCondition(cluster.client(), AwsIntegration.class, NAMESPACE, "fraud-data", Conditions.STALLED,
        c -> PolicyGate.NOT_PERMITTED.equals(c.getReason()));
    assertThat(refused.getMessage()).contains("spec.roleArns does not admit " + ROLE_ARN);
    await().atMost(StatusAwait.WAIT).untilAsserted(() -> assertThat(annotations())
        .doesNotContainKeys(IrsaAnnotations.ROLE_ARN, IrsaAnnotations.OWNER, IrsaAnnotations.WRITTEN)
        .containsEntry(FOREIGN, "platform-team"));
    AwsIntegration shown = StatusAwait.get(cluster.client(), AwsIntegration.class, NAMESPACE, "fraud-data");
    assertThat(shown.getStatus().getServiceAccounts()).as("no row of a check the policy no longer admits").isNull();
    StatusAwait.awaitCondition(cluster.client(), Dataset.class, NAMESPACE, "fraud-ref", DatasetStatusFactory.INTEGRATION_READY,
        c -> DatasetStatusFactory.INTEGRATION_NOT_READY.equals(c.getReason()));

    cluster.aws().iamSts().clearCalls();
    policy("team-a", "namespaceSelector: {matchLabels: {team: a}}\nroleArns: [\"" + TEAM_A_ROLES + "\", \"" + ROLE_ARN + "\"]");

    awaitReady("fraud-data");
    assertThat(annotations()).containsEntry(IrsaAnnotations.ROLE_ARN, ROLE_ARN).containsEntry(FOREIGN, "platform-team");
    assertThat(cluster.aws().iamActions()).as("re-admitted: checked again").contains("GetRole");
  }

  @Test
  void shouldAdmitAgainWhenTheLastPolicyIsDeletedAndCountAnInvalidOneAsExisting() {
    policy("typo", "namespaces: [ml]\nroleArns: [\"team-a-*\"]");
    startOperator(Map.of());

    Condition refused = createAndAwaitRefused(Resources.irsaIntegration("fraud-data", Platform.Custom, "reader"));
    assertThat(refused.getMessage()).contains("AwsIntegrationPolicy typo: the policy is invalid", "admits nothing");
    assertNothingAskedOfAwsOrWritten();

    cluster.client().resources(AwsIntegrationPolicy.class).withName("typo").delete();

    awaitReady("fraud-data");
    assertThat(annotations()).containsEntry(IrsaAnnotations.ROLE_ARN, ROLE_ARN);
  }

  @Test
  void shouldReportWhetherAPolicyIsValid() {
    policy("team-a", "namespaceSelector: {matchLabels: {team: a}}\nroleArns: [\"" + TEAM_A_ROLES + "\"]");
    policy("typo", "namespaces: [ml]\nroleArns: [\"team-a-*\"]");
    startOperator(Map.of());

    await().atMost(StatusAwait.WAIT).untilAsserted(() -> {
      assertThat(policyReady("team-a")).satisfies(c -> {
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo(AwsIntegrationPolicyReconciler.VALID);
        assertThat(c.getMessage()).startsWith("covers namespaces labelled team=a; admits roles " + TEAM_A_ROLES);
      });
      assertThat(policyReady("typo")).satisfies(c -> {
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo(AwsIntegrationPolicyReconciler.INVALID_POLICY);
        assertThat(c.getMessage()).contains("spec.roleArns[0] 'team-a-*' can match no role ARN");
      });
    });
  }

  private void startOperator(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.put(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER);
    cluster.startOperator(Clock.systemUTC(), all);
  }

  private void namespace(Map<String, String> labels) {
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).withLabels(labels)
        .endMetadata().build()).createOr(existing -> existing.update());
  }

  private void policy(String name, String spec) {
    AwsIntegrationPolicy policy = PolicyEvaluatorTest.policy(name, spec);
    cluster.client().resource(policy).createOr(existing -> existing.update());
  }

  private Condition createAndAwaitRefused(AwsIntegration ai) {
    cluster.client().resource(ai).create();
    Condition stalled = StatusAwait.awaitCondition(cluster.client(), AwsIntegration.class, NAMESPACE, ai.getMetadata().getName(),
        Conditions.STALLED, "True");
    assertThat(stalled.getReason()).isEqualTo(PolicyGate.NOT_PERMITTED);
    Condition ready = StatusAwait.condition(cluster.client(), AwsIntegration.class, NAMESPACE, ai.getMetadata().getName(), Conditions.READY)
        .orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo(PolicyGate.NOT_PERMITTED);
    return stalled;
  }

  private void awaitReady(String name) {
    StatusAwait.awaitCondition(cluster.client(), AwsIntegration.class, NAMESPACE, name, Conditions.READY, "True");
  }

  /** Counted at the servers: IAM and STS at the emulator, S3 at its front, service account writes at the API server. */
  private void assertNothingAskedOfAwsOrWritten() {
    assertThat(cluster.aws().iamSts().calls()).as("IAM and STS calls").isEmpty();
    assertThat(cluster.aws().s3().calls()).as("S3 calls").isEmpty();
    assertThat(cluster.dispatcher().requests())
        .as("the operator's service account writes")
        .noneMatch(r -> OperatorMain.FIELD_MANAGER.equals(r.fieldManager()) && r.pathWithoutQuery().contains("/serviceaccounts")
            && !r.method().equals("GET"));
    assertThat(annotations()).containsOnlyKeys(FOREIGN);
  }

  private Map<String, String> annotations() {
    ServiceAccount sa = cluster.client().serviceAccounts().inNamespace(NAMESPACE).withName("reader").get();
    return sa.getMetadata().getAnnotations() == null ? Map.of() : sa.getMetadata().getAnnotations();
  }

  private Condition policyReady(String name) {
    AwsIntegrationPolicy p = cluster.client().resources(AwsIntegrationPolicy.class).withName(name).get();
    List<Condition> conditions = p == null || p.getStatus() == null ? null : p.getStatus().getConditions();
    return Conditions.find(conditions, Conditions.READY).orElse(null);
  }
}
