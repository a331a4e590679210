package dev.mlops.datastore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** trust-check as a person runs it: files in, JSON lines and an exit code out. */
class TrustCheckCommandTest {
  private static final String ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  private static final String P = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  private static final String ROLE = "arn:aws:iam::111122223333:role/rime-s3";
  private static final String POLICY =
      """
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/%1$s"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"%1$s:aud": "sts.amazonaws.com", "%1$s:sub": "system:serviceaccount:rime:rime-agent-model-tester"}}}]}"""
          .formatted(P);

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    List<String> all = new ArrayList<>(List.of("trust-check"));
    all.addAll(List.of(args));
    return Main.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /** As on a terminal: the default output is then the table. */
  private int runOnTerminal(String... args) {
    List<String> all = new ArrayList<>(List.of("trust-check"));
    all.addAll(List.of(args));
    return Main.run(all.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), true);
  }

  private Path file(String content) throws IOException {
    Path f = Files.createTempFile(dir, "policy", ".json");
    Files.writeString(f, content);
    return f;
  }

  private List<JsonNode> lines() throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        nodes.add(new ObjectMapper().readTree(line));
      }
    }
    return nodes;
  }

  @Test
  void shouldPrintOneObjectPerServiceAccountAndExitZeroWhenAllAreAllowed() throws IOException {
    int code = run("--policy", file(POLICY).toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:rime-agent-model-tester");

    assertThat(code).isZero();
    JsonNode line = lines().get(0);
    assertThat(line.path("serviceAccount").asText()).isEqualTo("rime:rime-agent-model-tester");
    assertThat(line.path("verdict").asText()).isEqualTo("ALLOWED");
    assertThat(line.path("reasons").get(0).asText()).isEqualTo("Allowed");
    assertThat(line.path("warnings").isArray()).isTrue();
    assertThat(line.path("explanation").asText()).isNotBlank();
  }

  @Test
  void shouldExitOneWhenAnyServiceAccountIsNotAllowed() throws IOException {
    int code = run("--policy", file(POLICY).toString(), "--issuer", ISSUER, "--role-arn", ROLE,
        "--service-account", "rime:rime-agent-model-tester", "--service-account", "rime:other");

    assertThat(code).isEqualTo(1);
    assertThat(lines()).extracting(n -> n.path("verdict").asText()).containsExactly("ALLOWED", "DENIED");
    assertThat(lines().get(1).path("reasons").get(0).asText()).isEqualTo("SubjectNotMatched");
  }

  @Test
  void shouldJudgeAPolicyThatIsNotJsonAsMalformedRatherThanUnusable() throws IOException {
    int code = run("--policy", file("{\"Version\": ").toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:a");

    assertThat(code).isEqualTo(1);
    assertThat(lines().get(0).path("reasons").get(0).asText()).isEqualTo("MalformedPolicy");
  }

  @Test
  void shouldReadTheUrlEncodedDocumentGetRoleReturnsAndTheCliOutputOfGetRole() throws IOException {
    String encoded = URLEncoder.encode(POLICY, StandardCharsets.UTF_8);
    assertThat(run("--policy", file(encoded).toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:rime-agent-model-tester")).isZero();

    String getRole = "{\"Role\": {\"RoleName\": \"rime-s3\", \"AssumeRolePolicyDocument\": " + POLICY + "}}";
    assertThat(run("--policy", file(getRole).toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:rime-agent-model-tester")).isZero();
  }

  @Test
  void shouldExitTwoWithOneLineOnUnusableArguments() throws IOException {
    Path policy = file(POLICY);
    String[][] bad = {
      {"--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:a"},
      {"--policy", dir.resolve("missing.json").toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:a"},
      {"--policy", policy.toString(), "--issuer", "oidc.example.com", "--role-arn", ROLE, "--service-account", "rime:a"},
      {"--policy", policy.toString(), "--issuer", ISSUER, "--role-arn", "arn:aws:iam::1:role/x", "--service-account", "rime:a"},
      {"--policy", policy.toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "no-namespace"},
      {"--policy", policy.toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:a", "--frobnicate", "x"},
      {"--policy", policy.toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account"},
    };
    for (String[] args : bad) {
      err.reset();
      out.reset();
      assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
      String message = err.toString(StandardCharsets.UTF_8);
      assertThat(message).startsWith("error: ").endsWith("\n");
      assertThat(message.strip()).doesNotContain("\n");
      assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
  }

  @Test
  void shouldRefuseAPolicyFileLargerThanAnyTrustPolicyWithOneLine() throws IOException {
    Path huge = file(POLICY.replace("{\"Version\"", "{\"Pad\": \"" + "x".repeat(TrustCheckCommand.MAX_POLICY_FILE_BYTES) + "\", \"Version\""));

    assertThat(run("--policy", huge.toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:rime-agent-model-tester")).isEqualTo(2);

    assertThat(err.toString(StandardCharsets.UTF_8).strip()).startsWith("error: --policy: ").contains("larger than 65536 bytes").doesNotContain("\n");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void shouldPrintAnAlignedTableAndTheExplanationsByDefaultOnATerminal() throws IOException {
    int code = runOnTerminal("--policy", file(POLICY).toString(), "--issuer", ISSUER, "--role-arn", ROLE,
        "--service-account", "rime:rime-agent-model-tester", "--service-account", "rime:other");

    assertThat(code).isEqualTo(1);
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0)).matches("SERVICE ACCOUNT +VERDICT +REASONS +WARNINGS");
    assertThat(lines.get(1)).matches("rime:rime-agent-model-tester +ALLOWED +Allowed +-");
    assertThat(lines.get(2)).matches("rime:other +DENIED +SubjectNotMatched +-");
    int verdictColumn = lines.get(0).indexOf("VERDICT");
    assertThat(lines.get(1).indexOf("ALLOWED")).isEqualTo(verdictColumn);
    assertThat(lines.get(2).indexOf("DENIED")).isEqualTo(verdictColumn);
    assertThat(lines).contains("rime:other:");
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("does not admit the token's sub system:serviceaccount:rime:other")
        .doesNotContain("{\"serviceAccount\"");
  }

  @Test
  void shouldPrintJsonLinesWhenStdoutIsNotATerminal() throws IOException {
    run("--policy", file(POLICY).toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:rime-agent-model-tester",
        "--service-account", "rime:other");

    assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(2).allMatch(l -> l.startsWith("{\"serviceAccount\":"));
    assertThat(lines()).extracting(n -> n.path("serviceAccount").asText()).containsExactly("rime:rime-agent-model-tester", "rime:other");
  }

  @Test
  void shouldLetAnExplicitOutputWinOverTheTerminalDefault() throws IOException {
    runOnTerminal("--policy", file(POLICY).toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:other", "--output", "json");
    assertThat(lines().get(0).path("verdict").asText()).isEqualTo("DENIED");

    out.reset();
    run("--policy", file(POLICY).toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:other", "--output", "text");
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("SERVICE ACCOUNT");
  }

  @Test
  void shouldPrintTheVerifiedFixAndItsCommandInText() throws IOException {
    runOnTerminal("--policy", file(POLICY).toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:other", "--fix");

    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Suggested policy (verified: it admits exactly these service accounts):")
        .contains("\"system:serviceaccount:rime:other\"")
        .contains("aws iam update-assume-role-policy --role-name rime-s3 --policy-document '{");
  }

  @Test
  void shouldNotPassTerminalControlCodesFromTheInputThroughToTheTable() throws IOException {
    runOnTerminal("--policy", file(POLICY).toString(), "--issuer", ISSUER, "--role-arn", ROLE,
        "--service-account", "rime:evil\u001b]0;pwned\u0007\u001b[2J\u202e");

    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u202e")
        .contains("rime:evil\\u001b]0;pwned\\u0007\\u001b[2J\\u202e");
  }

  @Test
  void shouldNameTheFieldInEachArgumentError() throws IOException {
    Path policy = file(POLICY);
    String[][] cases = {
      {"--role-arn", "--policy", policy.toString(), "--issuer", ISSUER, "--role-arn", "x", "--service-account", "rime:a"},
      {"--issuer", "--policy", policy.toString(), "--issuer", "oidc.example.com", "--role-arn", ROLE, "--service-account", "rime:a"},
      {"--service-account", "--policy", policy.toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime"},
      {"--policy", "--policy", dir.resolve("missing.json").toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:a"},
      {"--policy", "--policy", dir.toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:a"},
      {"--output", "--policy", policy.toString(), "--issuer", ISSUER, "--role-arn", ROLE, "--service-account", "rime:a", "--output", "xml"},
    };
    for (String[] c : cases) {
      err.reset();
      assertThat(run(List.of(c).subList(1, c.length).toArray(String[]::new))).as(String.join(" ", c)).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).as(String.join(" ", c)).startsWith("error: " + c[0] + ": ");
      assertThat(err.toString(StandardCharsets.UTF_8).strip()).doesNotContain("\n");
    }
    err.reset();
    run("--policy", policy.toString(), "--issuer", ISSUER, "--role-arn", "x", "--service-account", "rime:a");
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: --role-arn: 'x' is not an IAM role ARN");
  }
}
