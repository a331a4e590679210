package dev.mlops.datastore.aws;

/**
 * AWS refused the credentials themselves (an unknown access key ID, a signature made with another
 * secret), not an action: what follows from that call says nothing about permissions, so the
 * caller stops probing and reports the key pair. The message names the operation and AWS's
 * code, never the key ID or the secret.
 */
public final class CredentialsRejectedException extends RuntimeException {
  private final String reason;
  private final String operation;
  private final String code;

  public CredentialsRejectedException(String reason, String operation, String code, Throwable cause) {
    super(operation + " was refused with " + code, cause);
    this.reason = reason;
    this.operation = operation;
    this.code = code;
  }

  /** {@link AwsErrors#UNKNOWN_ACCESS_KEY_ID} or {@link AwsErrors#WRONG_SECRET_ACCESS_KEY}. */
  public String reason() {
    return reason;
  }

  public String operation() {
    return operation;
  }

  public String code() {
    return code;
  }
}
