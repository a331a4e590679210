package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.dataset.TextSchemaReader;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The names a spec uses to reference another object of its namespace ({@code secretRef.name},
 * {@code integrationRef.name}) must be DNS-1123 subdomains, as the names of Secrets and custom
 * resources are. The schema says so at admission; this repeats it in code because such a name ends
 * up in the path of an API request (and an informer lookup), and an object admitted before the
 * pattern existed, or by an API server without our schema, must not put {@code /}, {@code ..} or
 * {@code ?} there.
 */
public final class ReferenceNames {
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");

  private ReferenceNames() {}

  /** Empty when {@code name} is a DNS-1123 subdomain of at most 253 characters; else InvalidSpec naming the field. */
  public static Optional<Failure.NeedsSpecChange> check(String field, String name) {
    if (name != null && name.length() <= 253 && DNS_SUBDOMAIN.matcher(name).matches()) {
      return Optional.empty();
    }
    String shown = name == null ? "" : " '" + TextSchemaReader.printable(name, 63) + "'";
    return Optional.of(Failure.NeedsSpecChange.field(field, "the name" + shown
        + " is not a DNS-1123 name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters"));
  }
}
