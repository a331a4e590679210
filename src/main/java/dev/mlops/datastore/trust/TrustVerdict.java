package dev.mlops.datastore.trust;

import java.util.List;

/**
 * The decision for one service account, with the codes and an explanation a person can act on.
 *
 * @param reasons {@code [Allowed]} when allowed, otherwise why not
 * @param warnings findings that do not change the verdict, each listed once
 */
public record TrustVerdict(
    Verdict verdict, List<TrustReason> reasons, List<TrustWarning> warnings, String explanation) {
  public TrustVerdict {
    reasons = List.copyOf(reasons);
    warnings = List.copyOf(warnings);
  }

  public boolean allowed() {
    return verdict == Verdict.ALLOWED;
  }
}
