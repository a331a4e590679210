package dev.mlops.datastore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

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
}
