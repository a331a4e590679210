package dev.mlops.datastore.reconciler.awsintegration;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorMain;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.sandbox.kube.ApplyAsJsonPatchDispatcher.Recorded;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Status writes against an API that raises what a real one raises: a write made on a stale
 * resourceVersion gets 409, /status ignores everything but status, and every write is recorded
 * with its field manager.
 */
class StatusConflictIT {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String PATH = "/apis/datastore.mlops.dev/v1alpha1/namespaces/ml/awsintegrations/fraud-data";
  private static final String SA_PATH = "/api/v1/namespaces/ml/serviceaccounts/model-a";
  private static final String LABEL_EDIT = "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"team\":\"fraud\"}}]";
  /** The test's own writes go through fabric8's default User-Agent. */
  private static final String TEST_CLIENT = "fabric8-kubernetes-client";

  private MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    Resources.knownRole(cluster);
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    cluster.client().resource(Resources.serviceAccount("model-a")).create();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void shouldConvergeWithOneStatusWriteAndNoEventWhenALabelEditRacesTheStatusWrite() {
    // Someone labels the integration just before the operator's first status write arrives: the
    // write carries the resourceVersion the operator read, now stale.
    cluster.dispatcher().beforeNextWrite("PATCH", PATH + "/status", PATH, LABEL_EDIT);
    cluster.startOperator(CLOCK);

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "model-a")).create();

    await().atMost(WAIT).until(() -> ready("fraud-data"));
    settle();
    List<Recorded> statusWrites = writesTo(PATH + "/status");
    assertThat(statusWrites).filteredOn(r -> r.code() == 409).hasSize(1);
    assertThat(statusWrites).filteredOn(Recorded::succeeded).hasSize(1);
    // Ready first appearing True is in the status; an Event is for failures and changes only, and
    // the write retried after the 409 does not make one either.
    assertThat(readyEvents("fraud-data")).isEmpty();
    assertThat(get().getMetadata().getLabels()).containsEntry("team", "fraud");
  }

  @Test
  void shouldWriteOnlyTheStatusOnTheErrorPathAndKeepAConcurrentLabel() {
    // The service account patch fails (409, someone changed it) right after someone labelled the
    // integration: the reconcile fails, and the failure is written as Reconciling while the
    // resource it read predates the label.
    cluster.dispatcher().beforeNextWrite("PATCH", SA_PATH, PATH, LABEL_EDIT);
    cluster.server().expect().patch().withPath(SA_PATH)
        .andReturn(409, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409}")
        .once();
    cluster.startOperator(CLOCK);

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "model-a")).create();

    await().atMost(WAIT).until(() -> ready("fraud-data"));
    // The failure goes through the one status writer: only the status, by name, pinned to the
    // resourceVersion it was decided on; the label edit makes that stale, so a 409 may come first
    // and the write is made again on fresh data.
    List<Recorded> failureWrites = writesTo(PATH + "/status").stream()
        .filter(r -> r.body().contains("KubernetesApiError")).toList();
    assertThat(failureWrites).filteredOn(Recorded::succeeded).as("the failure is shown on the resource").isNotEmpty();
    assertThat(failureWrites).allSatisfy(r -> assertThat(r.body()).doesNotContain("\"spec\"", "\"labels\""));
    AwsIntegration stored = get();
    assertThat(stored.getMetadata().getLabels()).containsEntry("team", "fraud");
    assertThat(stored.getSpec().getBucket()).isEqualTo(Resources.BUCKET);
  }

  @Test
  void shouldMakeEveryWriteUnderTheOperatorsOneFieldManager() {
    cluster.startOperator(CLOCK);

    // Not Ready at first (a service account is missing: a Warning Event), Ready once it exists.
    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "model-a", "late")).create();
    await().atMost(WAIT).until(() -> !readyEvents("fraud-data").isEmpty());
    cluster.client().resource(Resources.serviceAccount("late")).create();

    await().atMost(WAIT).until(() -> ready("fraud-data"));
    List<Recorded> operatorWrites = cluster.dispatcher().requests().stream()
        .filter(r -> !r.method().equals("GET") && !r.method().equals("DELETE"))
        .filter(r -> !r.fieldManager().equals(TEST_CLIENT))
        .toList();
    assertThat(operatorWrites).extracting(Recorded::fieldManager).containsOnly(OperatorMain.FIELD_MANAGER);
    assertThat(operatorWrites).extracting(Recorded::pathWithoutQuery)
        .anyMatch(p -> p.equals(PATH + "/status"))
        .anyMatch(p -> p.equals(SA_PATH))
        .anyMatch(p -> p.endsWith("/events"));
    assertThat(cluster.dispatcher().managers(PATH))
        .anySatisfy(m -> assertThat(m.manager() + "/" + m.subresource()).isEqualTo(OperatorMain.FIELD_MANAGER + "/status"));
  }

  /** A second integration reconciled to Ready proves the first one's queued turns have passed. */
  private void settle() {
    cluster.client().resource(Resources.serviceAccount("marker")).create();
    cluster.client().resource(Resources.irsaIntegration("marker", Platform.Custom, "marker")).create();
    await().atMost(WAIT).until(() -> ready("marker"));
  }

  private boolean ready(String name) {
    AwsIntegration ai = cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName(name).get();
    return ai != null && ai.getStatus() != null
        && Conditions.find(ai.getStatus().getConditions(), Conditions.READY).map(c -> c.getStatus().equals("True")).orElse(false);
  }

  private AwsIntegration get() {
    return cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data").get();
  }

  private List<Recorded> writesTo(String path) {
    return cluster.dispatcher().requests().stream()
        .filter(r -> r.isPatch() && r.pathWithoutQuery().equals(path))
        .toList();
  }

  private List<Event> readyEvents(String name) {
    return cluster.client().v1().events().inNamespace(NAMESPACE).list().getItems().stream()
        .filter(e -> e.getInvolvedObject().getName().equals(name))
        .filter(e -> e.getMessage().startsWith(Conditions.READY + "="))
        .toList();
  }
}
