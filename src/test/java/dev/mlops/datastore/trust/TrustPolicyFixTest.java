package dev.mlops.datastore.trust;

import static dev.mlops.datastore.trust.Policies.P;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The suggested trust policy admits exactly the requested service accounts: over every shipped
 * example policy, DataRobot's four duplicate {@code :sub} keys and the usual mistakes, for random
 * sets of service accounts, our evaluator ALLOWS each requested one and DENIES random others.
 */
class TrustPolicyFixTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> NAMESPACES = List.of("rime", "datarobot", "ml");
  private static final List<String> NAMES = List.of(
      "rime-agent-model-tester", "rime-agent-rime-cross-plane-server", "datarobot-storage-access", "build-service",
      "build-service-image-builder", "dr-lrs-operator", "partner-reader", "trainer", "default");

  @Test
  void shouldAdmitExactlyTheRequestedServiceAccountsWhateverThePolicyWas() throws IOException {
    Map<String, String> bases = basePolicies();
    Random random = new Random(13);
    int checked = 0;
    for (var base : bases.entrySet()) {
      for (int trial = 0; trial < 60; trial++) {
        String ns = NAMESPACES.get(random.nextInt(NAMESPACES.size()));
        List<String> pool = new ArrayList<>(NAMES);
        java.util.Collections.shuffle(pool, random);
        List<TrustRequest> requests = pool.subList(0, 1 + random.nextInt(4)).stream().map(n -> Policies.sa(ns, n)).toList();

        String fixed = TrustPolicyFix.fix(base.getValue(), requests).orElseThrow(() -> new AssertionError("no fix for " + base.getKey()));

        Set<String> requested = new LinkedHashSet<>();
        for (TrustRequest r : requests) {
          assertThat(TrustPolicyEvaluator.evaluate(fixed, r).verdict()).as(base.getKey() + " admits " + r.subject() + " in " + fixed).isEqualTo(Verdict.ALLOWED);
          requested.add(r.subject());
        }
        for (int o = 0; o < 10; o++) {
          TrustRequest outsider = Policies.sa(NAMESPACES.get(random.nextInt(NAMESPACES.size())), NAMES.get(random.nextInt(NAMES.size())) + (o % 2 == 0 ? "" : "-x"));
          if (!requested.contains(outsider.subject())) {
            assertThat(TrustPolicyEvaluator.evaluate(fixed, outsider).verdict()).as(base.getKey() + " denies " + outsider.subject() + " in " + fixed).isEqualTo(Verdict.DENIED);
            checked++;
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(bases.size() * 100);
  }

  @Test
  void shouldTurnDataRobotsFourDuplicateSubKeysIntoOneArray() throws IOException {
    String policy = Files.readString(Path.of("deploy/examples/local/policies/datarobot-s3.json"), StandardCharsets.UTF_8);
    List<TrustRequest> requests = Stream.of("datarobot-storage-access", "build-service", "build-service-image-builder", "dr-lrs-operator")
        .map(n -> Policies.sa("datarobot", n)).toList();

    String suggested = TrustPolicyFix.suggest(policy, requests).orElseThrow();

    assertThat(PolicyParser.parse(suggested).duplicates()).isEmpty();
    JsonNode equals = JSON.readTree(suggested).path("Statement").get(0).path("Condition").path("StringEquals");
    assertThat(equals.get(P + ":sub")).hasSize(4);
    assertThat(equals.get(P + ":sub").toString()).contains("datarobot-storage-access", "build-service-image-builder", "dr-lrs-operator");
    assertThat(equals.get(P + ":aud").asText()).isEqualTo("sts.amazonaws.com");
    for (TrustRequest r : requests) {
      TrustVerdict verdict = TrustPolicyEvaluator.evaluate(suggested, r);
      assertThat(verdict.verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(verdict.warnings()).isEmpty();
    }
  }

  @Test
  void shouldKeepOtherStatementsAsTheyAre() throws IOException {
    String other = "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}";
    String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[" + other + ","
        + Policies.eksctlStyle("ml", "old").replaceFirst("^\\{\"Version\": \"2012-10-17\", \"Statement\": \\[", "").replaceFirst("]}$", "") + "]}";

    String suggested = TrustPolicyFix.suggest(policy, List.of(Policies.sa("ml", "trainer"))).orElseThrow();

    JsonNode statements = JSON.readTree(suggested).path("Statement");
    assertThat(statements).hasSize(2);
    assertThat(statements.get(0)).isEqualTo(JSON.readTree(other));
    assertThat(statements.get(1).path("Condition").path("StringEquals").path(P + ":sub").asText()).isEqualTo("system:serviceaccount:ml:trainer");
  }

  @Test
  void shouldDropOnlyTheDenyThatRefusesARequestedServiceAccount() throws IOException {
    String other = "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}";
    String denyNotebook = "{\"Effect\":\"Deny\",\"Principal\":{\"Federated\":\"" + Policies.PROVIDER + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\","
        + "\"Condition\":{\"StringEquals\":{\"" + P + ":sub\":\"system:serviceaccount:ml:notebook\"}}}";
    String denyTrainer = denyNotebook.replace(":notebook", ":trainer");
    String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[" + other + "," + denyNotebook + "," + denyTrainer + "]}";

    String suggested = TrustPolicyFix.suggest(policy, List.of(Policies.sa("ml", "trainer"))).orElseThrow();

    JsonNode statements = JSON.readTree(suggested).path("Statement");
    assertThat(statements).hasSize(3);
    assertThat(statements.get(0)).isEqualTo(JSON.readTree(other));
    assertThat(statements.get(1)).isEqualTo(JSON.readTree(denyNotebook));
    assertThat(statements.get(2).path("Effect").asText()).isEqualTo("Allow");
  }

  @Test
  void shouldSuggestNothingWhenEveryServiceAccountIsAdmitted() {
    assertThat(TrustPolicyFix.suggest(Policies.robustIntelligence("rime"), List.of(Policies.sa("rime", "rime-agent-model-tester")))).isEmpty();
  }

  @Test
  void shouldQuoteThePolicyForTheShell() {
    assertThat(TrustPolicyFix.command(Policies.ROLE, "{\"a\":\"it's\"}"))
        .isEqualTo("aws iam update-assume-role-policy --role-name rime-s3 --policy-document '{\"a\":\"it'\\''s\"}'");
  }

  private static Map<String, String> basePolicies() throws IOException {
    Map<String, String> bases = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(Path.of("deploy/examples/local/policies"))) {
      for (Path f : files.sorted().toList()) {
        bases.put(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8));
      }
    }
    assertThat(bases).containsKey("datarobot-s3.json");
    bases.put("dataRobotDuplicateKeys", Policies.dataRobotDuplicateKeys("datarobot"));
    bases.put("robustIntelligence", Policies.robustIntelligence("rime"));
    bases.put("eksctl", Policies.eksctlStyle("ml", "trainer"));
    bases.put("wildcardNamespace", Policies.allowWith("{\"StringLike\": {\"" + P + ":sub\": \"system:serviceaccount:ml:*\"}}"));
    bases.put("noCondition", Policies.allowWith("{}"));
    bases.put("forAnyValue", Policies.allowWith("{\"ForAnyValue:StringEquals\": {\"" + P + ":sub\": [\"system:serviceaccount:ml:trainer\"]}}"));
    bases.put("sourceIp", Policies.allowWith("{\"IpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}, \"StringEquals\": {\"" + P + ":sub\": \"system:serviceaccount:ml:trainer\"}}"));
    bases.put("notJson", "{\"Version\": ");
    bases.put("deny", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"" + P + ":sub\":\"system:serviceaccount:ml:trainer\"}}}]}");
    return bases;
  }
}
