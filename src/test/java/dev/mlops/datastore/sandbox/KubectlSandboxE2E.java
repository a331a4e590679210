package dev.mlops.datastore.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The installed {@code kubectl} against the sandbox, as the README tells a user to run it: the
 * local jar in live mode (its output redirected, so not a terminal) writes a kubeconfig, and
 * kubectl applies the shipped examples, lists with short names and the category, describes,
 * waits for Ready and explains. Skipped where no kubectl is on the PATH.
 */
class KubectlSandboxE2E {
  private static final Path EXAMPLES = Path.of("deploy", "examples").toAbsolutePath();
  private static Path dir;
  private static Path kubeconfig;
  private static Path sandboxOut;
  private static Path sandboxErr;
  private static Process sandbox;

  record Run(int exit, String out, String err) {}

  @BeforeAll
  static void startTheSandbox() throws Exception {
    assumeTrue(kubectlInstalled(), "no kubectl on the PATH");
    dir = Files.createTempDirectory("kubectl-e2e");
    kubeconfig = dir.resolve("kubeconfig");
    sandboxOut = dir.resolve("sandbox.out");
    sandboxErr = dir.resolve("sandbox.err");
    sandbox = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        LocalSandboxE2E.JAR.toString(), "local", "--kubeconfig-out", kubeconfig.toString())
        .redirectOutput(sandboxOut.toFile()).redirectError(sandboxErr.toFile()).start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
    while (!Files.readString(sandboxErr).contains("export KUBECONFIG=")) {
      assertThat(sandbox.isAlive()).as("the sandbox exited: " + Files.readString(sandboxErr)).isTrue();
      assertThat(Instant.now()).as("the sandbox did not get ready: " + Files.readString(sandboxErr)).isBefore(deadline);
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stopTheSandbox() throws Exception {
    if (sandbox != null) {
      sandbox.destroy();
      if (!sandbox.waitFor(30, TimeUnit.SECONDS)) {
        sandbox.destroyForcibly();
      }
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static boolean kubectlInstalled() {
    try {
      Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static Run kubectl(String... args) throws IOException, InterruptedException {
    return kubectlWithInput(null, args);
  }

  private static Run kubectlWithInput(String stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kubectl"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    // kubectl's discovery and OpenAPI caches, kept apart from the user's.
    builder.environment().put("HOME", dir.toString());
    Path out = Files.createTempFile(dir, "kubectl", ".out");
    Path err = Files.createTempFile(dir, "kubectl", ".err");
    Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("kubectl " + String.join(" ", args) + " did not end").isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void shouldApplyTheShippedExamplesAndListThemByShortNameAndCategory() throws Exception {
    Run apply = kubectl("apply", "-f", EXAMPLES.toString());

    assertThat(apply.exit()).as(apply.err()).isZero();
    assertThat(apply.out()).contains("secret/aws-creds created").contains("awsintegration.datastore.mlops.dev/fraud-data created")
        .contains("dataset.datastore.mlops.dev/fraud-ref created").contains("modelartifact.datastore.mlops.dev/churn-model created");

    Run again = kubectl("apply", "-f", EXAMPLES.resolve("dataset-csv.yaml").toString());
    assertThat(again.out().strip()).isEqualTo("dataset.datastore.mlops.dev/fraud-ref unchanged");
    String changed = Files.readString(EXAMPLES.resolve("dataset-csv.yaml")).replace("timestamp_col: ts", "timestamp_col: event_time");
    Run configured = kubectlWithInput(changed, "apply", "-f", "-");
    assertThat(configured.out().strip()).as(configured.err()).isEqualTo("dataset.datastore.mlops.dev/fraud-ref configured");
    assertThat(kubectl("get", "ds", "fraud-ref", "-o", "jsonpath={.spec.dataParams.timestamp_col}").out()).isEqualTo("event_time");
    assertThat(kubectl("get", "secret", "aws-creds", "-o", "jsonpath={.data.AWS_ACCESS_KEY_ID}").out())
        .as("stringData stored as data, as the API server does").isEqualTo("QUtJQUVYQU1QTEVFWEFNUExFMDA=");

    String another = Files.readString(EXAMPLES.resolve("dataset-delta.yaml")).replace("name: fraud-events", "name: events-by-ssa");
    Run serverSide = kubectlWithInput(another, "apply", "--server-side", "-f", "-");
    assertThat(serverSide.out().strip()).as(serverSide.err()).isEqualTo("dataset.datastore.mlops.dev/events-by-ssa serverside-applied");
    Run serverSideAgain = kubectlWithInput(another.replace("is_fraud", "fraud"), "apply", "--server-side", "-f", "-");
    assertThat(serverSideAgain.exit()).as(serverSideAgain.err()).isZero();
    assertThat(kubectl("get", "ds", "events-by-ssa", "-o", "jsonpath={.spec.dataParams.label_col}").out()).isEqualTo("fraud");

    Run get = kubectl("get", "awsi,ds");
    assertThat(get.exit()).as(get.err()).isZero();
    assertThat(get.out()).containsPattern("NAME\\s+READY\\s+REASON\\s+BUCKET\\s+AGE").containsPattern("NAME\\s+READY\\s+REASON\\s+PATH\\s+AGE")
        .contains("awsintegration.datastore.mlops.dev/datarobot-data").contains("dataset.datastore.mlops.dev/fraud-events");

    Run category = kubectl("get", "datastore", "-A");
    assertThat(category.exit()).as(category.err()).isZero();
    assertThat(category.out()).contains("awsintegration.datastore.mlops.dev/fraud-data").contains("dataset.datastore.mlops.dev/fraud-ref-typo")
        .contains("modelartifact.datastore.mlops.dev/fraud-model");
  }

  @Test
  void shouldWaitForReadyAndShowWhyNotWithDescribeAndWide() throws Exception {
    Run ready = kubectl("wait", "--for=condition=Ready", "ds/fraud-ref", "-n", "rime", "--timeout=60s");
    assertThat(ready.exit()).as(ready.err()).isZero();
    assertThat(ready.out()).contains("dataset.datastore.mlops.dev/fraud-ref condition met");

    Run wide = kubectl("get", "ds", "fraud-ref-typo", "-n", "rime", "-o", "wide");
    assertThat(wide.out()).containsPattern("fraud-ref-typo\\s+False\\s+ColumnNotFound\\s+s3://rime-data/data/fraud_ref.csv\\s+\\S+\\s+.*did you mean");

    Run describe = kubectl("describe", "ds", "fraud-ref-typo", "-n", "rime");
    assertThat(describe.exit()).as(describe.err()).isZero();
    assertThat(describe.out()).contains("Kind:         Dataset").contains("ColumnNotFound").contains("did you mean 'label'?").contains("Events:");

    // A change kubectl makes, then waited for: the watch sees the operator's new status.
    Run patch = kubectl("patch", "ds", "fraud-ref-typo", "-n", "rime", "--type=merge", "-p", "{\"spec\":{\"dataParams\":{\"label_col\":\"label\"}}}");
    assertThat(patch.exit()).as(patch.err()).isZero();
    Run fixed = kubectl("wait", "--for=condition=Ready", "ds/fraud-ref-typo", "-n", "rime", "--timeout=60s");
    assertThat(fixed.exit()).as(fixed.err() + kubectl("get", "ds", "-n", "rime").out()).isZero();
  }

  @Test
  void shouldExplainOurKindsFromTheirSchemas() throws Exception {
    Run kind = kubectl("explain", "awsintegration");
    assertThat(kind.exit()).as(kind.err()).isZero();
    assertThat(kind.out()).contains("KIND:       AwsIntegration").contains("AwsIntegration connects the service accounts");

    Run spec = kubectl("explain", "awsintegration.spec");
    assertThat(spec.exit()).as(spec.err()).isZero();
    assertThat(spec.out()).contains("bucket\t<string> -required-").contains("How the workloads authenticate to AWS");

    Run field = kubectl("explain", "ds.spec.dataParams");
    assertThat(field.exit()).as(field.err()).isZero();
  }

  @Test
  void shouldNotWriteTerminalCodesWhenItsOutputIsAFile() throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (!Files.readString(sandboxOut).contains("AWSINTEGRATION") && Instant.now().isBefore(deadline)) {
      Thread.sleep(200);
    }
    assertThat(Files.readString(sandboxOut)).contains("AWSINTEGRATION").doesNotContain("\033[");
    assertThat(Files.readString(sandboxErr)).contains("sandbox: starting the Kubernetes API").contains("export KUBECONFIG=" + kubeconfig);
  }
}
