package dev.mlops.datastore.trust;

import dev.mlops.datastore.trust.ConditionOperator.Qualifier;
import java.util.List;
import java.util.function.Function;

/**
 * One condition key under one operator, judged against the values the request carries for that
 * key (IAM-TRUST-RULES.md §4.3 to §4.6). Shared by the IRSA and the Pod Identity evaluations, which
 * differ only in what the request carries.
 */
final class ConditionMatch {
  private ConditionMatch() {}

  /**
   * @param requestValues the key's values in the request, or null when the key is absent; one
   *     value for a single-valued key
   * @param policyValues the condition's values, as written
   * @param compile compiles one policy value (wildcards per operator, variables resolved)
   * @param arnOperators whether ArnEquals/ArnLike and their negations are judged (component-wise);
   *     when false they are not decidable here
   */
  static Tri evaluate(
      ConditionOperator op,
      List<String> requestValues,
      List<String> policyValues,
      Function<String, PolicyValue> compile,
      boolean arnOperators) {
    boolean present = requestValues != null;
    if (op.isNull()) {
      if (op.qualifier() == Qualifier.FOR_ALL_VALUES) {
        return Tri.TRUE;
      }
      if (op.qualifier() == Qualifier.FOR_ANY_VALUE) {
        return Tri.FALSE;
      }
      boolean wantsAbsent = policyValues.stream().anyMatch(v -> v.equalsIgnoreCase("true"));
      boolean wantsPresent = policyValues.stream().anyMatch(v -> v.equalsIgnoreCase("false"));
      return (present ? wantsPresent : wantsAbsent) ? Tri.TRUE : Tri.FALSE;
    }
    if (!present) {
      if (op.ifExists()) {
        return Tri.TRUE;
      }
      return switch (op.qualifier()) {
        case FOR_ANY_VALUE -> Tri.FALSE;
        case FOR_ALL_VALUES -> Tri.TRUE;
        case NONE -> op.negated() ? Tri.TRUE : Tri.FALSE;
      };
    }
    boolean arn = arnOperators && op.isArn();
    if (!op.isString() && !arn) {
      // Numeric, Date, Bool, IP operators on a string value: IAM would compare types we do not
      // model. Say so rather than guess.
      return Tri.UNKNOWN;
    }
    if (requestValues.size() == 1) {
      return single(op, requestValues.get(0), policyValues, compile, arn);
    }
    // A multivalued key (aws:TagKeys): the set qualifier decides how request values combine.
    if (op.qualifier() == Qualifier.NONE) {
      return Tri.UNKNOWN;
    }
    boolean forAll = op.qualifier() == Qualifier.FOR_ALL_VALUES;
    boolean sawUnknown = false;
    for (String value : requestValues) {
      Tri t = single(op, value, policyValues, compile, arn);
      if (t == Tri.UNKNOWN) {
        sawUnknown = true;
      } else if (forAll && t == Tri.FALSE) {
        return Tri.FALSE;
      } else if (!forAll && t == Tri.TRUE) {
        return Tri.TRUE;
      }
    }
    if (sawUnknown) {
      return Tri.UNKNOWN;
    }
    return forAll ? Tri.TRUE : Tri.FALSE;
  }

  /** One request value against the listed values: OR for positive operators, NOR for negated ones. */
  private static Tri single(
      ConditionOperator op, String value, List<String> policyValues, Function<String, PolicyValue> compile, boolean arn) {
    boolean anyMatch = false;
    boolean unknown = false;
    for (String raw : policyValues) {
      Tri t = arn ? arnMatches(raw, value, compile) : matches(compile.apply(raw), value, op.ignoreCase());
      if (t == Tri.UNKNOWN) {
        unknown = true;
      } else if (t == Tri.TRUE) {
        anyMatch = true;
      }
    }
    boolean holds = op.negated() ? !anyMatch : anyMatch;
    if (!holds && !op.negated() && unknown) {
      return Tri.UNKNOWN;
    }
    if (holds && op.negated() && unknown) {
      return Tri.UNKNOWN;
    }
    return holds ? Tri.TRUE : Tri.FALSE;
  }

  private static Tri matches(PolicyValue v, String value, boolean ignoreCase) {
    if (v.state() == PolicyValue.State.UNKNOWN) {
      return Tri.UNKNOWN;
    }
    return v.matches(value, ignoreCase) ? Tri.TRUE : Tri.FALSE;
  }

  /**
   * ArnEquals and ArnLike alike: each of the six colon-separated parts is matched on its own,
   * case-sensitively, with * and ? as wildcards that stay within the part (the last part, the
   * resource, may itself hold colons).
   */
  private static Tri arnMatches(String raw, String value, Function<String, PolicyValue> compile) {
    String[] pattern = raw.split(":", 6);
    String[] actual = value.split(":", 6);
    if (pattern.length != 6 || actual.length != 6) {
      return Tri.FALSE;
    }
    boolean unknown = false;
    for (int i = 0; i < 6; i++) {
      Tri t = matches(compile.apply(pattern[i]), actual[i], false);
      if (t == Tri.FALSE) {
        return Tri.FALSE;
      }
      unknown |= t == Tri.UNKNOWN;
    }
    return unknown ? Tri.UNKNOWN : Tri.TRUE;
  }
}
