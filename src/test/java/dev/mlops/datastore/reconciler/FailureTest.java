package dev.mlops.datastore.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.aws.AwsCallException;
import dev.mlops.datastore.aws.AwsErrors;
import dev.mlops.datastore.dataset.ObjectStoreException;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

class FailureTest {
  @Test
  void shouldCallThrottlingThrottledAndNameTheOperationAndCode() {
    Failure f = Failure.classify(AwsErrors.classify("sts:AssumeRoleWithWebIdentity", service(400, "Throttling")), "proving");
    assertThat(f).isInstanceOf(Failure.Transient.class);
    assertThat(f.reason()).isEqualTo(Failure.AWS_THROTTLED);
    assertThat(f.message()).contains("sts:AssumeRoleWithWebIdentity").contains("Throttling").contains("HTTP 400");
  }

  @Test
  void shouldTellFiveHundredsFromUnreachableAws() {
    assertThat(Failure.classify(AwsErrors.classify("iam:GetRole", service(503, "ServiceUnavailable")), "x").reason())
        .isEqualTo(Failure.AWS_UNAVAILABLE);
    assertThat(Failure.classify(AwsErrors.classify("iam:GetRole", SdkClientException.create("Connection refused")), "x").reason())
        .isEqualTo(Failure.AWS_UNREACHABLE);
  }

  @Test
  void shouldClassATransientObjectStoreErrorAsTransient() {
    ObjectStoreException e = new ObjectStoreException(ObjectStoreException.Kind.TRANSIENT, "GetObject of s3://b/k failed with 503",
        service(503, "SlowDown"));
    Failure f = Failure.classify(new RuntimeException(e), "inspecting");
    assertThat(f.reason()).isEqualTo(Failure.AWS_THROTTLED);
    assertThat(f.message()).contains("GetObject of s3://b/k");
  }

  @Test
  void shouldClassKubernetesErrorsAsTransientWithTheirCode() {
    KubernetesClientException e = new KubernetesClientException(new StatusBuilder().withCode(409).withReason("Conflict").build());
    Failure f = Failure.classify(e, "annotating");
    assertThat(f.reason()).isEqualTo(Failure.KUBERNETES_API_ERROR);
    assertThat(f.message()).contains("409 (Conflict)");
  }

  @Test
  void shouldCallAnythingElseABugNamingWhatWasBeingDone() {
    Failure f = Failure.classify(new NullPointerException("x"), "inspecting the dataset");
    assertThat(f).isInstanceOf(Failure.Internal.class);
    assertThat(f.message()).contains("inspecting the dataset").contains("NullPointerException");
    // A permanent AWS answer that reached the reconciler is not a transient one.
    assertThat(Failure.classify(new AwsCallException(AwsCallException.Kind.REJECTED, "iam:GetRole", "ValidationError", "bad", null), "x"))
        .isInstanceOf(Failure.Internal.class);
  }

  @Test
  void shouldKeepTheLastResultAndAddReconcilingForATransientFailure() {
    Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
    var ready = Conditions.after(List.of(), 1, clock).set("Ready", true, "Ready", "ok").set("Stalled", true, "InvalidSpec", "x").build();
    var after = Conditions.afterFailure(ready, 2, clock, new Failure.Transient(Failure.AWS_THROTTLED, "t"));
    assertThat(Conditions.isTrue(after, "Ready")).isTrue();
    assertThat(Conditions.find(after, "Stalled")).isEmpty();
    assertThat(Conditions.find(after, "Reconciling").orElseThrow().getReason()).isEqualTo(Failure.AWS_THROTTLED);
    assertThat(Conditions.failingSince(after)).isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
  }

  private static AwsServiceException service(int status, String code) {
    return AwsServiceException.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("message of " + code).build()).build();
  }
}
