package dev.mlops.datastore.reconciler.awsintegration;

import static dev.mlops.datastore.reconciler.awsintegration.IrsaAnnotations.OWNER;
import static dev.mlops.datastore.reconciler.awsintegration.IrsaAnnotations.ROLE_ARN;
import static dev.mlops.datastore.reconciler.awsintegration.IrsaAnnotations.STS_REGIONAL_ENDPOINTS;
import static dev.mlops.datastore.reconciler.awsintegration.IrsaAnnotations.WRITTEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.IrsaAuth;
import dev.mlops.datastore.reconciler.awsintegration.AnnotationPlanner.Outcome;
import dev.mlops.datastore.reconciler.awsintegration.AnnotationPlanner.Plan;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnnotationPlannerTest {
  private static final String ARN = "arn:aws:iam::111122223333:role/rime-s3";
  private static final Map<String, String> DESIRED =
      Map.of(ROLE_ARN, ARN, STS_REGIONAL_ENDPOINTS, "true");

  @Test
  void shouldWriteEveryMissingAnnotationAndRecordWhatItWrote() {
    Plan plan = AnnotationPlanner.claim("fraud", DESIRED, sa(Map.of()));

    assertThat(plan.outcome()).isEqualTo(Outcome.ANNOTATED);
    assertThat(plan.changes())
        .containsEntry(ROLE_ARN, ARN)
        .containsEntry(STS_REGIONAL_ENDPOINTS, "true")
        .containsEntry(OWNER, "fraud");
    assertThat(plan.changes().get(WRITTEN)).contains(ROLE_ARN).contains(STS_REGIONAL_ENDPOINTS);
  }

  @Test
  void shouldChangeNothingWhenEverythingIsAlreadyInPlace() {
    ServiceAccount sa = sa(applied(AnnotationPlanner.claim("fraud", DESIRED, sa(Map.of())).changes()));

    assertThat(AnnotationPlanner.claim("fraud", DESIRED, sa).changes()).isEmpty();
  }

  @Test
  void shouldNotAdoptAnIdenticalValueSomeoneElseSet() {
    Plan plan = AnnotationPlanner.claim("fraud", Map.of(ROLE_ARN, ARN), sa(Map.of(ROLE_ARN, ARN)));

    assertThat(plan.outcome()).isEqualTo(Outcome.ANNOTATED);
    assertThat(plan.changes()).isEmpty();
  }

  @Test
  void shouldReportAConflictAndWriteNothingWhenAForeignValueDiffers() {
    Plan plan =
        AnnotationPlanner.claim("fraud", DESIRED, sa(Map.of(ROLE_ARN, "arn:aws:iam::999988887777:role/x")));

    assertThat(plan.outcome()).isEqualTo(Outcome.CONFLICT);
    assertThat(plan.changes()).isEmpty();
    assertThat(plan.message()).contains("arn:aws:iam::999988887777:role/x");
  }

  @Test
  void shouldUpdateAValueItWroteWhenTheSpecChanges() {
    ServiceAccount sa = sa(applied(AnnotationPlanner.claim("fraud", DESIRED, sa(Map.of())).changes()));
    String newArn = "arn:aws:iam::111122223333:role/other";

    Plan plan = AnnotationPlanner.claim("fraud", Map.of(ROLE_ARN, newArn), sa);

    assertThat(plan.outcome()).isEqualTo(Outcome.ANNOTATED);
    assertThat(plan.changes()).containsEntry(ROLE_ARN, newArn).containsEntry(STS_REGIONAL_ENDPOINTS, null);
  }

  @Test
  void shouldTreatAValueChangedByAPersonAfterItsWriteAsForeign() {
    Map<String, String> annotations =
        applied(AnnotationPlanner.claim("fraud", DESIRED, sa(Map.of())).changes());
    annotations.put(ROLE_ARN, "arn:aws:iam::111122223333:role/hand-edited");

    Plan plan = AnnotationPlanner.claim("fraud", DESIRED, sa(annotations));

    assertThat(plan.outcome()).isEqualTo(Outcome.CONFLICT);
    assertThat(AnnotationPlanner.release("fraud", sa(annotations)))
        .doesNotContainKey(ROLE_ARN)
        .containsEntry(STS_REGIONAL_ENDPOINTS, null)
        .containsEntry(OWNER, null);
  }

  @Test
  void shouldLeaveAServiceAccountOfAnotherIntegrationAlone() {
    Map<String, String> theirs =
        applied(AnnotationPlanner.claim("other", DESIRED, sa(Map.of())).changes());

    Plan plan = AnnotationPlanner.claim("fraud", DESIRED, sa(theirs));

    assertThat(plan.outcome()).isEqualTo(Outcome.CLAIMED_BY_OTHER);
    assertThat(plan.changes()).isEmpty();
    assertThat(AnnotationPlanner.release("fraud", sa(theirs))).isEmpty();
  }

  @Test
  void shouldClaimNothingWhenTheOwnershipRecordIsUnreadable() {
    Plan plan =
        AnnotationPlanner.claim(
            "fraud", DESIRED, sa(Map.of(OWNER, "fraud", WRITTEN, "{not json", ROLE_ARN, "arn:aws:iam::111122223333:role/x")));

    assertThat(plan.outcome()).isEqualTo(Outcome.CONFLICT);
  }

  @Test
  void shouldReportAMissingServiceAccount() {
    assertThat(AnnotationPlanner.claim("fraud", DESIRED, null).outcome()).isEqualTo(Outcome.NOT_FOUND);
  }

  @Test
  void shouldAskForTheAudienceAnnotationOnlyForANonDefaultAudience() {
    IrsaAuth irsa = new IrsaAuth();
    irsa.setRoleArn(ARN);
    irsa.setAudience("sts.amazonaws.com");
    irsa.setStsRegionalEndpoints(false);
    assertThat(IrsaAnnotations.desired(irsa)).containsOnlyKeys(ROLE_ARN);

    irsa.setAudience("rime");
    assertThat(IrsaAnnotations.desired(irsa)).containsEntry(IrsaAnnotations.AUDIENCE, "rime");
  }

  private static Map<String, String> applied(Map<String, String> changes) {
    Map<String, String> result = new LinkedHashMap<>();
    changes.forEach(
        (k, v) -> {
          if (v != null) {
            result.put(k, v);
          }
        });
    return result;
  }

  private static ServiceAccount sa(Map<String, String> annotations) {
    return Resources.serviceAccount("model-a", new HashMap<>(annotations));
  }
}
