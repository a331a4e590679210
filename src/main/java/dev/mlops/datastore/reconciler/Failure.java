package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.aws.AwsCallException;
import dev.mlops.datastore.dataset.ObjectStoreException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Why a reconcile could not finish, in the three kinds the operator treats differently:
 *
 * <ul>
 *   <li>{@link Transient}: throttling, 5xx, I/O, timeouts, API conflicts. Waiting helps: the
 *       resource shows {@code Reconciling=True} and the operator itself retries with capped backoff,
 *       for as long as it takes.
 *   <li>{@link NeedsSpecChange}: the spec cannot work as written (an ARN the code cannot use, an
 *       {@code s3://} path without a key, both auth modes). {@code Stalled=True}, and nothing is
 *       tried again until the generation changes.
 *   <li>{@link Internal}: anything else is a bug of the operator. {@code Ready=Unknown
 *       InternalError}, the stack trace in the log, retried slowly.
 * </ul>
 */
public sealed interface Failure {
  /** Reasons; every one is documented in docs/conditions.md. */
  String AWS_THROTTLED = "AwsThrottled";
  String AWS_UNAVAILABLE = "AwsUnavailable";
  String AWS_UNREACHABLE = "AwsUnreachable";
  String KUBERNETES_API_ERROR = "KubernetesApiError";
  String INVALID_SPEC = "InvalidSpec";
  /** A Dataset's or ModelArtifact's path lies outside its integration's bucket or prefixes. */
  String PATH_OUTSIDE_INTEGRATION = "PathOutsideIntegration";
  String INTERNAL_ERROR = "InternalError";

  String reason();

  String message();

  /** Waiting helps. */
  record Transient(String reason, String message) implements Failure {}

  /** Only a change of the spec helps; the message names the field and the form it expects. */
  record NeedsSpecChange(String reason, String message) implements Failure {
    public static NeedsSpecChange field(String field, String problem) {
      return new NeedsSpecChange(INVALID_SPEC, field + ": " + problem);
    }
  }

  /** A bug: the message names what the operator was doing, the log has the rest. */
  record Internal(String reason, String message) implements Failure {}

  /** Throttling codes of AWS services, answered with 400 or 503. */
  Set<String> THROTTLING_CODES =
      Set.of("Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown",
          "RequestThrottled", "RequestThrottledException", "ProvisionedThroughputExceededException");

  /**
   * Classifies what a reconcile threw.
   *
   * @param doing what the operator was doing, for the message of an internal error ("inspecting the dataset")
   */
  static Failure classify(Throwable error, String doing) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AwsCallException aws) {
        if (aws.kind() == AwsCallException.Kind.TRANSIENT) {
          return awsTransient(aws.operation(), aws.code(), aws.getCause(), firstLine(aws.getMessage()));
        }
        break;
      }
      if (t instanceof ObjectStoreException store) {
        if (store.kind() == ObjectStoreException.Kind.TRANSIENT) {
          AwsServiceException s = find(store, AwsServiceException.class);
          String code = s == null || s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
          return awsTransient(null, code, store.getCause(), firstLine(store.getMessage()));
        }
        break;
      }
      if (t instanceof KubernetesClientException k) {
        String reason = k.getStatus() != null && k.getStatus().getReason() != null ? k.getStatus().getReason() : "no answer";
        String answer = k.getCode() == 0 ? "could not be reached (" + rootName(k) + ")" : "answered " + k.getCode() + " (" + reason + ")";
        return new Transient(KUBERNETES_API_ERROR, "the Kubernetes API " + answer + "; retrying");
      }
      if (t instanceof IOException) {
        return new Transient(AWS_UNREACHABLE, "I/O error while " + doing + " (" + t.getClass().getSimpleName() + "); retrying");
      }
    }
    return new Internal(INTERNAL_ERROR, "the operator failed while " + doing + " (" + error.getClass().getName()
        + "); this is a bug of the operator, its log has the stack trace. It retries slowly");
  }

  /**
   * Classifies and logs in one place: an internal error at ERROR with its stack trace (it is a bug),
   * anything else at WARN in one line with its reason (no stack: the message names what failed).
   */
  static Failure classifyAndLog(Throwable error, String doing, org.slf4j.Logger log) {
    Failure failure = classify(error, doing);
    // AWS support asks for the request ID of a failed call; it names nothing secret.
    AwsServiceException aws = find(error, AwsServiceException.class);
    String requestId = aws == null ? null : aws.requestId();
    if (failure instanceof Internal) {
      var line = log.atError().setCause(error).addKeyValue("doing", doing);
      (requestId == null ? line : line.addKeyValue("awsRequestId", requestId)).log("reconcile failed with an internal error");
    } else {
      var line = log.atWarn().addKeyValue("reason", failure.reason()).addKeyValue("error", failure.message());
      (requestId == null ? line : line.addKeyValue("awsRequestId", requestId)).log("reconcile failed; retrying");
    }
    return failure;
  }

  private static Transient awsTransient(String operation, String code, Throwable cause, String message) {
    AwsServiceException service = find(cause, AwsServiceException.class);
    String reason;
    if (code != null && THROTTLING_CODES.contains(code) || service != null && service.isThrottlingException()) {
      reason = AWS_THROTTLED;
    } else if (service != null) {
      reason = AWS_UNAVAILABLE;
    } else {
      reason = AWS_UNREACHABLE;
    }
    String what = operation == null ? message : message + (service == null ? "" : " (HTTP " + service.statusCode() + ")");
    return new Transient(reason, what + "; retrying");
  }

  private static <T extends Throwable> T find(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static String rootName(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName();
  }

  private static String firstLine(String text) {
    return text == null ? "" : text.lines().findFirst().orElse("");
  }
}
