package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.reconciler.awsintegration.AnnotationPlanner.Outcome;
import dev.mlops.datastore.reconciler.awsintegration.AwsIntegrationStatusFactory;
import dev.mlops.datastore.reconciler.awsintegration.StatusFixtures;
import dev.mlops.datastore.reconciler.dataset.DatasetStatusFactory;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * What GitOps tools conclude from the statuses the operator writes: kstatus (kubectl wait, Flux,
 * kpt) by its documented generic rules, and Argo CD by running the shipped Lua health check.
 * The statuses come from the operator's own status factories, not from hand-written YAML.
 */
class GitOpsHealthTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
  private final AwsIntegrationStatusFactory integrations = new AwsIntegrationStatusFactory(CLOCK);

  /** kstatus's generic rules for custom resources (sigs.k8s.io/cli-utils/pkg/kstatus). */
  static String kstatus(JsonNode o) {
    if (o.path("metadata").has("deletionTimestamp")) {
      return "Terminating";
    }
    JsonNode observed = o.path("status").path("observedGeneration");
    if (!observed.isMissingNode() && observed.asLong() != o.path("metadata").path("generation").asLong()) {
      return "InProgress";
    }
    for (JsonNode c : o.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Reconciling") && c.path("status").asText().equals("True")) {
        return "InProgress";
      }
      if (c.path("type").asText().equals("Stalled") && c.path("status").asText().equals("True")) {
        return "Failed";
      }
    }
    return "Current";
  }

  static Map<String, String> argo(JsonNode o) throws IOException {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", lua(o));
    LuaValue hs = globals.load(Files.readString(Path.of("docs", "argocd", "health.lua")), "health.lua").call();
    return Map.of("status", hs.get("status").tojstring(), "message", hs.get("message").optjstring(""));
  }

  private static LuaValue lua(JsonNode n) {
    if (n.isObject()) {
      LuaTable t = new LuaTable();
      n.fields().forEachRemaining(e -> t.set(e.getKey(), lua(e.getValue())));
      return t;
    }
    if (n.isArray()) {
      LuaTable t = new LuaTable();
      int i = 1;
      for (JsonNode e : n) {
        t.set(i++, lua(e));
      }
      return t;
    }
    if (n.isNumber()) {
      return LuaValue.valueOf(n.asDouble());
    }
    if (n.isBoolean()) {
      return LuaValue.valueOf(n.asBoolean());
    }
    return n.isNull() ? LuaValue.NIL : LuaValue.valueOf(n.asText());
  }

  private static JsonNode json(Object o) {
    return Serialization.jsonMapper().valueToTree(o);
  }

  private AwsIntegration integration(long generation) {
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", dev.mlops.datastore.api.v1alpha1.Platform.Custom, "a");
    ai.getMetadata().setGeneration(generation);
    return ai;
  }

  @Test
  void shouldBeCurrentAndHealthyWhenEveryLinkHolds() throws IOException {
    AwsIntegration ai = integration(1);
    ai.setStatus(integrations.build(ai, StatusFixtures.rows(Outcome.ANNOTATED), true, StatusFixtures.trustAllowed(), StatusFixtures.liveOk(CLOCK)));

    assertThat(kstatus(json(ai))).isEqualTo("Current");
    assertThat(argo(json(ai))).containsEntry("status", "Healthy");
  }

  @Test
  void shouldBeFailedAndDegradedWhenOnlyAPersonCanHelp() throws IOException {
    AwsIntegration ai = integration(1);
    ai.setStatus(integrations.build(ai, StatusFixtures.rows(Outcome.CONFLICT), true, StatusFixtures.trustAllowed(), StatusFixtures.liveOk(CLOCK)));

    assertThat(kstatus(json(ai))).isEqualTo("Failed");
    assertThat(argo(json(ai))).containsEntry("status", "Degraded");
    assertThat(argo(json(ai)).get("message")).startsWith("AnnotationConflict");
  }

  @Test
  void shouldBeInProgressWhileRetryingOrBehindTheSpec() throws IOException {
    AwsIntegration ai = integration(1);
    ai.setStatus(integrations.failed(ai, new dev.mlops.datastore.reconciler.Failure.Transient("KubernetesApiError", "the Kubernetes API answered 409 (Conflict); retrying")));
    assertThat(kstatus(json(ai))).isEqualTo("InProgress");
    assertThat(argo(json(ai))).containsEntry("status", "Progressing");

    AwsIntegration behind = integration(1);
    behind.setStatus(integrations.build(behind, StatusFixtures.rows(Outcome.ANNOTATED), true, StatusFixtures.trustAllowed(), StatusFixtures.liveOk(CLOCK)));
    behind.getMetadata().setGeneration(2L);
    assertThat(kstatus(json(behind))).isEqualTo("InProgress");
    assertThat(argo(json(behind))).containsEntry("status", "Progressing");
  }

  @Test
  void shouldShowABrokenLinkAsDegradedInArgoCd() throws IOException {
    Dataset ds = Resources.dataset("fraud-ref", "fraud-data");
    ds.getMetadata().setGeneration(1L);
    ds.setStatus(new DatasetStatusFactory(CLOCK).waiting(ds, null));

    assertThat(argo(json(ds))).containsEntry("status", "Degraded");
    assertThat(argo(json(ds)).get("message")).startsWith("IntegrationNotFound");
    // kstatus has no notion of "not Ready" for custom resources: the operator is done with it.
    assertThat(kstatus(json(ds))).isEqualTo("Current");
  }

  @Test
  void shouldWaitForAResourceTheOperatorHasNotSeen() throws IOException {
    assertThat(argo(json(integration(1)))).containsEntry("status", "Progressing");
  }

}
