package dev.mlops.datastore.trust;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The warnings one evaluation collects, each once, and the notes that explain them: the verdict's
 * explanation ends with one note per warning, in the order they were found.
 */
final class Findings {
  private final Set<TrustWarning> warnings = EnumSet.noneOf(TrustWarning.class);
  private final List<String> notes = new ArrayList<>();

  void warn(TrustWarning warning, String note) {
    if (warnings.add(warning)) {
      notes.add(warning.name() + ": " + note);
    }
  }

  TrustVerdict verdict(Verdict verdict, List<TrustReason> reasons, String explanation) {
    StringBuilder text = new StringBuilder(explanation);
    for (String note : notes) {
      text.append(". ").append(note);
    }
    return new TrustVerdict(verdict, reasons, List.copyOf(warnings), text.toString());
  }
}
