package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.WorkloadRestart;
import dev.mlops.datastore.reconciler.TransitionEvents;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opt-in ({@code spec.restartStalePods}): restarts the Deployments, StatefulSets and DaemonSets
 * whose pods lack their service account's role, as {@code kubectl rollout restart} does (the pod
 * template annotation {@value #RESTARTED_AT}), so the webhook injects the role into their new
 * pods. Bare pods and Jobs are never touched: nothing would recreate a deleted bare pod, and a
 * Job's pods are not restartable. Each workload is restarted at most once per role: the record
 * lives in {@code status.restartedWorkloads}, never only in memory, so a restarted operator does
 * not restart anything again. Each restart is also an Event on the integration. (The record is
 * written with the status of the same reconcile; only when that write fails after the patch can the
 * retry restart the workload once more.)
 */
final class WorkloadRestarter {
  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
  static final String RESTARTED_REASON = "WorkloadRestarted";
  static final Set<String> RESTARTABLE = Set.of("Deployment", "StatefulSet", "DaemonSet");
  private static final int MAX_RECORDS = 64;
  private static final Logger log = LoggerFactory.getLogger(WorkloadRestarter.class);

  private final Clock clock;

  WorkloadRestarter(Clock clock) {
    this.clock = clock;
  }

  /**
   * The records to keep in the status: those for the current role, plus one per workload restarted
   * (or refused) now.
   *
   * @param retryRefused forget refusals (a check the user asked for, e.g. after granting the patch)
   */
  List<WorkloadRestart> restart(KubernetesClient client, AwsIntegration ai, String roleArn, StalePodFinder.Report report,
      List<WorkloadRestart> previous, boolean retryRefused) {
    List<WorkloadRestart> records = new ArrayList<>();
    if (previous != null) {
      previous.stream()
          .filter(r -> Objects.equals(r.getRoleArn(), roleArn))
          .filter(r -> !(retryRefused && r.getMessage() != null))
          .forEach(records::add);
    }
    if (!Boolean.TRUE.equals(ai.getSpec().getRestartStalePods())) {
      return records;
    }
    String ns = ai.getMetadata().getNamespace();
    for (Map.Entry<String, String> owner : report.owners().entrySet()) {
      String workload = owner.getKey();
      String kind = workload.substring(0, workload.indexOf('/'));
      String name = workload.substring(workload.indexOf('/') + 1);
      if (!RESTARTABLE.contains(kind) || records.stream().anyMatch(r -> r.getWorkload().equals(workload))) {
        continue;
      }
      String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
      WorkloadRestart record = new WorkloadRestart();
      record.setWorkload(workload);
      record.setRoleArn(owner.getValue());
      record.setRestartedAt(now);
      String patch = "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + RESTARTED_AT + "\":\"" + now + "\"}}}}}";
      try {
        var context = PatchContext.of(PatchType.JSON_MERGE);
        switch (kind) {
          case "Deployment" -> client.apps().deployments().inNamespace(ns).withName(name).patch(context, patch);
          case "StatefulSet" -> client.apps().statefulSets().inNamespace(ns).withName(name).patch(context, patch);
          default -> client.apps().daemonSets().inNamespace(ns).withName(name).patch(context, patch);
        }
        log.atInfo().addKeyValue("workload", workload).addKeyValue("role", owner.getValue()).log("restarted workload with stale pods");
        event(client, ai, workload + " restarted (as kubectl rollout restart does): its pods started before their service account was annotated with role "
            + owner.getValue());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 403 && e.getCode() != 404) {
          throw e;
        }
        record.setRestartedAt(null);
        record.setMessage(e.getCode() == 404
            ? workload + " was not found; restart the pods' owner yourself"
            : "the operator may not patch " + kind + "s in " + ns + " (403): install the chart with restartStalePods.enabled=true, then request a check");
        log.atWarn().addKeyValue("workload", workload).addKeyValue("code", e.getCode()).log("could not restart workload");
      }
      records.add(record);
    }
    return records.size() <= MAX_RECORDS ? records : List.copyOf(records.subList(records.size() - MAX_RECORDS, records.size()));
  }

  private void event(KubernetesClient client, AwsIntegration ai, String message) {
    String time = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    var event = new EventBuilder()
        .withNewMetadata()
        .withName(ai.getMetadata().getName() + "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
        .withNamespace(ai.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(ai.getApiVersion())
            .withKind(ai.getKind())
            .withName(ai.getMetadata().getName())
            .withNamespace(ai.getMetadata().getNamespace())
            .withUid(ai.getMetadata().getUid())
            .build())
        .withType("Normal")
        .withReason(RESTARTED_REASON)
        .withMessage(message)
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .withNewSource().withComponent(TransitionEvents.COMPONENT).endSource()
        .withReportingComponent(TransitionEvents.COMPONENT)
        .build();
    try {
      client.v1().events().inNamespace(ai.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      log.atWarn().addKeyValue("code", e.getCode()).log("could not record the restart event");
    }
  }
}
