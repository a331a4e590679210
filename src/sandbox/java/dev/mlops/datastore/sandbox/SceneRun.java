package dev.mlops.datastore.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.OperatorMain;
import dev.mlops.datastore.sandbox.SceneSteps.Step;
import dev.mlops.datastore.sandbox.SceneSteps.Target;
import dev.mlops.datastore.sandbox.aws.LocalAws;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Runs the operator of a sandbox and the ordered steps of its scene against the embedded cluster,
 * the local AWS and their shared {@link SceneClock}, and keeps a report of each step (with, for a
 * wait, what every resource and ServiceAccount looked like when it ended) for {@code --output json}.
 */
final class SceneRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(300);

  private final KubernetesClient client;
  private final LocalAws aws;
  private final SceneClock clock;
  private final ArrayNode reports = JSON.createArrayNode();
  private Operator operator;

  SceneRun(KubernetesClient client, LocalAws aws, SceneClock clock) {
    this.client = client;
    this.aws = aws;
    this.clock = clock;
  }

  void startOperator() {
    operator = OperatorMain.create(client, OperatorConfig.fromEnvironment(Map.of(OperatorConfig.HTTP_PORT, "0",
        OperatorConfig.MIN_CHECK_INTERVAL, "10s")), clock, new SimpleMeterRegistry(), aws.services());
    operator.start();
  }

  synchronized void stopOperator() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
  }

  ArrayNode reports() {
    return reports;
  }

  /**
   * Runs the steps in order, stopping at the first that fails (a wait not met, an object missing);
   * prints a line per step to {@code progress} when given. True when every step succeeded.
   */
  boolean run(List<Step> steps, PrintStream progress) throws InterruptedException {
    for (Step step : steps) {
      ObjectNode report = reports.addObject().put("step", step.index()).put("does", step.text());
      String problem;
      try {
        problem = perform(step, report);
      } catch (KubernetesClientException e) {
        problem = "the API server refused it (" + e.getMessage().lines().findFirst().orElse("") + ")";
      }
      report.put("ok", problem == null);
      if (problem != null) {
        report.put("problem", problem);
      }
      if (progress != null) {
        progress.println("step " + step.index() + ": " + step.text() + (problem == null ? ": done" : ": FAILED: " + problem));
        if (step instanceof SceneSteps.Wait) {
          progress.println(StatusView.table(client));
        }
      }
      if (problem != null) {
        return false;
      }
    }
    return true;
  }

  /** Does one step; null when it succeeded, else what went wrong. */
  private String perform(Step step, ObjectNode report) throws InterruptedException {
    if (step instanceof SceneSteps.Apply apply) {
      for (HasMetadata o : apply.objects()) {
        String ns = o.getMetadata().getNamespace();
        if (ns != null && client.namespaces().withName(ns).get() == null) {
          client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        }
        client.resource(o).createOr(NonDeletingOperation::update);
      }
      return null;
    }
    if (step instanceof SceneSteps.Edit edit) {
      if (resource(edit.target()).get() == null) {
        return edit.target() + " does not exist";
      }
      resource(edit.target()).patch(PatchContext.of(PatchType.JSON_MERGE), edit.patch().toString());
      return null;
    }
    if (step instanceof SceneSteps.Delete delete) {
      return resource(delete.target()).delete().isEmpty() ? delete.target() + " does not exist" : null;
    }
    if (step instanceof SceneSteps.AdvanceClock advance) {
      clock.advance(advance.by());
      report.put("clock", clock.instant().toString());
      return null;
    }
    if (step instanceof SceneSteps.RestartOperator) {
      stopOperator();
      startOperator();
      return null;
    }
    SceneSteps.Wait wait = (SceneSteps.Wait) step;
    boolean met = wait.settled() ? LocalSandbox.awaitSettled(client, wait.timeout()) : awaitTarget(wait);
    report.put("met", met);
    report.setAll(StatusView.view(client));
    return met ? null : "not met within " + wait.timeout().toSeconds() + "s";
  }

  private boolean awaitTarget(SceneSteps.Wait wait) throws InterruptedException {
    Instant deadline = Instant.now().plus(wait.timeout());
    Instant since = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    while (true) {
      if (meets(resource(wait.target()).get(), wait, since)) {
        return true;
      }
      if (Instant.now().isAfter(deadline)) {
        return false;
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /**
   * Whether the object is as the wait asks; a condition counts only once written for the object's
   * generation (and, for a fresh wait, in a status whose lastCheckTime is not before {@code since}).
   */
  static boolean meets(GenericKubernetesResource object, SceneSteps.Wait wait, Instant since) {
    if (wait.gone()) {
      return object == null;
    }
    if (object == null) {
      return false;
    }
    if (wait.annotation() != null) {
      return object.getMetadata().getAnnotations() != null && object.getMetadata().getAnnotations().containsKey(wait.annotation());
    }
    JsonNode status = JSON.valueToTree(object.getAdditionalProperties()).path("status");
    if (wait.fresh() && (!status.path("lastCheckTime").isTextual() || Instant.parse(status.path("lastCheckTime").asText()).isBefore(since))) {
      return false;
    }
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asText().equals(wait.condition())) {
        Long generation = object.getMetadata().getGeneration();
        boolean current = generation == null || !c.has("observedGeneration") || c.path("observedGeneration").asLong() == generation;
        return current && c.path("status").asText().equals(wait.status()) && (wait.reason() == null || c.path("reason").asText().equals(wait.reason()));
      }
    }
    return false;
  }

  private Resource<GenericKubernetesResource> resource(Target t) {
    String apiVersion = t.kind().equals("AwsIntegration") || t.kind().equals("Dataset") ? "datastore.mlops.dev/v1alpha1" : "v1";
    var resources = client.genericKubernetesResources(apiVersion, t.kind());
    return t.namespace() == null ? resources.withName(t.name()) : resources.inNamespace(t.namespace()).withName(t.name());
  }
}
