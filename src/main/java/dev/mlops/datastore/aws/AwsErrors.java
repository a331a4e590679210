package dev.mlops.datastore.aws;

import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Decides whether an AWS failure is worth retrying soon, and names it. */
public final class AwsErrors {
  private static final Set<String> DENIED =
      Set.of("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess");
  private static final Set<String> NOT_FOUND = Set.of("NoSuchEntity", "NoSuchEntityException", "NoSuchBucket", "NoSuchKey", "NotFound", "ResourceNotFoundException");
  private static final Set<String> THROTTLED =
      Set.of("Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown", "RequestThrottled", "ServiceUnavailable", "InternalError", "InternalFailure");

  /** Reason: the access key ID is unknown to AWS (deleted, mistyped, or of another partition). */
  public static final String UNKNOWN_ACCESS_KEY_ID = "UnknownAccessKeyId";
  /** Reason: the key ID is known but the request was signed with another secret access key. */
  public static final String WRONG_SECRET_ACCESS_KEY = "WrongSecretAccessKey";

  private AwsErrors() {}

  /**
   * When AWS refused the credentials themselves rather than what they may do: the reason to show
   * ({@link #UNKNOWN_ACCESS_KEY_ID} for STS's {@code InvalidClientTokenId} and S3's {@code
   * InvalidAccessKeyId}, {@link #WRONG_SECRET_ACCESS_KEY} for {@code SignatureDoesNotMatch}), or
   * empty for any other code. Such a refusal comes as HTTP 403 like a permission denial, and must
   * never be reported as one: the fix is the key pair, not a policy.
   */
  public static Optional<String> rejectedCredentials(String code) {
    if (code == null) {
      return Optional.empty();
    }
    return switch (code) {
      case "InvalidClientTokenId", "InvalidAccessKeyId" -> Optional.of(UNKNOWN_ACCESS_KEY_ID);
      case "SignatureDoesNotMatch" -> Optional.of(WRONG_SECRET_ACCESS_KEY);
      default -> Optional.empty();
    };
  }

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
