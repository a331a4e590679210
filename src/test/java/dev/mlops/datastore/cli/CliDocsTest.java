package dev.mlops.datastore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code sh} block of docs/cli.md runs, as a user would paste it, with the executable built
 * from this test's class path in place of the jar: no block may end in a usage error or a crash.
 * Blocks that need something this machine lacks (an AWS account) are fenced without {@code sh}.
 */
class CliDocsTest {
  private static final String JAR_COMMAND = "java -jar target/aws-datastore-operator.jar";
  private static final Pattern SH_BLOCK = Pattern.compile("(?ms)^```sh\\n(.*?)^```");

  @TempDir Path dir;

  @Test
  void shouldRunEveryShellBlockOfTheCliReferenceWithoutAUsageError() throws Exception {
    String doc = Files.readString(Path.of("docs", "cli.md"));
    Path cli = dir.resolve("cli");
    Files.writeString(cli, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '"
        + System.getProperty("java.class.path") + "' " + Main.class.getName() + " \"$@\"\n");
    assertThat(cli.toFile().setExecutable(true)).isTrue();
    // The blocks use paths relative to the repository's root; files they write land in the temp folder.
    Files.createSymbolicLink(dir.resolve("deploy"), Path.of("deploy").toAbsolutePath());
    boolean jq = new File("/usr/bin/jq").canExecute() || new File("/usr/local/bin/jq").canExecute();

    Matcher blocks = SH_BLOCK.matcher(doc);
    int commands = 0;
    while (blocks.find()) {
      String block = blocks.group(1);
      if (block.contains("| jq") && !jq) {
        continue;
      }
      commands += block.split(Pattern.quote(JAR_COMMAND), -1).length - 1;
      Process p = new ProcessBuilder("bash", "-c", block.replace(JAR_COMMAND, "'" + cli + "'"))
          .directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      byte[] out = p.getInputStream().readAllBytes();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(block + "\n" + err).isIn(0, 1);
      assertThat(err).as(block).doesNotContain("error:");
      assertThat(out).as(block).isNotEmpty();
    }
    assertThat(commands).as("commands run from docs/cli.md").isGreaterThanOrEqualTo(10);
    assertThat(dir.resolve("pod-identity-trust.json")).doesNotExist();
  }

  @Test
  void shouldDocumentEveryOptionOfEveryCommand() throws IOException {
    String doc = Files.readString(Path.of("docs", "cli.md"));
    var cli = Main.commandLine(new CliContext(java.util.Map.of(), false, System.out, System.err));
    List<String> missing = new ArrayList<>();
    for (var command : cli.getSubcommands().values()) {
      for (var option : command.getCommandSpec().options()) {
        if (!doc.contains("`" + option.longestName())) {
          missing.add(command.getCommandName() + " " + option.longestName());
        }
      }
    }
    assertThat(missing).isEmpty();
  }
}
