package dev.mlops.datastore.reconciler.awsintegration;

import static dev.mlops.datastore.testing.ConditionAssert.assertThatConditions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationStatus;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.aws.CallerIdentity;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.reconciler.Failure;
import dev.mlops.datastore.reconciler.awsintegration.AnnotationPlanner.Outcome;
import dev.mlops.datastore.testing.GoldenFiles;
import dev.mlops.datastore.testing.Resources;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each status the factory builds, as a person would read it, pinned in a golden YAML file. */
class AwsIntegrationStatusFactoryTest {
  private static final Clock T0 = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
  private static final Clock T1 = Clock.fixed(Instant.parse("2026-11-22T10:05:00Z"), ZoneOffset.UTC);

  @Test
  void shouldBeReadyWhenEveryLinkHolds() {
    AwsIntegrationStatus status = new AwsIntegrationStatusFactory(T0).build(integration(1), StatusFixtures.rows(Outcome.ANNOTATED), true,
        StatusFixtures.trustAllowed(), StatusFixtures.liveOk(T0));
    assertThatConditions(status.getConditions()).has("Ready", "True", "Ready").lacks("Reconciling").lacks("Stalled").allObserved(1);
    GoldenFiles.assertMatches("awsintegration/ready", status);
  }

  @Test
  void shouldNameTheFirstBrokenLinkAndStallWhenOnlyAPersonCanHelp() {
    AwsIntegrationStatus status = new AwsIntegrationStatusFactory(T0).build(integration(1), StatusFixtures.rows(Outcome.CONFLICT), true,
        StatusFixtures.trustAllowed(), StatusFixtures.liveOk(T0));
    assertThatConditions(status.getConditions()).has("Ready", "False", "AnnotationConflict").has("Stalled", "True", "AnnotationConflict");
    GoldenFiles.assertMatches("awsintegration/annotation-conflict", status);
  }

  @Test
  void shouldTellAWrongSecretFromAPermissionProblem() {
    LiveChecker.Outcome wrongKey = new LiveChecker.Outcome("False", "InvalidAccessKey",
        "STS does not accept the access key of Secret aws-creds (SignatureDoesNotMatch); check the key pair, or whether it was deactivated",
        null, Map.of(), "Unknown", "CredentialsUnavailable", "no credentials were proven, so the bucket was not probed", null, T0.instant());
    AwsIntegrationStatus status = new AwsIntegrationStatusFactory(T0).build(accessKeyIntegration(), List.of(), false, null, wrongKey);
    assertThatConditions(status.getConditions()).has("Ready", "False", "InvalidAccessKey").has("BucketReachable", "Unknown", "CredentialsUnavailable");
    GoldenFiles.assertMatches("awsintegration/wrong-secret", status);
  }

  @Test
  void shouldKeepWhatWasLastKnownWhileRetryingATransientFailure() {
    AwsIntegration ai = integration(1);
    ai.setStatus(new AwsIntegrationStatusFactory(T0).build(ai, StatusFixtures.rows(Outcome.ANNOTATED), true, StatusFixtures.trustAllowed(),
        StatusFixtures.liveOk(T0)));
    AwsIntegrationStatus status = new AwsIntegrationStatusFactory(T1).failed(ai,
        new Failure.Transient(Failure.AWS_THROTTLED, "sts:AssumeRoleWithWebIdentity failed: Throttling: Rate exceeded (HTTP 400); retrying"));
    assertThatConditions(status.getConditions()).has("Reconciling", "True", "AwsThrottled").has("Ready", "True", "Ready")
        .withMessageContaining("Reconciling", "sts:AssumeRoleWithWebIdentity");
    assertThat(status.getLastCheckTime()).isEqualTo("2026-11-22T10:00:00Z");
    GoldenFiles.assertMatches("awsintegration/retrying-after-ready", status);
  }

