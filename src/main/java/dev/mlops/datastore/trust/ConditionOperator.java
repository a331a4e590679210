package dev.mlops.datastore.trust;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A condition operator name taken apart: an optional set qualifier ({@code ForAnyValue:} /
 * {@code ForAllValues:}), the base operator and an optional {@code IfExists} suffix.
 *
 * @param base the operator without qualifier and suffix, as IAM spells it
 */
public record ConditionOperator(String raw, Qualifier qualifier, String base, boolean ifExists) {
  /** Set qualifier of an operator. */
  public enum Qualifier {
    NONE,
    FOR_ANY_VALUE,
    FOR_ALL_VALUES
  }

  static final Set<String> STRING =
      Set.of(
          "StringEquals",
          "StringNotEquals",
          "StringEqualsIgnoreCase",
          "StringNotEqualsIgnoreCase",
          "StringLike",
          "StringNotLike");
  private static final Set<String> OTHER_KNOWN =
      Set.of(
          "NumericEquals",
          "NumericNotEquals",
          "NumericLessThan",
          "NumericLessThanEquals",
          "NumericGreaterThan",
          "NumericGreaterThanEquals",
          "DateEquals",
          "DateNotEquals",
          "DateLessThan",
          "DateLessThanEquals",
          "DateGreaterThan",
          "DateGreaterThanEquals",
          "Bool",
          "BinaryEquals",
          "IpAddress",
          "NotIpAddress",
          "ArnEquals",
          "ArnLike",
          "ArnNotEquals",
          "ArnNotLike",
          "Null");

  /** Parses an operator name; empty when IAM does not know it (or forbids it, as NullIfExists). */
  public static Optional<ConditionOperator> parse(String raw) {
    String rest = raw;
    Qualifier qualifier = Qualifier.NONE;
    if (rest.startsWith("ForAnyValue:")) {
      qualifier = Qualifier.FOR_ANY_VALUE;
      rest = rest.substring("ForAnyValue:".length());
    } else if (rest.startsWith("ForAllValues:")) {
      qualifier = Qualifier.FOR_ALL_VALUES;
      rest = rest.substring("ForAllValues:".length());
    }
    boolean ifExists = false;
    if (rest.endsWith("IfExists")) {
      ifExists = true;
      rest = rest.substring(0, rest.length() - "IfExists".length());
    }
    if (!STRING.contains(rest) && !OTHER_KNOWN.contains(rest)) {
      return Optional.empty();
    }
    if (rest.equals("Null") && ifExists) {
      return Optional.empty();
    }
    return Optional.of(new ConditionOperator(raw, qualifier, rest, ifExists));
  }

  public boolean isString() {
    return STRING.contains(base);
  }

  public boolean isNull() {
    return base.equals("Null");
  }

  /** Negated operators match when no listed value matches, and when the key is absent. */
  public boolean negated() {
    return base.contains("Not");
  }

  /** ArnEquals, ArnLike and their negations: ARNs compared part by part. */
  public boolean isArn() {
    return base.startsWith("Arn");
  }

  public boolean like() {
    return base.endsWith("Like");
  }

  public boolean ignoreCase() {
    return base.endsWith("IgnoreCase");
  }

  String lower() {
    return base.toLowerCase(Locale.ROOT);
  }
}
