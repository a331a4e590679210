package dev.mlops.datastore.aws;

/**
 * An AWS call that failed, classified for the reconciler: whether waiting can help, and what to
 * tell the user. Messages carry the operation, the AWS error code and AWS's own message, never a
 * credential or a request body.
 */
public final class AwsCallException extends RuntimeException {
  /** How a failure should be handled. */
  public enum Kind {
    /** The caller lacks permission: waits for the next check. */
    ACCESS_DENIED,
    /** The thing does not exist (yet): waits for the next check, sooner than usual. */
    NOT_FOUND,
    /** Throttling, 5xx, timeouts, connection failures: retried with backoff. */
    TRANSIENT,
    /** Anything else AWS rejected: waits for the next check or a spec change. */
    REJECTED
  }

  private final Kind kind;
  private final String operation;
  private final String code;

  public AwsCallException(Kind kind, String operation, String code, String message, Throwable cause) {
    super(operation + " failed: " + (code == null ? "" : code + ": ") + message, cause);
    this.kind = kind;
    this.operation = operation;
    this.code = code;
  }

  public Kind kind() {
    return kind;
  }

  public String operation() {
    return operation;
  }

  public String code() {
    return code;
  }
}
