package dev.mlops.datastore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The executable's own surface: --version, --help everywhere, and one-line usage errors. */
class CliUsageTest {
  private static final List<String> SUBCOMMANDS = List.of("run", "trust-check", "inspect", "help");
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** The version the pom declares for this project, which the build writes into the jar. */
  private static String pomVersion() throws IOException {
    Matcher m = Pattern.compile("<artifactId>aws-datastore-operator</artifactId>\\s*<version>([^<]+)</version>").matcher(Files.readString(Path.of("pom.xml")));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  @Test
  void shouldPrintTheProjectVersionAndBuildInfoAndExitZero() throws IOException {
    assertThat(run("--version")).isZero();

    List<String> lines = out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("aws-datastore-operator " + pomVersion());
    assertThat(lines.get(1)).matches("built \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ with JDK .+");
    assertThat(lines.get(2)).startsWith("running on Java " + System.getProperty("java.version"));
    assertThat(err()).isEmpty();
  }

  @Test
  void shouldPrintTheVersionWithTheShortFlagAndOnASubcommand() throws IOException {
    assertThat(run("-V")).isZero();
    assertThat(out()).startsWith("aws-datastore-operator " + pomVersion() + "\n");
    assertThat(run("trust-check", "--version")).isZero();
    assertThat(out()).startsWith("aws-datastore-operator " + pomVersion() + "\n");
  }

  @Test
  void shouldShowHelpWithAnExampleForTheRootAndEverySubcommandAndExitZero() {
    for (String flag : List.of("--help", "-h")) {
      assertThat(run(flag)).as(flag).isZero();
      assertThat(out()).contains("Usage: java -jar aws-datastore-operator.jar").contains("Examples:")
          .contains("Exit codes: 0 ok, 1 a problem was found, 2 unusable arguments, 3 internal failure");
      assertThat(out()).contains("run").contains("trust-check").contains("inspect");
      for (String command : SUBCOMMANDS) {
        assertThat(run(command, flag)).as(command + " " + flag).isZero();
        assertThat(out()).as(command + " " + flag)
            .contains("Usage: java -jar aws-datastore-operator.jar " + command)
            .contains("Examples:")
            .contains("  java -jar aws-datastore-operator.jar " + command)
            .contains("Exit codes: 0 ok");
        assertThat(err()).isEmpty();
      }
    }
  }

  @Test
  void shouldPrintASubcommandsHelpThroughTheHelpCommand() {
    assertThat(run("help", "inspect")).isZero();
    assertThat(out()).contains("Usage: java -jar aws-datastore-operator.jar inspect").contains("--output=text|json");
  }

  @Test
  void shouldTreatRunHelpAsHelpNotAsAnArgument() {
    assertThat(run("run", "--help")).isZero();
    assertThat(out()).contains("Usage: java -jar aws-datastore-operator.jar run").contains("OPERATOR_");
    assertThat(err()).isEmpty();
  }

  @Test
  void shouldExitTwoWithOneLineOnAnUnknownOptionAnywhere() {
    for (List<String> args : List.of(List.of("--frobnicate"), List.of("run", "--frobnicate"), List.of("trust-check", "--frobnicate"),
        List.of("inspect", "x.csv", "--frobnicate"))) {
      assertThat(run(args.toArray(String[]::new))).as(args.toString()).isEqualTo(2);
      assertThat(err()).as(args.toString()).startsWith("error: unknown option '--frobnicate'").contains("--help')").endsWith("\n");
      assertThat(err().strip()).doesNotContain("\n");
      assertThat(out()).isEmpty();
    }
  }

  @Test
  void shouldSuggestTheCommandOrOptionMeantOnATypo() {
    assertThat(run("inspekt", "x.csv")).isEqualTo(2);
    assertThat(err().strip()).startsWith("error: unknown command 'inspekt'; did you mean inspect?").doesNotContain("\n");

    assertThat(run("inspect", "x.csv", "--ouptut", "json")).isEqualTo(2);
    assertThat(err().strip()).contains("'--ouptut'").contains("did you mean --output?").doesNotContain("\n");
  }

  @Test
  void shouldRefuseArgumentsToRunWithOneLine() {
    assertThat(run("run", "now")).isEqualTo(2);
    assertThat(err().strip()).startsWith("error: unexpected argument 'now'").doesNotContain("\n");
  }

  @Test
  void shouldNameTheFieldOfAnUnusableValue() {
    assertThat(run("inspect", "x.csv", "--output", "yaml")).isEqualTo(2);
    assertThat(err().strip()).startsWith("error: --output: must be text or json, not 'yaml'").doesNotContain("\n");

    assertThat(run("inspect", "x.csv", "--label-col")).isEqualTo(2);
    assertThat(err().strip()).startsWith("error: --label-col: needs a value").doesNotContain("\n");

    assertThat(run("inspect")).isEqualTo(2);
    assertThat(err().strip()).startsWith("error: PATH is required");
  }

  @Test
  void shouldNotReadArgumentsFromAnAtFile() throws IOException {
    Path args = Files.createTempFile("args", ".txt");
    try {
      Files.writeString(args, "--help\n");
      assertThat(run("inspect", "@" + args)).isEqualTo(2);
      assertThat(err().strip()).startsWith("error: PATH: '@").contains("does not exist");
    } finally {
      Files.delete(args);
    }
  }

  @Test
  void shouldTakeStdoutAsNotATerminalWithoutAConsole() {
    // Surefire runs the tests with stdout piped to it, as a script runs the CLI: JSON is the default.
    assertThat(Main.stdoutIsTerminal()).isFalse();
  }
}
