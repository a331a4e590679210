package dev.mlops.datastore.reconciler.policy;

import java.util.Locale;

/**
 * What an AwsIntegration in a namespace that no AwsIntegrationPolicy selects may do once some
 * policy exists. With no policy at all every namespace is unrestricted in both modes.
 */
public enum PolicyMode {
  /** Refused (the default): a guardrail that every new namespace escapes until someone labels it is none. */
  CLOSED,
  /** Unrestricted: policies restrict only the namespaces they select. */
  OPEN;

  /** {@code closed} or {@code open}, in any case; anything else is an {@link IllegalArgumentException}. */
  public static PolicyMode parse(String raw) {
    return switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "closed" -> CLOSED;
      case "open" -> OPEN;
      default -> throw new IllegalArgumentException("'" + raw + "' is not closed or open");
    };
  }
}
