package dev.mlops.datastore.reconciler.policy;

/**
 * Glob matching as IAM's {@code StringLike} does it: {@code *} matches any run of characters
 * (also {@code /} and none), {@code ?} exactly one, everything else itself, case-sensitively.
 * No regular expression is built from a policy's text, so no glob can cost more than the
 * product of the two lengths (both bounded by the schema).
 */
final class Globs {
  private Globs() {}

  static boolean matches(String glob, String value) {
    if (glob == null || value == null) {
      return false;
    }
    int g = 0;
    int v = 0;
    int star = -1;
    int resume = 0;
    while (v < value.length()) {
      if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == value.charAt(v))) {
        g++;
        v++;
      } else if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        resume = v;
      } else if (star >= 0) {
        g = star + 1;
        v = ++resume;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }
}
