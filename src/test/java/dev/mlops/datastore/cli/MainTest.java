package dev.mlops.datastore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void shouldListTheSubcommandsOnHelp() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("run");
  }

  @Test
  void shouldExitTwoWithOneLineOnAnUnknownCommand() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).trim()).contains("frobnicate").doesNotContain("\n");
  }

  @Test
  void shouldExitThreeWithOneLineAndNoStackTraceOnAnInternalFailure() {
    int code = Main.guarded("inspecting the dataset", false, new PrintStream(err, true, StandardCharsets.UTF_8), () -> {
      throw new NullPointerException("secret-looking detail");
    });

    assertThat(code).isEqualTo(3);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("error: internal failure while inspecting the dataset: java.lang.NullPointerException (run with --debug for the stack trace)")
        .doesNotContain("secret-looking detail");
  }

  @Test
  void shouldPrintTheStackTraceOfAnInternalFailureWithDebug() {
    int code = Main.guarded("checking the trust policy", true, new PrintStream(err, true, StandardCharsets.UTF_8), () -> {
      throw new StackOverflowError();
    });

    assertThat(code).isEqualTo(3);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: internal failure while checking the trust policy: java.lang.StackOverflowError")
        .contains("\tat ");
  }

  @Test
  void shouldAcceptDebugBeforeOrAfterTheCommand() {
    assertThat(run("--debug", "--help")).isZero();
    assertThat(run("inspect", "--debug", "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Exit codes: 0 ok, 1 a problem was found, 2 unusable arguments, 3 internal failure");
  }

  /** The real wiring, with one more command that fails as a bug would. */
  private int runFailing(String... args) {
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    CommandLine cli = Main.commandLine(new CliContext(Map.of(), false, new PrintStream(out, true, StandardCharsets.UTF_8), errStream));
    cli.addSubcommand("boom", new Boom());
    return cli.execute(args);
  }

  @CommandLine.Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("secret-looking detail");
    }
  }

  @Test
  void shouldReportTheFailureOfACommandAsOneLineNamingItsExceptionNotPicocli() {
    assertThat(runFailing("boom")).isEqualTo(3);

    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("error: internal failure while running boom: java.lang.IllegalStateException (run with --debug for the stack trace)");
  }

  @Test
  void shouldPrintTheStackTraceWithDebugAfterTheCommand() {
    assertThat(runFailing("boom", "--debug")).isEqualTo(3);

    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: internal failure while running boom: java.lang.IllegalStateException\n")
        .contains("\tat dev.mlops.datastore.cli.MainTest$Boom.call");
  }
}
