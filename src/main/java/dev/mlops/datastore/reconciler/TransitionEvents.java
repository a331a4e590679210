package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.api.v1alpha1.Condition;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits a Kubernetes Event for each condition whose status or reason changed, and only then, so
 * {@code kubectl describe} tells the story of a resource without one event per reconcile.
 */
public final class TransitionEvents {
  private static final Logger log = LoggerFactory.getLogger(TransitionEvents.class);
  public static final String COMPONENT = "aws-datastore-operator";

  private final KubernetesClient client;
  private final Clock clock;

  public TransitionEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void emit(HasMetadata resource, List<Condition> before, List<Condition> after) {
    for (Condition now : after) {
      Condition old = Conditions.find(before, now.getType()).orElse(null);
      boolean changed =
          old == null
              || !Objects.equals(old.getStatus(), now.getStatus())
              || !Objects.equals(old.getReason(), now.getReason());
      if (changed) {
        record(resource, now);
      }
    }
  }

  private void record(HasMetadata resource, Condition condition) {
    boolean bad = isBad(condition);
    String time = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withName(
                resource.getMetadata().getName()
                    + "."
                    + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
            .withNamespace(resource.getMetadata().getNamespace())
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(resource.getApiVersion())
                    .withKind(resource.getKind())
                    .withName(resource.getMetadata().getName())
                    .withNamespace(resource.getMetadata().getNamespace())
                    .withUid(resource.getMetadata().getUid())
                    .build())
            .withType(bad ? "Warning" : "Normal")
            .withReason(condition.getReason())
            .withMessage(
                condition.getType() + "=" + condition.getStatus() + ": " + condition.getMessage())
            .withFirstTimestamp(time)
            .withLastTimestamp(time)
            .withCount(1)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .build();
    try {
      client.v1().events().inNamespace(resource.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // An event is a courtesy; the status already carries the same facts.
      log.atWarn()
          .addKeyValue("reason", condition.getReason())
          .addKeyValue("code", e.getCode())
          .log("could not record event");
    }
  }

  private static boolean isBad(Condition c) {
    String type = c.getType().toLowerCase(Locale.ROOT);
    if (type.equals("stalled")) {
      return Conditions.TRUE.equals(c.getStatus());
    }
    if (type.equals("reconciling")) {
      return false;
    }
    return Conditions.FALSE.equals(c.getStatus());
  }
}
