package dev.mlops.datastore.dataset;

/**
 * Something that makes a dataset unusable, with the link it breaks and a message a person can act
 * on. Reasons are CamelCase codes documented in docs/conditions.md.
 */
public record Problem(Link link, String reason, String message) {
  /** Which condition the problem belongs to. */
  public enum Link {
    READABLE,
    FORMAT,
    SCHEMA
  }

  public static Problem readable(String reason, String message) {
    return new Problem(Link.READABLE, reason, message);
  }

  public static Problem format(String reason, String message) {
    return new Problem(Link.FORMAT, reason, message);
  }

  public static Problem schema(String reason, String message) {
    return new Problem(Link.SCHEMA, reason, message);
  }
}
