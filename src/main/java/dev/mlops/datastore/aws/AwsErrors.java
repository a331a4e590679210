package dev.mlops.datastore.aws;

import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Decides whether an AWS failure is worth retrying soon, and names it. */
public final class AwsErrors {
  private static final Set<String> DENIED =
      Set.of("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess");
  private static final Set<String> NOT_FOUND = Set.of("NoSuchEntity", "NoSuchEntityException", "NoSuchBucket", "NoSuchKey", "NotFound");
  private static final Set<String> THROTTLED =
      Set.of("Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown", "RequestThrottled", "ServiceUnavailable", "InternalError", "InternalFailure");

  private AwsErrors() {}

  public static AwsCallException classify(String operation, SdkException e) {
    if (e instanceof AwsServiceException s) {
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      String message = s.awsErrorDetails() == null || s.awsErrorDetails().errorMessage() == null
          ? "HTTP " + s.statusCode()
          : s.awsErrorDetails().errorMessage();
      AwsCallException.Kind kind;
      if (code != null && DENIED.contains(code) || s.statusCode() == 403) {
        kind = AwsCallException.Kind.ACCESS_DENIED;
      } else if (code != null && NOT_FOUND.contains(code) || s.statusCode() == 404) {
        kind = AwsCallException.Kind.NOT_FOUND;
      } else if (s.isThrottlingException() || s.statusCode() >= 500 || code != null && THROTTLED.contains(code)) {
        kind = AwsCallException.Kind.TRANSIENT;
      } else {
        kind = AwsCallException.Kind.REJECTED;
      }
      return new AwsCallException(kind, operation, code, message, e);
    }
    if (e instanceof SdkClientException) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
      return new AwsCallException(AwsCallException.Kind.TRANSIENT, operation, null, "cannot reach AWS (" + message + ")", e);
    }
    return new AwsCallException(AwsCallException.Kind.REJECTED, operation, null, e.getClass().getSimpleName(), e);
  }
}
