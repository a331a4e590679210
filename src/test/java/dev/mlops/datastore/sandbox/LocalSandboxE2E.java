package dev.mlops.datastore.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox as a user runs it: {@code java -jar target/aws-datastore-operator-local.jar local
 * --once --output json}, a separate process, its stdout parsed.
 */
class LocalSandboxE2E {
  static final Path JAR = Path.of("target", "aws-datastore-operator-local.jar").toAbsolutePath();
  private static final Path EXAMPLES = Path.of("deploy", "examples").toAbsolutePath();

  record Run(int exit, String out, String err) {
    JsonNode json() throws IOException {
      return new ObjectMapper().readTree(out);
    }
  }

  static Run run(String... args) throws IOException, InterruptedException {
    return runIn(Path.of("").toAbsolutePath(), args);
  }

  static Run runIn(Path workingFolder, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(), "local"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(workingFolder.toFile()).redirectErrorStream(false).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  private static JsonNode find(JsonNode list, String namespace, String name) {
    for (JsonNode n : list) {
      if (n.path("namespace").asText().equals(namespace) && n.path("name").asText().equals(name)) {
        return n.path("status");
      }
    }
    throw new AssertionError(namespace + "/" + name + " not in " + list);
  }

  private static JsonNode condition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asText().equals(type)) {
        return c;
      }
    }
    throw new AssertionError(type + " missing in " + status);
  }

  @Test
  void shouldSettleTheDefaultSceneAndExplainItsFailures() throws Exception {
    Run run = run("--once", "--output", "json");

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.path("settled").asBoolean()).isTrue();
    JsonNode integrations = json.path("awsIntegrations");
    for (String[] ready : new String[][] {{"rime", "fraud-data"}, {"rime", "partner-data"}, {"analytics", "analytics"}}) {
      assertThat(condition(find(integrations, ready[0], ready[1]), "Ready").path("status").asText()).as(ready[1]).isEqualTo("True");
    }
    JsonNode dataRobot = find(integrations, "datarobot", "datarobot-data");
    JsonNode trust = condition(dataRobot, "TrustPolicyValid");
    assertThat(trust.path("reason").asText()).isEqualTo("TrustPolicyDenies");
    assertThat(trust.path("message").asText()).contains("MalformedPolicy").contains("appears 4 times").contains("one key with an array of values");
    assertThat(dataRobot.path("serviceAccounts").findValuesAsText("live")).containsExactly("Denied", "Denied", "Denied", "Verified");
    assertThat(dataRobot.path("roleWarnings").get(0).asText()).isEqualTo("MissingEcrPowerUserPolicy");

    JsonNode datasets = json.path("datasets");
    JsonNode typo = find(datasets, "rime", "fraud-ref-typo");
    assertThat(condition(typo, "SchemaValid").path("message").asText()).contains("did you mean 'label'?");
    assertThat(find(datasets, "rime", "fraud-train").path("rows").asLong()).isEqualTo(8);
    assertThat(find(datasets, "rime", "fraud-events").path("delta").path("version").asLong()).isEqualTo(13);
    assertThat(condition(find(datasets, "analytics", "daily-report"), "Ready").path("status").asText()).isEqualTo("True");

    JsonNode models = json.path("modelArtifacts");
    JsonNode model = find(models, "rime", "fraud-model");
    assertThat(condition(model, "Ready").path("status").asText()).isEqualTo("True");
    assertThat(model.path("siblings").toString()).contains("fraud_model.pkl");
    JsonNode broken = condition(find(models, "rime", "fraud-model-v2"), "Ready");
    assertThat(broken.path("reason").asText()).isEqualTo("NoPredictFunction");
    // Ready keeps the first cause and points at the link; the link's own condition has the details.
    assertThat(broken.path("message").asText()).startsWith("no module-level predict_dict or predict_df").endsWith("see condition ArtifactValid");
    assertThat(condition(find(models, "rime", "fraud-model-v2"), "ArtifactValid").path("message").asText())
        .contains("inside class FraudModel").contains("'predict_dataframe'");
    assertThat(run.out()).doesNotContain("sandbox-secret-not-a-real-key");
  }

  @Test
  void shouldRunTheDefaultSceneFromAnyFolderAndSayWhatItIsDoing(@TempDir Path elsewhere) throws Exception {
    Run run = runIn(elsewhere, "--once", "--output", "json");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.json().path("settled").asBoolean()).isTrue();
    assertThat(run.json().path("awsIntegrations").size()).isGreaterThanOrEqualTo(4);
    assertThat(run.err()).contains("starting the Kubernetes API").contains("starting S3").contains("starting the operator")
        .containsPattern("creating \\d+ objects").doesNotContain("\033[");
    assertThat(run.out()).doesNotContain("\033[");
  }

  @Test
  void shouldLoadTheShippedExamplesIntoTheDefaultNamespace() throws Exception {
    List<String> args = new ArrayList<>();
    try (var files = Files.list(EXAMPLES)) {
      files.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(f -> args.addAll(List.of("-f", f.toString())));
    }
    args.addAll(List.of("--once", "--output", "json", "--timeout", "30s"));

    Run run = run(args.toArray(String[]::new));

    assertThat(run.exit()).as(run.err()).isIn(0, 1);
    assertThat(run.err()).doesNotContain("error:");
    JsonNode json = run.json();
    assertThat(find(json.path("awsIntegrations"), "default", "fraud-data")).isNotNull();
    assertThat(find(json.path("awsIntegrations"), "default", "datarobot-data")).isNotNull();
    assertThat(find(json.path("datasets"), "default", "fraud-ref")).isNotNull();
    assertThat(find(json.path("datasets"), "default", "fraud-events")).isNotNull();
    assertThat(find(json.path("modelArtifacts"), "default", "churn-model")).isNotNull();
    // The Secret went to default too: the access-key integration found it and asked STS about its key.
    assertThat(condition(find(json.path("awsIntegrations"), "default", "datarobot-data"), "Ready").path("reason").asText())
        .isEqualTo("UnknownAccessKeyId");
  }

  @Test
  void shouldRunAWorldAndSceneOfOnesOwn(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("world.yaml"), """
        oidcProviders:
          - {account: "111122223333", clientIds: [not-sts]}
        roles:
          - arn: arn:aws:iam::111122223333:role/r
            trustPolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},"Action":"sts:AssumeRoleWithWebIdentity"}]}'
            grants: [{bucket: b-data, actions: [s3:ListBucket, s3:GetObject]}]
        buckets:
          - name: b-data
            owner: "111122223333"
            kmsKey: arn:aws:kms:us-east-1:111122223333:key/k1
            objects: [{key: x.jsonl, content: '{"id": 1}'}]
        """);
    Files.writeString(dir.resolve("scene.yaml"), """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: app, namespace: team}
        ---
        apiVersion: datastore.mlops.dev/v1alpha1
        kind: AwsIntegration
        metadata: {name: i, namespace: team}
        spec:
          serviceAccounts: [app]
          bucket: b-data
          auth: {irsa: {roleArn: "arn:aws:iam::111122223333:role/r"}}
        """);

    Run run = run("--world", dir.resolve("world.yaml").toString(), "-f", dir.resolve("scene.yaml").toString(), "--once", "--output", "json");

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode status = find(run.json().path("awsIntegrations"), "team", "i");
    assertThat(condition(status, "TrustPolicyValid").path("reason").asText()).isEqualTo("AudienceNotInProvider");
    assertThat(condition(status, "CredentialsVerified").path("reason").asText()).isEqualTo("AudienceNotAccepted");
    assertThat(status.path("serviceAccounts").get(0).path("warnings").toString()).contains("MissingSubjectCondition");
  }

  @Test
  void shouldRefuseBadFilesWithOneLineNamingTheFileAndField(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("bad-world.yaml"), "roles:\n  - arn: not-an-arn\n    trustPolicy: '{}'\n");
    Files.writeString(dir.resolve("bad-scene.yaml"), "apiVersion: v1\nkind: Deployment\nmetadata: {name: x, namespace: y}\n");

    Run world = run("--world", dir.resolve("bad-world.yaml").toString(), "--once");
    assertThat(world.exit()).isEqualTo(2);
    // The world is checked as it loads, after the start-up's progress lines: the error is the last line, one line.
    assertThat(world.err().strip().lines().filter(l -> !l.startsWith("sandbox: "))).singleElement().asString()
        .startsWith("error: ").contains("bad-world.yaml").contains("roles[0].arn");

    Run scene = run("-f", dir.resolve("bad-scene.yaml").toString(), "--once");
    assertThat(scene.exit()).isEqualTo(2);
    assertThat(scene.err().strip()).contains("bad-scene.yaml").contains("kind").doesNotContain("\n");

    Run missing = run("-f", dir.resolve("nope.yaml").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err().strip()).contains("nope.yaml").doesNotContain("\n");
  }
}
