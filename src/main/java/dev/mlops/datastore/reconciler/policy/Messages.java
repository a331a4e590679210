package dev.mlops.datastore.reconciler.policy;

import java.util.List;
import java.util.stream.Collectors;

/** Values from specs as they appear in messages: each capped, lists cut after a few. */
final class Messages {
  static final int MAX_VALUE = 256;
  static final int MAX_ITEMS = 5;

  private Messages() {}

  static String capped(String value) {
    if (value == null) {
      return "null";
    }
    String clean = value.replaceAll("\\p{Cntrl}", "?");
    return clean.length() <= MAX_VALUE ? clean : clean.substring(0, MAX_VALUE) + "…";
  }

  static String list(List<String> items) {
    String shown = items.stream().limit(MAX_ITEMS).map(Messages::capped).collect(Collectors.joining(", "));
    return items.size() > MAX_ITEMS ? shown + " (and " + (items.size() - MAX_ITEMS) + " more)" : shown;
  }
}
