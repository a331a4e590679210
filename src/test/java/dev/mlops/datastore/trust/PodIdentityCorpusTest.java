package dev.mlops.datastore.trust;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Pod Identity trust cases of {@code trust/pod-identity-cases.yaml}: each a policy, a request,
 * the expected verdict, reasons and warnings, and the AWS page the expectation rests on.
 */
class PodIdentityCorpusTest {
  private static final String CORPUS = "/trust/pod-identity-cases.yaml";
  private static final String ROLE = "arn:aws:iam::111122223333:role/ml-s3";
  private static final String CLUSTER = "prod";
  private static final String CLUSTER_ARN = "arn:aws:eks:us-east-1:111122223333:cluster/prod";

  static Stream<Arguments> cases() throws IOException {
    JsonNode corpus = corpus();
    List<Arguments> out = new ArrayList<>();
    for (JsonNode c : corpus) {
      out.add(Arguments.of(c.get("name").asText(), c, policy(corpus, c)));
    }
    return out.stream();
  }

  /** The case's policy, or with {@code policyOf: NAME} that of an earlier case. */
  private static String policy(JsonNode corpus, JsonNode c) {
    if (c.has("policy")) {
      return c.get("policy").asText();
    }
    String of = c.get("policyOf").asText();
    for (JsonNode other : corpus) {
      if (other.get("name").asText().equals(of)) {
        return other.get("policy").asText();
      }
    }
    throw new IllegalArgumentException("no case named " + of);
  }

  private static JsonNode corpus() throws IOException {
    try (InputStream in = PodIdentityCorpusTest.class.getResourceAsStream(CORPUS)) {
      return new ObjectMapper(new YAMLFactory()).readTree(in);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldGiveTheCitedVerdict(String name, JsonNode c, String policy) {
    JsonNode r = c.path("request");
    PodIdentityRequest request = new PodIdentityRequest(
        text(r, "roleArn", ROLE),
        text(r, "clusterName", CLUSTER),
        r.has("clusterArn") ? (r.get("clusterArn").isNull() ? null : r.get("clusterArn").asText()) : CLUSTER_ARN,
        text(r, "namespace", "ml"),
        text(r, "serviceAccount", "trainer"));

    TrustVerdict v = TrustPolicyEvaluator.evaluatePodIdentity(policy, request);

    assertThat(v.verdict()).as("verdict; explanation: %s", v.explanation()).isEqualTo(Verdict.valueOf(c.get("verdict").asText()));
    assertThat(v.reasons()).as("reasons; explanation: %s", v.explanation())
        .containsExactlyElementsOf(enums(c.get("reasons"), TrustReason.class));
    assertThat(v.warnings()).as("warnings; explanation: %s", v.explanation())
        .containsExactlyInAnyOrderElementsOf(enums(c.path("warnings"), TrustWarning.class));
    for (JsonNode part : c.path("explanationContains")) {
      assertThat(v.explanation()).contains(part.asText());
    }
  }

  @Test
  void shouldCiteAnAwsPageForEveryCaseAndNameEachOnce() throws IOException {
    Set<String> names = new HashSet<>();
    int count = 0;
    for (JsonNode c : corpus()) {
      count++;
      assertThat(names.add(c.get("name").asText())).as("duplicate case name %s", c.get("name")).isTrue();
      assertThat(c.path("source").asText()).as("source of %s", c.get("name"))
          .matches("^https://(docs\\.aws\\.amazon\\.com|docs\\.amazonaws\\.cn)/.+");
    }
    assertThat(count).isGreaterThanOrEqualTo(25);
  }

  private static String text(JsonNode r, String field, String fallback) {
    return r.hasNonNull(field) ? r.get(field).asText() : fallback;
  }

  private static <E extends Enum<E>> List<E> enums(JsonNode list, Class<E> type) {
    List<E> out = new ArrayList<>();
    for (JsonNode n : list) {
      out.add(Enum.valueOf(type, n.asText()));
    }
    return out;
  }
}
