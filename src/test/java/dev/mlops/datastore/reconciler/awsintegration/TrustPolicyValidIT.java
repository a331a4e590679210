package dev.mlops.datastore.reconciler.awsintegration;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static dev.mlops.datastore.testing.Resources.PROVIDER_ARN;
import static dev.mlops.datastore.testing.Resources.ROLE_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.api.v1alpha1.ServiceAccountStatus;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import dev.mlops.datastore.testing.StatusAwait;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The trust link against an IAM speaking the real query protocol, through the real operator. */
class TrustPolicyValidIT {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String P = PROVIDER_ARN.substring(PROVIDER_ARN.indexOf("oidc-provider/") + 14);

  private MockCluster cluster;

  private void start(Map<String, String> env) {
    cluster = new MockCluster();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    cluster.startOperator(CLOCK, env);
  }

  private void start() {
    start(Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER));
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String robustIntelligencePolicy() {
    return """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "%s"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {"StringEquals": {"%s:sub": ["system:serviceaccount:%s:rime-agent-model-tester",
                                                   "system:serviceaccount:%s:rime-agent-rime-cross-plane-server"]}}}]}"""
        .formatted(PROVIDER_ARN, P, NAMESPACE, NAMESPACE);
  }

  @Test
  void shouldReportPerServiceAccountVerdictsWithTwoIamCallsPerCheck() {
    start();
    world().role(ROLE_ARN, robustIntelligencePolicy(), List.of("system:serviceaccount:" + NAMESPACE + ":rime-agent-*"));
    world().provider(PROVIDER_ARN, MockCluster.ISSUER, cluster.tokens().publicKey(), "sts.amazonaws.com");
    serviceAccounts("rime-agent-model-tester", "rime-agent-rime-cross-plane-server");

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.RobustIntelligence, "notebook")).create();

    Condition trust = awaitCondition("TrustPolicyValid", c -> c.getReason().equals("TrustPolicyDenies"));
    assertThat(trust.getStatus()).isEqualTo("False");
    assertThat(trust.getMessage()).contains("notebook: SubjectNotMatched");
    AwsIntegration ai = get();
    assertThat(ai.getStatus().getOidcIssuer()).isEqualTo(MockCluster.ISSUER);
    assertThat(ai.getStatus().getLastCheckTime()).isEqualTo("2026-11-22T10:00:00Z");
    assertThat(row(ai, "rime-agent-model-tester").getTrust()).isEqualTo("Allowed");
    assertThat(row(ai, "rime-agent-model-tester").getReasons()).isNull();
    assertThat(row(ai, "rime-agent-model-tester").getWarnings()).containsExactly("MissingAudienceCondition");
    assertThat(row(ai, "notebook").getTrust()).isEqualTo("Denied");
    assertThat(row(ai, "notebook").getReasons()).containsExactly("SubjectNotMatched");
    assertThat(Conditions.find(ai.getStatus().getConditions(), Conditions.READY).orElseThrow().getStatus()).isEqualTo("False");
    assertThat(cluster.aws().iamActions()).containsExactly("GetRole", "GetOpenIDConnectProvider");

    // Reconciles woken by service accounts (the late one appears, an unrelated label changes) and
    // Datasets read no IAM: the facts are kept for the check interval.
    serviceAccounts("notebook");
    awaitRow("notebook", r -> Boolean.TRUE.equals(r.getAnnotated()));
    ServiceAccount sa = cluster.client().serviceAccounts().inNamespace(NAMESPACE).withName("rime-agent-model-tester").get();
    sa.getMetadata().setLabels(Map.of("touched", "yes"));
    cluster.client().resource(sa).update();
    for (int i = 0; i < 5; i++) {
      cluster.client().resource(Resources.dataset("ds-" + i, "fraud-data")).create();
    }
    await().atMost(WAIT).until(() -> cluster.client().resources(dev.mlops.datastore.api.v1alpha1.Dataset.class)
        .inNamespace(NAMESPACE).list().getItems().stream().allMatch(d -> d.getStatus() != null));
    assertThat(cluster.aws().iamActions()).containsExactly("GetRole", "GetOpenIDConnectProvider");
  }

  @Test
  void shouldReadIamAgainWhenTheSpecChanges() {
    start();
    Resources.knownRole(cluster);
    serviceAccounts("a");
    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();
    awaitCondition("TrustPolicyValid", c -> c.getStatus().equals("True"));
    assertThat(cluster.aws().iamActions()).hasSize(2);

    AwsIntegration ai = get();
    ai.getSpec().setServiceAccounts(List.of("a", "b"));
    cluster.client().resource(ai).update();

    await().atMost(WAIT).until(() -> get().getStatus().getObservedGeneration() == 2L);
    assertThat(cluster.aws().iamActions()).hasSize(4);
  }

  @Test
  void shouldExplainDataRobotsDuplicateKeysAndTheMissingEcrPolicy() {
    start();
    String policy = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "%1$s"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {"StringEquals": {
            "%2$s:sub": "system:serviceaccount:%3$s:datarobot-storage-access",
            "%2$s:sub": "system:serviceaccount:%3$s:build-service",
            "%2$s:sub": "system:serviceaccount:%3$s:build-service-image-builder",
            "%2$s:sub": "system:serviceaccount:%3$s:dr-lrs-operator"}}}]}""".formatted(PROVIDER_ARN, P, NAMESPACE);
    world().role(ROLE_ARN, policy, List.of("system:serviceaccount:" + NAMESPACE + ":*"), "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
    world().provider(PROVIDER_ARN, MockCluster.ISSUER, cluster.tokens().publicKey(), "sts.amazonaws.com");
    serviceAccounts("datarobot-storage-access", "build-service", "build-service-image-builder", "dr-lrs-operator");

    cluster.client().resource(Resources.irsaIntegration("dr", Platform.DataRobot)).create();

    Condition trust = awaitCondition("TrustPolicyValid", c -> c.getReason().equals("TrustPolicyDenies"));
    assertThat(trust.getMessage()).contains("MalformedPolicy").contains("AmazonEC2ContainerRegistryPowerUser");
    AwsIntegration ai = get();
    assertThat(ai.getStatus().getRoleWarnings()).containsExactly("MissingEcrPowerUserPolicy");
    for (ServiceAccountStatus row : ai.getStatus().getServiceAccounts()) {
      assertThat(row.getTrust()).isEqualTo("Denied");
      assertThat(row.getReasons()).containsExactly("MalformedPolicy");
      assertThat(row.getWarnings()).contains("DuplicateKey");
    }
    assertThat(cluster.aws().iamActions()).containsExactlyInAnyOrder("GetRole", "GetOpenIDConnectProvider", "ListAttachedRolePolicies");

    // The fix: one :sub key with the four names, verified, and the command that applies it.
    String suggested = ai.getStatus().getTrust().getSuggestedPolicy();
    assertThat(dev.mlops.datastore.trust.PolicyParser.parse(suggested).duplicates()).isEmpty();
    for (ServiceAccountStatus row : ai.getStatus().getServiceAccounts()) {
      var request = new dev.mlops.datastore.trust.TrustRequest(ROLE_ARN, MockCluster.ISSUER, NAMESPACE, row.getName(), "sts.amazonaws.com");
      assertThat(dev.mlops.datastore.trust.TrustPolicyEvaluator.evaluate(suggested, request).allowed()).as(row.getName()).isTrue();
    }
    assertThat(ai.getStatus().getTrust().getSuggestedCommand()).startsWith("aws iam update-assume-role-policy --role-name rime-s3 --policy-document '{");
    assertThat(trust.getMessage()).contains("status.trust.suggestedPolicy");

    // Applied, and checked at once on request: the role now admits all four, and the suggestion is gone.
    world().role(ROLE_ARN, suggested, List.of("system:serviceaccount:" + NAMESPACE + ":*"), "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
    cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("dr")
        .edit(r -> {
          r.getMetadata().setAnnotations(Map.of(dev.mlops.datastore.reconciler.CheckRequests.ANNOTATION, "fixed"));
          return r;
        });
    awaitCondition("TrustPolicyValid", c -> c.getReason().equals("TrustPolicyAllows"));
    assertThat(get().getStatus().getTrust()).isNull();
  }

  @Test
  void shouldSayIamReadDeniedAndStillAnnotate() {
    start();
    Resources.knownRole(cluster);
    world().denyIam("GetRole");
    serviceAccounts("a");

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();

    Condition trust = awaitCondition("TrustPolicyValid", c -> c.getReason().equals("IamReadDenied"));
    assertThat(trust.getStatus()).isEqualTo("Unknown");
    assertThat(trust.getMessage()).contains("iam:GetRole");
    Condition ready = awaitCondition(Conditions.READY, c -> true);
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getMessage()).contains("not verified: TrustPolicyValid (IamReadDenied)");
    assertThat(cluster.client().serviceAccounts().inNamespace(NAMESPACE).withName("a").get().getMetadata().getAnnotations())
        .containsEntry(IrsaAnnotations.ROLE_ARN, ROLE_ARN);
  }

  @Test
  void shouldReportAMissingProviderAndAnAudienceTheProviderDoesNotList() {
    start();
    world().role(ROLE_ARN, Resources.trustPolicyForNamespace(NAMESPACE), List.of("system:serviceaccount:" + NAMESPACE + ":*"));
    serviceAccounts("a");
    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();

    Condition missing = awaitCondition("TrustPolicyValid", c -> c.getReason().equals("OidcProviderNotFound"));
    assertThat(missing.getMessage()).contains(PROVIDER_ARN).contains("111122223333");

    world().provider(PROVIDER_ARN, MockCluster.ISSUER, cluster.tokens().publicKey(), "some-other-client");
    AwsIntegration ai = get();
    ai.getSpec().setServiceAccounts(List.of("a", "b")); // a spec change asks IAM again
    cluster.client().resource(ai).update();

    Condition audience = awaitCondition("TrustPolicyValid", c -> c.getReason().equals("AudienceNotInProvider"));
    assertThat(audience.getMessage()).contains("sts.amazonaws.com").contains("some-other-client");
  }

  @Test
  void shouldReportAMissingRole() {
    start();
    serviceAccounts("a");
    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();

    Condition trust = awaitCondition("TrustPolicyValid", c -> c.getReason().equals("RoleNotFound"));
    assertThat(trust.getStatus()).isEqualTo("False");
    assertThat(trust.getMessage()).contains(ROLE_ARN);
  }

  @Test
  void shouldLearnTheIssuerFromTheDiscoveryDocument() {
    String discovered = "https://oidc.eks.eu-west-1.amazonaws.com/id/DISCOVERED0000000000000000000000";
    cluster = new MockCluster();
    cluster.server().expect().get().withPath("/.well-known/openid-configuration")
        .andReturn(200, "{\"issuer\": \"" + discovered + "\", \"jwks_uri\": \"" + discovered + "/keys\"}").always();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    cluster.startOperator(CLOCK, Map.of());
    Resources.knownRole(cluster);
    serviceAccounts("a");

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();

    await().atMost(WAIT).until(() -> get() != null && get().getStatus() != null && get().getStatus().getOidcIssuer() != null);
    assertThat(get().getStatus().getOidcIssuer()).isEqualTo(discovered);
    // This cluster's issuer is not the one the role trusts: the diagnosis says so.
    assertThat(row(get(), "a").getReasons()).containsExactly("NoStatementForProvider");
  }

  @Test
  void shouldFallBackToTheIssuerOfATokenRequestTokenAndKeepTheTokenNowhere() {
    String tokenIssuer = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"iss\":\"" + tokenIssuer + "\",\"sub\":\"system:serviceaccount:ml:a\",\"aud\":[\"sts.amazonaws.com\"]}").getBytes(StandardCharsets.UTF_8));
    String token = "eyJhbGciOiJSUzI1NiJ9." + payload + ".c2lnbmF0dXJlLW5vdC1jaGVja2Vk";
    cluster = new MockCluster().withoutTokenMinting();
    cluster.server().expect().post().withPath("/api/v1/namespaces/ml/serviceaccounts/a/token")
        .andReturn(201, new TokenRequestBuilder().withNewStatus().withToken(token).withExpirationTimestamp("2026-11-22T10:10:00Z").endStatus().build())
        .always();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    cluster.startOperator(CLOCK, Map.of());
    Resources.knownRole(cluster);
    serviceAccounts("a");

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();

    awaitCondition("TrustPolicyValid", c -> c.getStatus().equals("True"));
    assertThat(get().getStatus().getOidcIssuer()).isEqualTo(tokenIssuer);
    String everything = io.fabric8.kubernetes.client.utils.Serialization.asJson(get())
        + cluster.client().v1().events().inNamespace(NAMESPACE).list().getItems();
    assertThat(everything).doesNotContain(payload).doesNotContain("c2lnbmF0dXJl");
  }

  private dev.mlops.datastore.sandbox.aws.AwsWorld world() {
    return cluster.aws().world();
  }

  private void serviceAccounts(String... names) {
    for (String name : names) {
      cluster.client().resource(Resources.serviceAccount(name, Map.of())).create();
    }
  }

  private AwsIntegration get() {
    List<AwsIntegration> all = cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).list().getItems();
    return all.isEmpty() ? null : all.get(0);
  }

  private static ServiceAccountStatus row(AwsIntegration ai, String name) {
    return ai.getStatus().getServiceAccounts().stream().filter(r -> r.getName().equals(name)).findFirst().orElseThrow();
  }

  private void awaitRow(String name, java.util.function.Predicate<ServiceAccountStatus> test) {
    await().atMost(WAIT).until(() -> {
      AwsIntegration ai = get();
      return ai != null && ai.getStatus() != null && ai.getStatus().getServiceAccounts() != null
          && ai.getStatus().getServiceAccounts().stream().anyMatch(r -> r.getName().equals(name) && test.test(r));
    });
  }

  private Condition awaitCondition(String type, java.util.function.Predicate<Condition> test) {
    await().atMost(WAIT).until(() -> condition(type).map(test::test).orElse(false));
    return condition(type).orElseThrow();
  }

  private Optional<Condition> condition(String type) {
    return Conditions.find(StatusAwait.conditions(get()), type);
  }
}
