package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.reconciler.awsintegration.AnnotationPlanner.Outcome;
import dev.mlops.datastore.reconciler.awsintegration.AwsIntegrationStatusFactory;
import dev.mlops.datastore.reconciler.awsintegration.StatusFixtures;
import dev.mlops.datastore.reconciler.dataset.DatasetStatusFactory;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * What GitOps tools conclude from the statuses the operator writes, each by its real rules: kstatus
 * (Flux's default health, kpt, cli-utils) and {@code kubectl wait --for=condition=Ready} as their
 * sources implement them, Flux's {@code healthCheckExprs} and Argo CD's Lua check by running the
 * shipped files. The statuses come from the operator's own status factories, and a new object gets
 * the schema defaults of the generated CRD, as the API server applies them.
 */
class GitOpsHealthTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
  private static final CelCompiler FLUX_CEL = CelCompilerFactory.standardCelCompilerBuilder()
      .addVar("apiVersion", SimpleType.DYN).addVar("kind", SimpleType.DYN).addVar("metadata", SimpleType.DYN)
      .addVar("spec", SimpleType.DYN).addVar("status", SimpleType.DYN)
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .build();
  private static final CelRuntime FLUX_RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();
  private final AwsIntegrationStatusFactory integrations = new AwsIntegrationStatusFactory(CLOCK);

  /**
   * kstatus for a custom resource, as sigs.k8s.io/cli-utils pkg/kstatus/status implements it:
   * {@code Compute} (status.go) runs {@code checkGenericProperties} (generic.go: a deletion
   * timestamp is Terminating; {@code checkGeneration}: a status.observedGeneration that is present
   * and differs from metadata.generation is InProgress; Reconciling=True is InProgress;
   * Stalled=True is Failed), then, as no type-specific rule exists for our kinds, {@code
   * checkReadyCondition}: Ready=True is Current, Ready=False or Unknown InProgress; with no Ready
   * condition the resource is Current.
   */
  static String kstatus(JsonNode o) {
    if (!o.path("metadata").path("deletionTimestamp").asText("").isEmpty()) {
      return "Terminating";
    }
    JsonNode generation = o.path("metadata").path("generation");
    JsonNode observed = o.path("status").path("observedGeneration");
    if (!generation.isMissingNode() && !observed.isMissingNode() && observed.asLong() != generation.asLong()) {
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
    for (JsonNode c : o.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Ready")) {
        switch (c.path("status").asText()) {
          case "True":
            return "Current";
          case "False":
          case "Unknown":
            return "InProgress";
          default:
            break;
        }
      }
    }
    return "Current";
  }

  /**
   * Whether {@code kubectl wait --for=condition=Ready} returns, as kubectl's pkg/cmd/wait/
   * condition.go {@code checkCondition} decides: the first condition whose type equals Ready
   * (ignoring case) decides; if the object has a generation and an observed generation (the
   * condition's, else the status's) that is lower, not yet; else whether its status is True.
   */
  static boolean kubectlWaitReady(JsonNode o) {
    for (JsonNode c : o.path("status").path("conditions")) {
      if (!c.path("type").asText().equalsIgnoreCase("Ready") || !c.has("status")) {
        continue;
      }
      JsonNode generation = o.path("metadata").path("generation");
      JsonNode observed = c.has("observedGeneration") ? c.get("observedGeneration") : o.path("status").path("observedGeneration");
      if (!generation.isMissingNode() && !observed.isMissingNode() && observed.asLong() < generation.asLong()) {
        return false;
      }
      return c.path("status").asText().equalsIgnoreCase("True");
    }
    return false;
  }

  /**
   * Flux's verdict with the shipped {@code docs/flux/health-check-exprs.yaml}: inProgress, then
   * failed, then current, the first true decides; none is InProgress.
   */
  static String flux(JsonNode o) throws Exception {
    JsonNode exprs = Serialization.jsonMapper().valueToTree(
        Serialization.unmarshal(Files.readString(Path.of("docs", "flux", "health-check-exprs.yaml")), Object.class));
    for (JsonNode check : exprs.path("healthCheckExprs")) {
      if (!check.path("kind").asText().equals(o.path("kind").asText())) {
        continue;
      }
      Map<String, Object> vars = new LinkedHashMap<>();
      o.fields().forEachRemaining(f -> vars.put(f.getKey(), toCel(f.getValue())));
      for (String verdict : List.of("inProgress", "failed", "current")) {
        if (check.has(verdict) && Boolean.TRUE.equals(
            FLUX_RUNTIME.createProgram(FLUX_CEL.compile(check.get(verdict).asText()).getAst()).eval(vars))) {
          return Character.toUpperCase(verdict.charAt(0)) + verdict.substring(1);
        }
      }
      return "InProgress";
    }
    throw new AssertionError("no Flux health check for " + o.path("kind").asText());
  }

  /**
   * The object as the API server returns it: structural schema defaults applied (apiextensions-
   * apiserver schema/defaulting/algorithm.go: a missing property with a default gets it, then
   * defaulting recurses into it), which the API server does also on read from etcd, so a status
   * dropped at create comes back as its default.
   */
  static JsonNode asServed(JsonNode object) {
    JsonNode served = object.deepCopy();
    for (CustomResourceDefinition crd : MockCluster.generatedCrds()) {
      if (crd.getSpec().getNames().getKind().equals(object.path("kind").asText())) {
        defaults(Serialization.jsonMapper().valueToTree(crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()), served);
      }
    }
    return served;
  }

  private static void defaults(JsonNode schema, JsonNode value) {
    if (value instanceof ObjectNode object) {
      for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> p = it.next();
        if (!object.has(p.getKey()) && p.getValue().has("default")) {
          object.set(p.getKey(), p.getValue().get("default").deepCopy());
        }
        if (object.has(p.getKey())) {
          defaults(p.getValue(), object.get(p.getKey()));
        }
      }
    } else if (value != null && value.isArray() && schema.has("items")) {
      value.forEach(item -> defaults(schema.get("items"), item));
    }
  }

  private static Object toCel(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), toCel(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(e -> list.add(toCel(e)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
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
  void shouldReadANewObjectAsInProgressUntilTheOperatorHasWrittenItsStatus() throws Exception {
    JsonNode fresh = asServed(json(integration(1)));

    assertThat(fresh.path("status").path("observedGeneration").asLong()).isEqualTo(-1L);
    assertThat(kstatus(fresh)).isEqualTo("InProgress");
    assertThat(kubectlWaitReady(fresh)).isFalse();
    assertThat(flux(fresh)).isEqualTo("InProgress");
    assertThat(argo(fresh)).containsEntry("status", "Progressing");
    // Without the status default, kstatus has nothing to compare and calls it Current at once.
    assertThat(kstatus(json(integration(1)))).isEqualTo("Current");
  }

  @Test
  void shouldBeCurrentAndHealthyWhenEveryLinkHolds() throws Exception {
    AwsIntegration ai = integration(1);
    ai.setStatus(integrations.build(ai, StatusFixtures.rows(Outcome.ANNOTATED), true, StatusFixtures.trustAllowed(), StatusFixtures.liveOk(CLOCK)));

    assertThat(kstatus(json(ai))).isEqualTo("Current");
    assertThat(kubectlWaitReady(json(ai))).isTrue();
    assertThat(flux(json(ai))).isEqualTo("Current");
    assertThat(argo(json(ai))).containsEntry("status", "Healthy");
  }

  @Test
  void shouldBeFailedAndDegradedWhenOnlyAPersonCanHelp() throws Exception {
    AwsIntegration ai = integration(1);
    ai.setStatus(integrations.build(ai, StatusFixtures.rows(Outcome.CONFLICT), true, StatusFixtures.trustAllowed(), StatusFixtures.liveOk(CLOCK)));

    assertThat(kstatus(json(ai))).isEqualTo("Failed");
    assertThat(kubectlWaitReady(json(ai))).isFalse();
    assertThat(flux(json(ai))).isEqualTo("Failed");
    assertThat(argo(json(ai))).containsEntry("status", "Degraded");
    assertThat(argo(json(ai)).get("message")).startsWith("AnnotationConflict");
  }

  @Test
  void shouldBeInProgressWhileRetryingOrBehindTheSpec() throws Exception {
    AwsIntegration ai = integration(1);
    ai.setStatus(integrations.failed(ai, new dev.mlops.datastore.reconciler.Failure.Transient("KubernetesApiError", "the Kubernetes API answered 409 (Conflict); retrying")));
    assertThat(kstatus(json(ai))).isEqualTo("InProgress");
    assertThat(kubectlWaitReady(json(ai))).isFalse();
    assertThat(flux(json(ai))).isEqualTo("InProgress");
    assertThat(argo(json(ai))).containsEntry("status", "Progressing");

    AwsIntegration behind = integration(1);
    behind.setStatus(integrations.build(behind, StatusFixtures.rows(Outcome.ANNOTATED), true, StatusFixtures.trustAllowed(), StatusFixtures.liveOk(CLOCK)));
    behind.getMetadata().setGeneration(2L);
    assertThat(kstatus(json(behind))).isEqualTo("InProgress");
    // Ready=True, but for generation 1: kubectl wait keeps waiting.
    assertThat(kubectlWaitReady(json(behind))).isFalse();
    assertThat(flux(json(behind))).isEqualTo("InProgress");
    assertThat(argo(json(behind))).containsEntry("status", "Progressing");
  }

  @Test
  void shouldReadANotReadyLinkAsInProgressForKstatusAndDegradedInArgoCd() throws Exception {
    Dataset ds = Resources.dataset("fraud-ref", "fraud-data");
    ds.getMetadata().setGeneration(1L);
    ds.setStatus(new DatasetStatusFactory(CLOCK).waiting(ds, null));

    // kstatus reads Ready for custom resources (checkReadyCondition): False is InProgress.
    assertThat(kstatus(json(ds))).isEqualTo("InProgress");
    assertThat(kubectlWaitReady(json(ds))).isFalse();
    assertThat(flux(json(ds))).isEqualTo("InProgress");
    assertThat(argo(json(ds))).containsEntry("status", "Degraded");
    assertThat(argo(json(ds)).get("message")).startsWith("IntegrationNotFound");
  }

  @Test
  void shouldShowASuspendedIntegrationAsSuspendedNotDegraded() throws Exception {
    AwsIntegration ai = integration(1);
    ai.getSpec().setSuspend(true);
    ai.setStatus(integrations.suspended(ai));

    assertThat(argo(json(ai))).containsEntry("status", "Suspended");
    assertThat(flux(json(ai))).isEqualTo("Current");
    // kstatus has no notion of suspension: Ready=False is InProgress, and kubectl wait keeps waiting.
    assertThat(kstatus(json(ai))).isEqualTo("InProgress");
    assertThat(kubectlWaitReady(json(ai))).isFalse();
  }
}
