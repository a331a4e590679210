package dev.mlops.datastore.reconciler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicy;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicyStatus;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationStatus;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Identity;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.api.v1alpha1.ServiceAccountStatus;
import dev.mlops.datastore.api.v1alpha1.WorkloadRestart;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.testing.Resources;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The statuses the policy code writes: on a refused integration, and on a policy. */
class PolicyStatusTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void shouldReplaceWhatEarlierChecksFoundWithNotPermitted() {
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "reader");
    ai.getMetadata().setGeneration(3L);
    AwsIntegrationStatus before = new AwsIntegrationStatus();
    before.setConditions(Conditions.after(null, 2, CLOCK).set(Conditions.READY, true, "Ready", "every checked link holds")
        .set("ServiceAccountsAnnotated", true, "Annotated", "annotated").build());
    ServiceAccountStatus row = new ServiceAccountStatus();
    row.setName("reader");
    before.setServiceAccounts(List.of(row));
    before.setIdentity(new Identity());
    before.setCheckedInputs("sha256:abc");
    before.setRestartedWorkloads(List.of(new WorkloadRestart()));
    before.setLastHandledRequestedAt("1");
    ai.setStatus(before);

    AwsIntegrationStatus refused = PolicyGate.refusedStatus(ai, PolicyDecision.refuse("AwsIntegrationPolicy p: spec.buckets ..."), CLOCK);

    assertThat(refused.getObservedGeneration()).isEqualTo(3L);
    assertThat(refused.getConditions()).extracting(Condition::getType).containsExactlyInAnyOrder(Conditions.STALLED, Conditions.READY);
    assertThat(refused.getConditions()).allSatisfy(c -> {
      assertThat(c.getReason()).isEqualTo(PolicyGate.NOT_PERMITTED);
      assertThat(c.getMessage()).isEqualTo("AwsIntegrationPolicy p: spec.buckets ...");
      assertThat(c.getObservedGeneration()).isEqualTo(3L);
    });
    assertThat(refused.getServiceAccounts()).isNull();
    assertThat(refused.getIdentity()).isNull();
    assertThat(refused.getCheckedInputs()).as("a re-admitted integration is checked at once").isNull();
    assertThat(refused.getRestartedWorkloads()).hasSize(1);
    assertThat(refused.getLastHandledRequestedAt()).isEqualTo("1");
  }

  @Test
  void shouldSummariseAValidPolicyAndStallAnInvalidOne() {
    AwsIntegrationPolicy valid = PolicyEvaluatorTest.policy("ok", "namespaces: [ml]\nallowReadWrite: true");
    valid.getMetadata().setGeneration(2L);
    AwsIntegrationPolicy invalid = PolicyEvaluatorTest.policy("bad", "namespaces: [ml]\nbuckets: [\"Bad_Bucket\"]");
    invalid.getMetadata().setGeneration(1L);

    AwsIntegrationPolicyStatus ok = AwsIntegrationPolicyReconciler.status(valid, CLOCK);
    AwsIntegrationPolicyStatus bad = AwsIntegrationPolicyReconciler.status(invalid, CLOCK);

    assertThat(ok.getObservedGeneration()).isEqualTo(2L);
    assertThat(Conditions.find(ok.getConditions(), Conditions.READY)).hasValueSatisfying(c -> {
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getMessage()).isEqualTo(
          "covers namespaces ml; admits any role, any bucket, auth modes irsa, podIdentity, ReadOnly and ReadWrite");
    });
    assertThat(Conditions.isTrue(bad.getConditions(), Conditions.STALLED)).isTrue();
    assertThat(Conditions.find(bad.getConditions(), Conditions.READY)).hasValueSatisfying(c -> {
      assertThat(c.getReason()).isEqualTo(AwsIntegrationPolicyReconciler.INVALID_POLICY);
      assertThat(c.getMessage()).contains("spec.buckets[0] 'Bad_Bucket' can match no bucket name");
    });
  }
}
