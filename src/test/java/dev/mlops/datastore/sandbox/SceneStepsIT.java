package dev.mlops.datastore.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scene with ordered steps (the README's example), run by the sandbox's own entry point and read
 * only from its JSON:
 * a rotated secret, a service account created later, a spec fix, a deletion and time moved on,
 * each seen from the outside as a user of {@code local --steps} sees it.
 */
class SceneStepsIT {
  /** The example the README shows. */
  private static final Path EXAMPLE = Path.of("deploy", "examples", "local", "steps");

  @TempDir Path dir;

  @BeforeAll
  static void forwardHostHeader() {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  private record Run(int exit, String out, String err) {}

  private Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = LocalSandbox.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static JsonNode find(JsonNode list, String name) {
    for (JsonNode n : list) {
      if (n.path("name").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError(name + " not in " + list);
  }

  private static JsonNode condition(JsonNode resource, String type) {
    for (JsonNode c : resource.path("status").path("conditions")) {
      if (c.path("type").asText().equals(type)) {
        return c;
      }
    }
    throw new AssertionError(type + " missing in " + resource);
  }

  @Test
  void shouldShowRotationALateServiceAccountASpecFixAndADeletionStepByStep() throws Exception {
    Run run = run("--world", EXAMPLE.resolve("world.yaml").toString(), "-f", EXAMPLE.resolve("scene.yaml").toString(),
        "--steps", EXAMPLE.resolve("steps.yaml").toString(), "--once", "--output", "json");

    assertThat(run.exit()).as(run.err() + run.out()).isZero();
    JsonNode json = new ObjectMapper().readTree(run.out());
    JsonNode steps = json.path("steps");
    assertThat(steps).hasSize(15);
    assertThat(steps.findValuesAsText("ok")).containsOnly("true");

    // Before the rotation: the wrong secret is refused by STS, so the key pair is not verified.
    JsonNode keysBefore = find(steps.get(0).path("awsIntegrations"), "keys");
    assertThat(condition(keysBefore, "CredentialsVerified").path("status").asText()).isEqualTo("False");
    assertThat(condition(find(steps.get(2).path("awsIntegrations"), "keys"), "CredentialsVerified").path("status").asText()).isEqualTo("True");

    // The service account created later is annotated, and the IRSA integration becomes Ready.
    JsonNode lateSa = find(steps.get(4).path("serviceAccounts"), "late-sa");
    assertThat(lateSa.path("annotations").path("eks.amazonaws.com/role-arn").asText()).isEqualTo("arn:aws:iam::111122223333:role/team-reader");
    assertThat(find(json.path("serviceAccounts"), "late-sa").path("annotations").has("eks.amazonaws.com/role-arn")).isTrue();

    // The spec fix: the typo is reported, then the fixed Dataset is Ready; then it is gone.
    assertThat(condition(find(steps.get(6).path("datasets"), "d"), "SchemaValid").path("message").asText()).contains("lable");
    assertThat(find(steps.get(8).path("datasets"), "d").path("status").path("columns").toString()).contains("label");
    assertThat(steps.get(10).path("datasets")).isEmpty();
    assertThat(steps.get(11).path("clock").asText()).isNotEmpty();

    // Two hours later (sessions last 30 minutes in this world), a new operator proves the role again with fresh tokens.
    JsonNode irsaLater = find(steps.get(13).path("awsIntegrations"), "irsa");
    assertThat(irsaLater.path("status").path("lastCheckTime").asText()).isGreaterThanOrEqualTo(steps.get(11).path("clock").asText().substring(0, 19));
    assertThat(condition(irsaLater, "CredentialsVerified").path("status").asText()).isEqualTo("True");

    assertThat(run.out()).doesNotContain("the-right-secret").doesNotContain("an-old-secret");
    assertThat(run.err()).doesNotContain("the-right-secret").doesNotContain("an-old-secret");
  }

  @Test
  void shouldRefuseABadStepWithOneLineNamingTheFileAndStep() throws Exception {
    Files.writeString(dir.resolve("steps.yaml"), "steps:\n  - wait: settled\n  - sleep: 5s\n");
    Run unknown = run("--steps", dir.resolve("steps.yaml").toString(), "-f", dir.resolve("none.yaml").toString());
    assertThat(unknown.exit()).isEqualTo(2);

    Files.writeString(dir.resolve("scene.yaml"), "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: b}\n");
    Run bad = run("--steps", dir.resolve("steps.yaml").toString(), "-f", dir.resolve("scene.yaml").toString(), "--once");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err().strip()).isEqualTo("error: " + dir.resolve("steps.yaml") + ": steps[1].sleep: unknown step"
        + " (expected apply, edit, delete, wait, advanceClock, restartOperator)");

    Files.writeString(dir.resolve("steps.yaml"), "steps:\n  - wait: {kind: Dataset, namespace: b, name: d, condition: Ready, status: yes}\n");
    Run status = run("--steps", dir.resolve("steps.yaml").toString(), "-f", dir.resolve("scene.yaml").toString(), "--once");
    assertThat(status.err().strip()).contains("steps[0].wait.status: must be \"True\", \"False\" or \"Unknown\"").doesNotContain("\n");
  }
}