  @Test
  void shouldNameStalePodsWithTheirOwnersAndTheCommandsThatFixThem() {
    AwsIntegration ai = integration(1);
    AwsIntegrationStatusFactory factory = new AwsIntegrationStatusFactory(T0);
    AwsIntegrationStatus status = factory.build(ai, StatusFixtures.rows(Outcome.ANNOTATED), true, StatusFixtures.trustAllowed(),
        StatusFixtures.liveOk(T0));
    var pods = new StalePodFinder.Report(List.of(new StalePodFinder.Row("a", Resources.ROLE_ARN, List.of(
        new StalePodFinder.StalePod("batch-x1", "Job/batch", null),
        new StalePodFinder.StalePod("notebook", null, "arn:aws:iam::111122223333:role/old"),
        new StalePodFinder.StalePod("web-7d9f8-aaaaa", "Deployment/web", null)))));
    var restarted = new dev.mlops.datastore.api.v1alpha1.WorkloadRestart();
    restarted.setWorkload("Deployment/web");
    restarted.setRoleArn(Resources.ROLE_ARN);
    restarted.setRestartedAt("2026-11-22T10:00:00Z");

    factory.withPods(ai, status, pods, List.of(restarted));

    assertThatConditions(status.getConditions()).has("PodsCurrent", "False", "PodsPredateRole").has("Ready", "True", "Ready")
        .withMessageContaining("PodsCurrent", "kubectl delete pod -n ml notebook");
    assertThat(status.getServiceAccounts().get(0).getStalePods().getCount()).isEqualTo(3);
    GoldenFiles.assertMatches("awsintegration/pods-predate-role", status);
  }

