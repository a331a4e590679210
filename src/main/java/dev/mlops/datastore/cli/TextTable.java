package dev.mlops.datastore.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The text output's columns, aligned, for a person at a terminal. Every cell goes through
 * {@link #safe}: what is printed comes from policies and data files anyone may have written, and a
 * terminal obeys escape sequences.
 */
final class TextTable {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  /** A table with a header line; none for a list of {@code label  value} lines. */
  TextTable(String... headers) {
    this.headers = List.of(headers);
  }

  TextTable row(String... cells) {
    rows.add(Arrays.stream(cells).map(TextTable::safe).toList());
    return this;
  }

  /** The lines, each ending in a line break; the last column is not padded. */
  String render() {
    List<List<String>> all = new ArrayList<>();
    if (!headers.isEmpty()) {
      all.add(headers);
    }
    all.addAll(rows);
    int columns = all.stream().mapToInt(List::size).max().orElse(0);
    int[] widths = new int[columns];
    for (List<String> line : all) {
      for (int c = 0; c < line.size(); c++) {
        widths[c] = Math.max(widths[c], line.get(c).length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (List<String> line : all) {
      StringBuilder l = new StringBuilder();
      for (int c = 0; c < line.size(); c++) {
        l.append(line.get(c));
        if (c < line.size() - 1) {
          l.append(" ".repeat(widths[c] - line.get(c).length() + 2));
        }
      }
      text.append(l.toString().stripTrailing()).append('\n');
    }
    return text.toString();
  }

  /**
   * Text fit for a terminal: control characters (escape sequences, carriage returns, C1 codes) and
   * the bidirectional overrides that reorder what a reader sees are shown as {@code \\uXXXX}.
   */
  static String safe(String text) {
    return safe(text, false);
  }

  /** As {@link #safe(String)}, keeping line breaks when {@code lines} (a multi-line explanation). */
  static String safe(String text, boolean lines) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean hidden = c < 0x20 || c >= 0x7f && c <= 0x9f || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069
          || c == 0x200e || c == 0x200f || c == 0x061c;
      if (hidden && !(lines && c == '\n')) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A list as one cell: comma-separated, {@code -} when empty. */
  static String list(List<String> items) {
    return items == null || items.isEmpty() ? "-" : String.join(", ", items);
  }
}
