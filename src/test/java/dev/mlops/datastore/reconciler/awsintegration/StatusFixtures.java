package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.aws.CallerIdentity;
import dev.mlops.datastore.reconciler.awsintegration.AnnotationPlanner.Outcome;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** Inputs for the status factory, for tests that need real statuses without servers. */
public final class StatusFixtures {
  private StatusFixtures() {}

  public static List<ServiceAccountRow> rows(Outcome outcome) {
    return List.of(new ServiceAccountRow("a", outcome, outcome == Outcome.ANNOTATED ? "annotated" : "annotation set by someone else: x=y"));
  }

  public static TrustChecker.Outcome trustAllowed() {
    return new TrustChecker.Outcome("True", "TrustPolicyAllows", "the trust policy admits 1 of 1 service accounts",
        "https://oidc.example.com", Map.of(), List.of(), null);
  }

  public static LiveChecker.Outcome liveOk(Clock clock) {
    return new LiveChecker.Outcome("True", "CredentialsVerified", "1 of 1 service accounts assumed the role",
        new CallerIdentity("arn:aws:sts::111122223333:assumed-role/r/s", "111122223333"), Map.of(),
        "True", "BucketReachable", "allowed", null, clock.instant());
  }
}
