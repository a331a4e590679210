package dev.mlops.datastore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
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

/**
 * The operator jar as a user runs it, a separate process: picocli shaded in, the version the build
 * wrote, JSON when stdout is a pipe and the table when it is a terminal (a pseudo-terminal from
 * util-linux {@code script}, when the machine has it).
 */
class OperatorJarCliE2E {
  private static final Path JAR = Path.of("target", "aws-datastore-operator.jar");
  private static final String PARQUET = "src/test/resources/data/parquet/alltypes_plain.parquet";

  record Run(int exit, String out, String err) {}

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Run run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  private static Run jar(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  @Test
  void shouldPrintTheVersionThePomDeclares() throws Exception {
    Matcher m = Pattern.compile("<artifactId>aws-datastore-operator</artifactId>\\s*<version>([^<]+)</version>").matcher(Files.readString(Path.of("pom.xml")));
    assertThat(m.find()).isTrue();

    Run run = jar("--version");

    assertThat(run.exit()).isZero();
    assertThat(run.out()).startsWith("aws-datastore-operator " + m.group(1) + "\n").contains("\nbuilt 20");
  }

  @Test
  void shouldShowHelpAndRefuseAnUnknownOptionWithOneLine() throws Exception {
    Run help = jar("run", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Usage: java -jar aws-datastore-operator.jar run").contains("Examples:");

    Run bad = jar("inspect", PARQUET, "--frobnicate");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err().strip()).startsWith("error: unknown option '--frobnicate'").doesNotContain("\n");
    assertThat(bad.out()).isEmpty();
  }

  @Test
  void shouldPrintJsonWhenStdoutIsAPipe() throws Exception {
    Run run = jar("inspect", PARQUET);

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(new ObjectMapper().readTree(run.out()).path("rows").asLong()).isEqualTo(8);
  }

  @Test
  void shouldPrintTheSummaryWhenStdoutIsATerminal() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux script gives the command a terminal");
    String command = String.join(" ", java(), "-jar", JAR.toString(), "inspect", PARQUET);

    Run run = run(List.of("/usr/bin/script", "-qec", command, "/dev/null"));

    assertThat(run.exit()).isZero();
    assertThat(run.out().lines().map(String::strip)).anyMatch(l -> l.matches("Format: +PARQUET")).anyMatch(l -> l.matches("Rows: +8"));
  }
}
