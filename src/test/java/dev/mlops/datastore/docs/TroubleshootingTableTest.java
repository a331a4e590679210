package dev.mlops.datastore.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/install.md's troubleshooting table is complete: every reason docs/conditions.md documents for
 * a condition that is False, Unknown, Reconciling or Stalled has a row in it, and it names no
 * reason conditions.md does not explain.
 */
class TroubleshootingTableTest {
  private static final Pattern REASON = Pattern.compile("`([A-Z][A-Za-z0-9]+)`");
  private static final Pattern FAILING = Pattern.compile("False|Unknown|Reconciling|Stalled");

  /** The reasons of the first column of the reason tables of conditions.md, for failing conditions. */
  static Set<String> failingReasons(List<String> lines) {
    Set<String> out = new TreeSet<>();
    boolean inTable = false;
    for (String line : lines) {
      if (line.startsWith("| reason | condition(s) |")) {
        inTable = true;
        continue;
      }
      if (!line.startsWith("|")) {
        inTable = false;
        continue;
      }
      String[] cells = line.split("(?<!\\\\)\\|");
      if (inTable && cells.length > 2 && FAILING.matcher(cells[2]).find()) {
        Matcher m = REASON.matcher(cells[1]);
        while (m.find()) {
          out.add(m.group(1));
        }
      }
    }
    return out;
  }

  static Set<String> troubleshootingReasons(List<String> lines) {
    Set<String> out = new TreeSet<>();
    int start = lines.indexOf("## Troubleshooting by reason");
    assertThat(start).as("docs/install.md has a section 'Troubleshooting by reason'").isNotNegative();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (line.startsWith("| `")) {
        Matcher m = REASON.matcher(line.split("(?<!\\\\)\\|")[1]);
        while (m.find()) {
          out.add(m.group(1));
        }
      }
    }
    return out;
  }

  @Test
  void shouldHaveARowForEveryReasonOfAFailingCondition() throws IOException {
    Set<String> documented = failingReasons(Files.readAllLines(Path.of("docs/conditions.md")));
    Set<String> table = troubleshootingReasons(Files.readAllLines(Path.of("docs/install.md")));

    assertThat(documented).contains("AwsThrottled", "TrustPolicyDenies", "ColumnNotFound", "NoPredictFunction");
    assertThat(table).as("reasons in docs/install.md's troubleshooting table").containsAll(documented);
    assertThat(documented).as("reasons conditions.md explains").containsAll(table);
  }
}
