package dev.mlops.datastore.reconciler.awsintegration;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static dev.mlops.datastore.testing.Resources.ROLE_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.sandbox.kube.ApplyAsJsonPatchDispatcher.Recorded;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import dev.mlops.datastore.testing.StatusAwait;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The annotation link, exercised through the real operator against the mock API server. */
class AwsIntegrationAnnotationIT {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
  private static final Duration WAIT = Duration.ofSeconds(20);

  private MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster().startOperator(CLOCK);
    Resources.knownRole(cluster);
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void shouldAnnotatePresetServiceAccountsAndBecomeReady() {
    createServiceAccount("rime-agent-model-tester", Map.of());
    createServiceAccount("rime-agent-rime-cross-plane-server", Map.of());

    create(Resources.irsaIntegration("fraud-data", Platform.RobustIntelligence));

    Condition ready = awaitCondition("fraud-data", Conditions.READY, "True");
    assertThat(ready.getReason()).isEqualTo("Ready");
    assertThat(ready.getObservedGeneration()).isEqualTo(1L);
    for (String sa : List.of("rime-agent-model-tester", "rime-agent-rime-cross-plane-server")) {
      assertThat(annotations(sa))
          .containsEntry(IrsaAnnotations.ROLE_ARN, ROLE_ARN)
          .containsEntry(IrsaAnnotations.STS_REGIONAL_ENDPOINTS, "true")
          .containsEntry(IrsaAnnotations.OWNER, "fraud-data")
          .doesNotContainKey(IrsaAnnotations.AUDIENCE);
    }
    AwsIntegration ai = get("fraud-data");
    assertThat(ai.getStatus().getObservedGeneration()).isEqualTo(1L);
    assertThat(ai.getStatus().getServiceAccounts())
        .extracting(s -> s.getName() + "=" + s.getAnnotated())
        .containsExactly("rime-agent-model-tester=true", "rime-agent-rime-cross-plane-server=true");
    assertThat(ai.getStatus().getConditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(1L))
        .extracting(Condition::getType)
        .containsExactlyInAnyOrder("ServiceAccountsAnnotated", "TrustPolicyValid", "CredentialsVerified", "BucketReachable", "Ready", "PodsCurrent");
  }

  @Test
  void shouldWriteNothingWhenAReconcileFindsNothingChanged() {
    createServiceAccount("model-a", Map.of());
    create(Resources.irsaIntegration("fraud-data", Platform.Custom, "model-a"));
    awaitCondition("fraud-data", Conditions.READY, "True");
    await().atMost(WAIT).until(() -> annotations("model-a").containsKey(IrsaAnnotations.OWNER));
    cluster.dispatcher().clearRecorded();

    // A change to the service account that the integration does not care about wakes it up.
    ServiceAccount sa = serviceAccount("model-a");
    sa.getMetadata().setLabels(Map.of("team", "fraud"));
    cluster.client().resource(sa).update();
    // A second, unrelated integration reconciled after it proves the first one's turn has passed.
    createServiceAccount("marker", Map.of());
    create(Resources.irsaIntegration("marker", Platform.Custom, "marker"));
    awaitCondition("marker", Conditions.READY, "True");

    assertThat(patchesTo("/awsintegrations/fraud-data")).isEmpty();
    assertThat(patchesTo("/serviceaccounts/model-a")).isEmpty();
  }

