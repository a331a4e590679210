package dev.mlops.datastore.reconciler;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Dataset;
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
 * Events tell failures and recoveries, not every first status: at ten thousand Datasets one Event
 * per Dataset that becomes Ready was five times the status writes. Sent off the reconcile thread,
 * once per object and reason within the window, and within a rate over all objects.
 */
class TransitionEventsIT {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void shouldStaySilentWhenReadyFirstAppearsTrue() {
    TransitionEvents events = new TransitionEvents(cluster.client(), CLOCK);

    events.emit(dataset("a"), List.of(), List.of(ready("True", "Ready")));
    events.close();

    assertThat(events.sent()).isZero();
    assertThat(stored()).isEmpty();
  }

  @Test
  void shouldWarnOnceOfAFailureAndTellTheRecovery() {
    TransitionEvents events = new TransitionEvents(cluster.client(), CLOCK);
    Dataset ds = dataset("a");

    events.emit(ds, List.of(), List.of(ready("False", "ObjectNotFound")));
    // The same failure again (a retry that wrote the same status after a conflict): only counted.
    events.emit(ds, List.of(), List.of(ready("False", "ObjectNotFound")));
    events.emit(ds, List.of(ready("False", "ObjectNotFound")), List.of(ready("True", "Ready")));
    // Another condition changing while Ready stays as it was: Ready's reason already says it.
    events.emit(ds, List.of(ready("True", "Ready")), List.of(ready("True", "Ready")));

    await().atMost(WAIT).until(() -> stored().size() == 2);
    assertThat(stored()).extracting(Event::getType, Event::getReason)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("Warning", "ObjectNotFound"), org.assertj.core.groups.Tuple.tuple("Normal", "Ready"));
    assertThat(events.deduplicated()).isEqualTo(1);
  }

  @Test
  void shouldDropWhatIsOverTheRateAndCountIt() {
    TransitionEvents events = new TransitionEvents(cluster.client(), CLOCK, new TransitionEvents.Limits(3, 1, Duration.ofMinutes(10), 100, 100));

    for (int i = 0; i < 5; i++) {
      events.emit(dataset("d" + i), List.of(), List.of(ready("False", "AccessDenied")));
    }
    events.close();

    // The clock does not move: the burst of 3 is all there is.
    assertThat(events.sent()).isEqualTo(3);
    assertThat(events.dropped()).isEqualTo(2);
    assertThat(stored()).hasSize(3);
  }

  private List<Event> stored() {
    return cluster.client().v1().events().inNamespace(NAMESPACE).list().getItems();
  }

  private static Dataset dataset(String name) {
    Dataset ds = Resources.dataset(name, "fraud-data");
    ds.getMetadata().setUid("uid-" + name);
    return ds;
  }

  private static Condition ready(String status, String reason) {
    Condition c = new Condition();
    c.setType(Conditions.READY);
    c.setStatus(status);
    c.setReason(reason);
    c.setMessage("a message for a person");
    return c;
  }
}
