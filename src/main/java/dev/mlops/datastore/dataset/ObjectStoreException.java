package dev.mlops.datastore.dataset;

/** A failed object-store operation, classified; the message is for a person and holds no secret. */
public final class ObjectStoreException extends RuntimeException {
  /** What went wrong. */
  public enum Kind {
    NOT_FOUND,
    ACCESS_DENIED,
    KMS_DENIED,
    /** Waiting may help: throttling, 5xx, timeouts. */
    TRANSIENT,
    OTHER
  }

  private final Kind kind;

  public ObjectStoreException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