  @Test
  void shouldFollowSpecChangesAndReleaseServiceAccountsNoLongerListed() {
    createServiceAccount("model-a", Map.of());
    createServiceAccount("model-b", Map.of("team", "fraud"));
    create(Resources.irsaIntegration("fraud-data", Platform.Custom, "model-a", "model-b"));
    awaitCondition("fraud-data", Conditions.READY, "True");
    assertThat(annotations("model-b")).containsEntry(IrsaAnnotations.ROLE_ARN, ROLE_ARN);

    AwsIntegration ai = get("fraud-data");
    ai.getSpec().setServiceAccounts(List.of("model-a"));
    ai.getSpec().getAuth().getIrsa().setAudience("rime.example.com");
    cluster.client().resource(ai).update();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(get("fraud-data").getStatus().getObservedGeneration()).isEqualTo(2L);
              assertThat(annotations("model-b")).containsExactlyEntriesOf(Map.of("team", "fraud"));
              assertThat(annotations("model-a"))
                  .containsEntry(IrsaAnnotations.AUDIENCE, "rime.example.com");
            });
    assertThat(get("fraud-data").getStatus().getConditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(2L));
  }

  @Test
  void shouldLeaveAForeignAnnotationAloneAndReportTheConflict() {
    String theirs = "arn:aws:iam::999988887777:role/someone-elses";
    createServiceAccount("model-a", Map.of(IrsaAnnotations.ROLE_ARN, theirs));

    create(Resources.irsaIntegration("fraud-data", Platform.Custom, "model-a"));

    Condition annotated = awaitCondition("fraud-data", "ServiceAccountsAnnotated", "False");
    assertThat(annotated.getReason()).isEqualTo("AnnotationConflict");
    assertThat(annotated.getMessage()).contains("model-a").contains(theirs);
    Condition stalled = awaitCondition("fraud-data", Conditions.STALLED, "True");
    assertThat(stalled.getReason()).isEqualTo("AnnotationConflict");
    assertThat(annotations("model-a")).containsExactlyEntriesOf(Map.of(IrsaAnnotations.ROLE_ARN, theirs));
    assertThat(patchesTo("/serviceaccounts/model-a")).isEmpty();
  }

  @Test
  void shouldNotFightAnotherIntegrationOverOneServiceAccount() {
    createServiceAccount("shared", Map.of());
    create(Resources.irsaIntegration("first", Platform.Custom, "shared"));
    awaitCondition("first", Conditions.READY, "True");

    AwsIntegration second = Resources.irsaIntegration("second", Platform.Custom, "shared");
    second.getSpec().getAuth().getIrsa().setRoleArn("arn:aws:iam::111122223333:role/other");
    create(second);

    Condition annotated = awaitCondition("second", "ServiceAccountsAnnotated", "False");
    assertThat(annotated.getReason()).isEqualTo("ClaimedByOtherIntegration");
    assertThat(annotated.getMessage()).contains("AwsIntegration first");
    assertThat(annotations("shared"))
        .containsEntry(IrsaAnnotations.ROLE_ARN, ROLE_ARN)
        .containsEntry(IrsaAnnotations.OWNER, "first");
    assertThat(conditionOf("first", Conditions.READY).map(Condition::getStatus)).contains("True");
  }

  @Test
  void shouldAnnotateAServiceAccountCreatedAfterTheIntegration() {
    create(Resources.irsaIntegration("fraud-data", Platform.Custom, "late"));
    Condition missing = awaitCondition("fraud-data", "ServiceAccountsAnnotated", "False");
    assertThat(missing.getReason()).isEqualTo("ServiceAccountNotFound");
    assertThat(conditionOf("fraud-data", Conditions.STALLED)).isEmpty();

    createServiceAccount("late", Map.of());

    awaitCondition("fraud-data", Conditions.READY, "True");
    assertThat(annotations("late")).containsEntry(IrsaAnnotations.ROLE_ARN, ROLE_ARN);
  }

  @Test
  void shouldRemoveOnlyItsOwnAnnotationsWhenDeleted() {
    Map<String, String> foreign =
        Map.of("eks.amazonaws.com/token-expiration", "3600", "team", "fraud");
    createServiceAccount("model-a", foreign);
    create(Resources.irsaIntegration("fraud-data", Platform.Custom, "model-a"));
    awaitCondition("fraud-data", Conditions.READY, "True");
    assertThat(get("fraud-data").getMetadata().getFinalizers()).isNotEmpty();

    cluster.client().resource(get("fraud-data")).delete();

    await().atMost(WAIT).until(() -> get("fraud-data") == null);
    assertThat(annotations("model-a")).containsExactlyInAnyOrderEntriesOf(foreign);
  }

  @Test
  void shouldNotRemoveAnAnnotationChangedByAPersonAfterItWasWritten() {
    createServiceAccount("model-a", Map.of());
    create(Resources.irsaIntegration("fraud-data", Platform.Custom, "model-a"));
    awaitCondition("fraud-data", Conditions.READY, "True");

    ServiceAccount sa = serviceAccount("model-a");
    sa.getMetadata().getAnnotations().put(IrsaAnnotations.STS_REGIONAL_ENDPOINTS, "false");
    cluster.client().resource(sa).update();
    awaitCondition("fraud-data", "ServiceAccountsAnnotated", "False");

    cluster.client().resource(get("fraud-data")).delete();
    await().atMost(WAIT).until(() -> get("fraud-data") == null);

    assertThat(annotations("model-a"))
        .containsExactlyEntriesOf(Map.of(IrsaAnnotations.STS_REGIONAL_ENDPOINTS, "false"));
  }

  @Test
  void shouldAnnotateNothingForAccessKeyAuthAndReleaseWhatIrsaWrote() {
    createServiceAccount("model-a", Map.of());
    create(Resources.irsaIntegration("fraud-data", Platform.Custom, "model-a"));
    awaitCondition("fraud-data", Conditions.READY, "True");

    AwsIntegration ai = get("fraud-data");
    ai.getSpec().setAuth(Resources.accessKeyIntegration("x", Platform.Custom).getSpec().getAuth());
    cluster.client().resource(ai).update();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Condition c = conditionOf("fraud-data", "ServiceAccountsAnnotated").orElseThrow();
              assertThat(c.getReason()).isEqualTo("NotRequired");
              assertThat(annotations("model-a")).isEmpty();
            });
  }

  @Test
  void shouldRecordAnEventOnTransitionsOnly() {
    create(Resources.irsaIntegration("fraud-data", Platform.Custom, "late"));
    awaitCondition("fraud-data", "ServiceAccountsAnnotated", "False");
    createServiceAccount("late", Map.of());
    awaitCondition("fraud-data", Conditions.READY, "True");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(eventReasons())
                    .containsExactlyInAnyOrder(
                        // Ready appearing False: a failure, one Warning (no Event per condition)
                        "ServiceAccountNotFound",
                        // Ready becoming True: the recovery
                        "Ready"));
  }

  private List<String> eventReasons() {
    return cluster.client().v1().events().inNamespace(NAMESPACE).list().getItems().stream()
        .filter(e -> "fraud-data".equals(e.getInvolvedObject().getName()))
        .map(io.fabric8.kubernetes.api.model.Event::getReason)
        .toList();
  }

  private List<Recorded> patchesTo(String pathSuffix) {
    return cluster.dispatcher().requests().stream()
        .filter(Recorded::isPatch)
        .filter(r -> r.pathWithoutQuery().endsWith(pathSuffix) || r.pathWithoutQuery().endsWith(pathSuffix + "/status"))
        .toList();
  }

  private void create(AwsIntegration ai) {
    cluster.client().resource(ai).create();
  }

  private void createServiceAccount(String name, Map<String, String> annotations) {
    cluster.client().resource(Resources.serviceAccount(name, annotations)).create();
  }

  private ServiceAccount serviceAccount(String name) {
    return cluster.client().serviceAccounts().inNamespace(NAMESPACE).withName(name).get();
  }

  private Map<String, String> annotations(String sa) {
    Map<String, String> a = serviceAccount(sa).getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  private AwsIntegration get(String name) {
    return cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private Optional<Condition> conditionOf(String name, String type) {
    return StatusAwait.condition(cluster.client(), AwsIntegration.class, NAMESPACE, name, type);
  }

  private Condition awaitCondition(String name, String type, String status) {
    return StatusAwait.awaitCondition(cluster.client(), AwsIntegration.class, NAMESPACE, name, type, status);
  }

}
