package dev.mlops.datastore.trust;

import java.util.Locale;
import java.util.function.Function;

/**
 * A condition value compiled for matching: policy variables substituted ({@code ${*}},
 * {@code ${?}} and {@code ${$}} as literals), and, under a Like operator, {@code *} and {@code ?}
 * as wildcards that match any characters, {@code :} and {@code /} included.
 */
final class PolicyValue {
  private static final int STAR = -1;
  private static final int ANY_ONE = -2;

  /** How a variable resolves: a value, absent (no value), or unknowable here. */
  sealed interface Resolution permits Known, Absent, Unknowable {}

  record Known(String value) implements Resolution {}

  record Absent() implements Resolution {}

  record Unknowable(String variable) implements Resolution {}

  /** The outcome of compiling one value. */
  enum State {
    READY,
    /** A variable has no value and no default: the value matches nothing. */
    NO_VALUE,
    /** A variable the trust policy cannot resolve (for example aws:SourceIp). */
    UNKNOWN
  }

  private final int[] pattern;
  private final State state;
  private final String unknownVariable;

  private PolicyValue(int[] pattern, State state, String unknownVariable) {
    this.pattern = pattern;
    this.state = state;
    this.unknownVariable = unknownVariable;
  }

  State state() {
    return state;
  }

  String unknownVariable() {
    return unknownVariable;
  }

  static PolicyValue compile(
      String raw, boolean wildcards, boolean variables, Function<String, Resolution> resolve) {
    int[] out = new int[raw.length()];
    int n = 0;
    int i = 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (variables && c == '$' && i + 1 < raw.length() && raw.charAt(i + 1) == '{') {
        int end = raw.indexOf('}', i + 2);
        if (end > 0) {
          String body = raw.substring(i + 2, end);
          String literal =
              switch (body) {
                case "*" -> "*";
                case "?" -> "?";
                case "$" -> "$";
                default -> null;
              };
          if (literal == null) {
            String name = body;
            String fallback = null;
            int comma = body.indexOf(',');
            if (comma >= 0) {
              name = body.substring(0, comma).trim();
              String d = body.substring(comma + 1).trim();
              if (d.length() >= 2 && d.startsWith("'") && d.endsWith("'")) {
                fallback = d.substring(1, d.length() - 1);
              }
            }
            Resolution r = resolve.apply(name.trim());
            if (r instanceof Unknowable u) {
              return new PolicyValue(new int[0], State.UNKNOWN, u.variable());
            }
            if (r instanceof Known k) {
              literal = k.value();
            } else if (fallback != null) {
              literal = fallback;
            } else {
              return new PolicyValue(new int[0], State.NO_VALUE, null);
            }
          }
          if (out.length < n + literal.length()) {
            out = java.util.Arrays.copyOf(out, n + literal.length() + raw.length());
          }
          for (int k = 0; k < literal.length(); k++) {
            out[n++] = literal.charAt(k);
          }
          i = end + 1;
          continue;
        }
      }
      if (out.length < n + 1) {
        out = java.util.Arrays.copyOf(out, n + 1 + raw.length());
      }
      out[n++] = wildcards && c == '*' ? STAR : wildcards && c == '?' ? ANY_ONE : c;
      i++;
    }
    return new PolicyValue(java.util.Arrays.copyOf(out, n), State.READY, null);
  }

  boolean matches(String value, boolean ignoreCase) {
    if (state != State.READY) {
      return false;
    }
    String s = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
    int[] p = pattern;
    if (ignoreCase) {
      p = p.clone();
      for (int k = 0; k < p.length; k++) {
        if (p[k] >= 0) {
          p[k] = Character.toLowerCase(p[k]);
        }
      }
    }
    // Iterative glob matching with backtracking to the last star: linear in practice, and never
    // exponential, whatever the pattern.
    int si = 0;
    int pi = 0;
    int star = -1;
    int mark = 0;
    while (si < s.length()) {
      if (pi < p.length && (p[pi] == ANY_ONE || p[pi] == s.charAt(si))) {
        si++;
        pi++;
      } else if (pi < p.length && p[pi] == STAR) {
        star = pi++;
        mark = si;
      } else if (star >= 0) {
        pi = star + 1;
        si = ++mark;
      } else {
        return false;
      }
    }
    while (pi < p.length && p[pi] == STAR) {
      pi++;
    }
    return pi == p.length;
  }
}