  @Test
  void shouldKeepWhenPodsBecameStaleAcrossChecks() {
    AwsIntegration ai = integration(1);
    var pods = new StalePodFinder.Report(List.of(new StalePodFinder.Row("a", Resources.ROLE_ARN,
        List.of(new StalePodFinder.StalePod("notebook", null, null)))));
    AwsIntegrationStatusFactory first = new AwsIntegrationStatusFactory(T0);
    ai.setStatus(first.withPods(ai, first.build(ai, StatusFixtures.rows(Outcome.ANNOTATED), true, StatusFixtures.trustAllowed(),
        StatusFixtures.liveOk(T0)), pods, List.of()));

    AwsIntegrationStatusFactory later = new AwsIntegrationStatusFactory(T1);
    AwsIntegrationStatus next = later.withPods(ai, later.build(ai, StatusFixtures.rows(Outcome.ANNOTATED), true,
        StatusFixtures.trustAllowed(), StatusFixtures.liveOk(T1)), pods, List.of());

    assertThat(Conditions.find(next.getConditions(), "PodsCurrent").orElseThrow().getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");
  }

  @Test
  void shouldBeUnknownWhileAFirstCheckRetries() {
    AwsIntegrationStatus status = new AwsIntegrationStatusFactory(T0).failed(integration(1),
        new Failure.Transient(Failure.AWS_UNAVAILABLE, "iam:GetRole failed: ServiceUnavailable (HTTP 503); retrying"));
    assertThatConditions(status.getConditions()).has("Reconciling", "True", "AwsUnavailable").has("Ready", "Unknown", "AwsUnavailable");
    assertThat(status.getObservedGeneration()).as("a new generation still reads as in progress").isNull();
    GoldenFiles.assertMatches("awsintegration/retrying-first-check", status);
  }

  @Test
  void shouldStallOnASpecThatNeedsAChangeAndRecordItsGeneration() {
    AwsIntegration ai = integration(1);
    ai.setStatus(new AwsIntegrationStatusFactory(T0).failed(ai, new Failure.Transient(Failure.AWS_UNAVAILABLE, "x; retrying")));
    ai.getMetadata().setGeneration(2L);
    AwsIntegrationStatus status = new AwsIntegrationStatusFactory(T1).failed(ai,
        Failure.NeedsSpecChange.field("spec.auth", "both accessKey and irsa are set; keep exactly one"));
    assertThatConditions(status.getConditions()).has("Stalled", "True", "InvalidSpec").has("Ready", "False", "InvalidSpec").lacks("Reconciling");
    assertThat(status.getObservedGeneration()).isEqualTo(2L);
    GoldenFiles.assertMatches("awsintegration/invalid-spec", status);
  }

  @Test
  void shouldReportAnInternalErrorAsUnknown() {
    AwsIntegrationStatus status = new AwsIntegrationStatusFactory(T0).failed(integration(1),
        Failure.classify(new NullPointerException(), "checking the trust policy"));
    assertThatConditions(status.getConditions()).has("Ready", "Unknown", "InternalError").withMessageContaining("Ready", "checking the trust policy");
    GoldenFiles.assertMatches("awsintegration/internal-error", status);
  }

  @Test
  void shouldShowASuspendedIntegration() {
    AwsIntegrationStatus status = new AwsIntegrationStatusFactory(T0).suspended(integration(1));
    assertThatConditions(status.getConditions()).has("Ready", "False", "Suspended");
    GoldenFiles.assertMatches("awsintegration/suspended", status);
  }

  @Test
  void shouldKeepTheTransitionTimeOfAConditionWhoseStatusDidNotChange() {
    AwsIntegration ai = integration(1);
    ai.setStatus(new AwsIntegrationStatusFactory(T0).build(ai, StatusFixtures.rows(Outcome.ANNOTATED), true, StatusFixtures.trustAllowed(),
        StatusFixtures.liveOk(T0)));
    LiveChecker.Outcome later = new LiveChecker.Outcome("True", "CredentialsVerified", "1 of 1 service accounts assumed the role",
        new CallerIdentity("arn:aws:sts::111122223333:assumed-role/r/s", "111122223333"), Map.of(), "True", "BucketReachable", "allowed", null,
        T1.instant());
    AwsIntegrationStatus status = new AwsIntegrationStatusFactory(T1).build(ai, StatusFixtures.rows(Outcome.ANNOTATED), true,
        StatusFixtures.trustAllowed(), later);
    assertThat(Conditions.find(status.getConditions(), "Ready").orElseThrow().getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");
    assertThat(status.getLastCheckTime()).isEqualTo("2026-11-22T10:05:00Z");
  }

  @Test
  void shouldShowEachServiceAccountsAssociationAndWarnWhenIrsaAlsoApplies() {
    AwsIntegration ai = podIdentityIntegration();
    var chained = new dev.mlops.datastore.aws.EksGateway.Association("a-1", "arn:aws:eks:us-east-1:111122223333:podidentityassociation/ml-prod/a-1",
        "ml", "a", "arn:aws:iam::111122223333:role/hop", "arn:aws:iam::444455556666:role/reader", false, Map.of());
    var pods = new PodIdentityChecker.Outcome("ml-prod", "arn:aws:eks:us-east-1:111122223333:cluster/ml-prod", "True", "Associated",
        "1 of 1 service accounts have a Pod Identity association to arn:aws:iam::444455556666:role/reader in cluster ml-prod",
        Map.of("a", new PodIdentityChecker.Row("a", chained, true, null, null, true)), T0.instant());

    AwsIntegrationStatus status = new AwsIntegrationStatusFactory(T0).build(ai, List.of(new ServiceAccountRow("a", null, null)), false, pods,
        StatusFixtures.trustAllowed(), StatusFixtures.liveOk(T0));

    GoldenFiles.assertMatches("awsintegration/pod-identity-ready", status);
  }

  @Test
  void shouldStallOnAnAssociationItDidNotCreate() {
    AwsIntegration ai = podIdentityIntegration();
    var theirs = new dev.mlops.datastore.aws.EksGateway.Association("a-9", "arn:aws:eks:us-east-1:111122223333:podidentityassociation/ml-prod/a-9",
        "ml", "a", "arn:aws:iam::111122223333:role/other", null, false, Map.of());
    var pods = new PodIdentityChecker.Outcome("ml-prod", "arn:aws:eks:us-east-1:111122223333:cluster/ml-prod", "False",
        PodIdentityChecker.ASSOCIATION_NOT_OWNED, "a: association a-9 names role arn:aws:iam::111122223333:role/other, and this integration did not create it",
        Map.of("a", new PodIdentityChecker.Row("a", theirs, false, PodIdentityChecker.ASSOCIATION_NOT_OWNED, "association a-9 names role "
            + "arn:aws:iam::111122223333:role/other, and this integration did not create it", false)), T0.instant());

    AwsIntegrationStatus status = new AwsIntegrationStatusFactory(T0).build(ai, List.of(new ServiceAccountRow("a", null, null)), false, pods,
        StatusFixtures.trustAllowed(), StatusFixtures.liveOk(T0));

    assertThat(Conditions.find(status.getConditions(), "Stalled").orElseThrow().getReason()).isEqualTo("AssociationNotOwned");
    GoldenFiles.assertMatches("awsintegration/pod-identity-not-owned", status);
  }

  private static AwsIntegration podIdentityIntegration() {
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "a");
    var pod = new dev.mlops.datastore.api.v1alpha1.PodIdentityAuth();
    pod.setRoleArn("arn:aws:iam::444455556666:role/reader");
    pod.setClusterName("ml-prod");
    ai.getSpec().getAuth().setIrsa(null);
    ai.getSpec().getAuth().setPodIdentity(pod);
    ai.getMetadata().setGeneration(1L);
    ai.getMetadata().setUid("7d1f0c6e-0000-4000-8000-000000000002");
    return ai;
  }

  private static AwsIntegration integration(long generation) {
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "a");
    ai.getMetadata().setGeneration(generation);
    ai.getMetadata().setUid("7d1f0c6e-0000-4000-8000-000000000001");
    return ai;
  }

  private static AwsIntegration accessKeyIntegration() {
    AwsIntegration ai = Resources.accessKeyIntegration("keyed", Platform.Custom);
    ai.getMetadata().setGeneration(1L);
    return ai;
  }
}
