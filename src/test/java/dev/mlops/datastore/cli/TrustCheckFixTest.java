package dev.mlops.datastore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trust-check --fix} over every shipped example policy: the policy it prints, checked again
 * by {@code trust-check}, admits the requested service accounts (exit 0) and no other (exit 1),
 * and the command line applies it to the role.
 */
class TrustCheckFixTest {
  private static final String ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  private static final String ROLE = "arn:aws:iam::111122223333:role/team/rime-s3";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<List<String>> REQUESTS = List.of(
      List.of("datarobot:datarobot-storage-access", "datarobot:build-service", "datarobot:build-service-image-builder", "datarobot:dr-lrs-operator"),
      List.of("rime:rime-agent-model-tester", "rime:rime-agent-rime-cross-plane-server"),
      List.of("rime:partner-reader"),
      List.of("ml:trainer", "ml:rime-agent-model-tester"));

  @TempDir Path dir;

  @Test
  void shouldPrintAVerifiedPolicyForEveryShippedExample() throws IOException {
    List<Path> examples;
    try (Stream<Path> files = Files.list(Path.of("deploy/examples/local/policies"))) {
      examples = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(examples).extracting(f -> f.getFileName().toString()).contains("datarobot-s3.json");
    for (Path example : examples) {
      for (List<String> sas : REQUESTS) {
        Run fix = run(example, sas, true);
        JsonNode last = fix.lines().get(fix.lines().size() - 1);
        assertThat(last.get("suggestedPolicy").isObject()).as(example + " " + sas).isTrue();
        assertThat(last.get("command").asText())
            .startsWith("aws iam update-assume-role-policy --role-name rime-s3 --policy-document '{");
        Path fixed = Files.writeString(dir.resolve("fixed.json"), last.get("suggestedPolicy").toString());

        assertThat(run(fixed, sas, false).code()).as("requested " + sas + " under the fix of " + example).isZero();
        String ns = sas.get(0).substring(0, sas.get(0).indexOf(':'));
        for (String outsider : List.of(ns + ":default", "other:" + sas.get(0).substring(ns.length() + 1))) {
          Run check = run(fixed, List.of(outsider), false);
          assertThat(check.code()).as(outsider + " under the fix of " + example).isEqualTo(1);
          assertThat(check.lines().get(0).get("verdict").asText()).isEqualTo("DENIED");
        }
      }
    }
  }

  @Test
  void shouldKeepThePolicyExitCodeWithFix() throws IOException {
    Path example = Path.of("deploy/examples/local/policies/datarobot-s3.json");
    // The example repeats the :sub key: as it is, it is malformed; the fix is printed beside the verdicts.
    Run fix = run(example, List.of("datarobot:build-service"), true);
    assertThat(fix.code()).isEqualTo(1);
    assertThat(fix.lines()).hasSize(2);
    assertThat(fix.lines().get(0).get("verdict").asText()).isEqualTo("DENIED");
  }

  private record Run(int code, List<JsonNode> lines) {}

  private Run run(Path policy, List<String> sas, boolean fix) throws IOException {
    List<String> args = new ArrayList<>(List.of("trust-check", "--policy", policy.toString(), "--issuer", ISSUER, "--role-arn", ROLE));
    sas.forEach(sa -> args.addAll(List.of("--service-account", sa)));
    if (fix) {
      args.add("--fix");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return new Run(code, lines);
  }
}
