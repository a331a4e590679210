package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The values that make the chart usable as a subchart and in hardened clusters, rendered by Helm
 * itself: each new value reaches the object it is for, and the schema refuses typos in them.
 */
class ChartValuesTest {

  private static List<JsonNode> render(Map<String, Object> values) throws IOException {
    return ChartTest.objects(ChartTest.render(values));
  }

  private static List<JsonNode> kind(List<JsonNode> objects, String kind) {
    return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
  }

  private static JsonNode pod(List<JsonNode> objects) {
    return kind(objects, "Deployment").get(0).path("spec").path("template").path("spec");
  }

  @Test
  void shouldPinTheImageByDigestWhenGiven() throws IOException {
    String digest = "sha256:" + "a".repeat(64);
    JsonNode container = pod(render(Map.of("image.digest", digest, "image.tag", "9.9.9"))).path("containers").get(0);

    assertThat(container.path("image").asText()).isEqualTo("ghcr.io/mlops-dev/aws-datastore-operator@" + digest);
    assertThat(pod(render(Map.of())).path("containers").get(0).path("image").asText())
        .isEqualTo("ghcr.io/mlops-dev/aws-datastore-operator:0.1.0");
  }

  @Test
  void shouldNameEveryObjectAfterTheOverrides() throws IOException {
    List<JsonNode> full = render(Map.of("fullnameOverride", "ado"));
    assertThat(kind(full, "Deployment").get(0).path("metadata").path("name").asText()).isEqualTo("ado");
    assertThat(kind(full, "ServiceAccount").get(0).path("metadata").path("name").asText()).isEqualTo("ado");
    assertThat(kind(full, "ClusterRole")).allSatisfy(r -> assertThat(r.path("metadata").path("name").asText()).startsWith("ado-"));

    List<JsonNode> named = render(Map.of("nameOverride", "datastore"));
    JsonNode deployment = kind(named, "Deployment").get(0);
    // The release name already contains the name: the standard Helm rule keeps the release name alone.
    assertThat(deployment.path("metadata").path("name").asText()).isEqualTo("aws-datastore-operator");
    assertThat(deployment.path("spec").path("selector").path("matchLabels").path("app.kubernetes.io/name").asText()).isEqualTo("datastore");
    assertThat(deployment.path("spec").path("template").path("metadata").path("labels").path("app.kubernetes.io/name").asText())
        .isEqualTo("datastore");
  }

  @Test
  void shouldAddExtraEnvironmentAndVolumesBesideTheOperatorsOwn() throws IOException {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("extraEnv[0].name", "HTTPS_PROXY");
    values.put("extraEnv[0].value", "http://proxy.example:3128");
    values.put("extraEnvFrom[0].configMapRef.name", "proxy-settings");
    values.put("extraVolumes[0].name", "ca-bundle");
    values.put("extraVolumes[0].configMap.name", "corporate-ca");
    values.put("extraVolumeMounts[0].name", "ca-bundle");
    values.put("extraVolumeMounts[0].mountPath", "/etc/pki/ca");
    values.put("extraVolumeMounts[0].readOnly", true);
    JsonNode pod = pod(render(values));
    JsonNode container = pod.path("containers").get(0);

    assertThat(names(container.path("env"))).contains("POD_NAMESPACE", "OPERATOR_LEADER_ELECTION", "HTTPS_PROXY");
    assertThat(container.path("envFrom").get(0).path("configMapRef").path("name").asText()).isEqualTo("proxy-settings");
    assertThat(names(pod.path("volumes"))).containsExactly("tmp", "ca-bundle");
    assertThat(container.path("volumeMounts")).extracting(m -> m.path("mountPath").asText()).containsExactly("/tmp", "/etc/pki/ca");
  }

  @Test
  void shouldLetOpenShiftAssignTheUserWhenTheFixedIdsAreNulled() throws IOException {
    JsonNode pod = pod(render(Map.of(
        "podSecurityContext.runAsUser", "null", "podSecurityContext.runAsGroup", "null", "podSecurityContext.fsGroup", "null")));

    JsonNode security = pod.path("securityContext");
    assertThat(security.has("runAsUser")).isFalse();
    assertThat(security.has("runAsGroup")).isFalse();
    assertThat(security.has("fsGroup")).isFalse();
    assertThat(security.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("containers").get(0).path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(pod(render(Map.of())).path("securityContext").path("runAsUser").asInt()).isEqualTo(65532);
  }

  @Test
  void shouldPlaceThePodsAsAsked() throws IOException {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("priorityClassName", "system-cluster-critical");
    values.put("podLabels.team", "ml-platform");
    values.put("podAnnotations.example\\.com/owner", "ml");
    values.put("topologySpreadConstraints[0].maxSkew", 1);
    values.put("topologySpreadConstraints[0].topologyKey", "topology.kubernetes.io/zone");
    values.put("topologySpreadConstraints[0].whenUnsatisfiable", "ScheduleAnyway");
    List<JsonNode> objects = render(values);
    JsonNode template = kind(objects, "Deployment").get(0).path("spec").path("template");
    JsonNode pod = template.path("spec");

    assertThat(pod.path("priorityClassName").asText()).isEqualTo("system-cluster-critical");
    assertThat(template.path("metadata").path("labels").path("team").asText()).isEqualTo("ml-platform");
    assertThat(template.path("metadata").path("annotations").path("example.com/owner").asText()).isEqualTo("ml");
    JsonNode spread = pod.path("topologySpreadConstraints").get(0);
    assertThat(spread.path("topologyKey").asText()).isEqualTo("topology.kubernetes.io/zone");
    assertThat(spread.path("labelSelector").path("matchLabels").path("app.kubernetes.io/instance").asText())
        .isEqualTo("aws-datastore-operator");
  }

  @Test
  void shouldRenderADisruptionBudgetWhenAsked() throws IOException {
    assertThat(kind(render(Map.of()), "PodDisruptionBudget")).isEmpty();

    JsonNode byDefault = kind(render(Map.of("podDisruptionBudget.enabled", true)), "PodDisruptionBudget").get(0);
    assertThat(byDefault.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
    assertThat(byDefault.path("spec").path("selector").path("matchLabels").path("app.kubernetes.io/name").asText())
        .isEqualTo("aws-datastore-operator");

    JsonNode min = kind(render(Map.of("podDisruptionBudget.enabled", true, "podDisruptionBudget.minAvailable", 1, "replicaCount", 2)),
        "PodDisruptionBudget").get(0);
    assertThat(min.path("spec").path("minAvailable").asInt()).isEqualTo(1);
    assertThat(min.path("spec").has("maxUnavailable")).isFalse();
  }

  @Test
  void shouldElectALeaderByDefaultAndOnlyDropItWhenAskedWithOneReplica() throws IOException {
    assertThat(env(pod(render(Map.of())).path("containers").get(0), "OPERATOR_LEADER_ELECTION")).isEqualTo("true");

    List<JsonNode> off = render(Map.of("leaderElection.enabled", false));
    assertThat(env(pod(off).path("containers").get(0), "OPERATOR_LEADER_ELECTION")).isEqualTo("false");
    assertThat(kind(off, "Role")).isEmpty();

    List<JsonNode> twoReplicas = render(Map.of("leaderElection.enabled", false, "replicaCount", 2));
    assertThat(env(pod(twoReplicas).path("containers").get(0), "OPERATOR_LEADER_ELECTION")).isEqualTo("true");
  }

  @Test
  void shouldPassAShardSelectorOnlyWhenOneIsGiven() throws IOException {
    assertThat(env(pod(render(Map.of())).path("containers").get(0), "OPERATOR_SHARD_SELECTOR")).isNull();
    assertThat(env(pod(render(Map.of("shard.selector", "datastore.mlops.dev/shard=a"))).path("containers").get(0), "OPERATOR_SHARD_SELECTOR"))
        .isEqualTo("datastore.mlops.dev/shard=a");
  }

  @Test
  void shouldRefuseTyposInTheNewValues() {
    for (Map<String, Object> bad : List.<Map<String, Object>>of(
        Map.of("crds.enabeld", false),
        Map.of("crds.keep", "yes"),
        Map.of("image.digest", "latest"),
        Map.of("podDisruptionBudget.minAvailible", 1),
        Map.of("extraVolumeMounts[0].name", "x"),
        Map.of("topologySpreadConstraints[0].topologyKey", "zone"),
        Map.of("extraEnvv[0].name", "X"),
        Map.of("shard.selecter", "a=b"))) {
      assertThat(catchThrowable(() -> ChartTest.render(bad))).as(bad.toString()).isNotNull()
          .hasMessageContaining("values don't meet the specifications of the schema");
    }
  }

  @Test
  void shouldRenderAsASubchartWithGlobalValues(@TempDir Path parent) throws IOException {
    Files.writeString(parent.resolve("Chart.yaml"), """
        apiVersion: v2
        name: ml-platform
        version: 1.0.0
        dependencies:
          - name: aws-datastore-operator
            version: 0.1.0
        """);
    copy(ChartTest.CHART, parent.resolve("charts").resolve("aws-datastore-operator"));
    TemplateCommand t = new Helm(parent).template().withName("platform").withNamespace("ml").withKubeVersion("1.30.0");
    t.set("global.imageRegistry", "registry.example");
    t.set("global.labels.team", "ml");
    t.set("aws-datastore-operator.replicaCount", 2);
    List<JsonNode> objects = ChartTest.objects(t.call());

    JsonNode deployment = kind(objects, "Deployment").get(0);
    assertThat(deployment.path("metadata").path("name").asText()).isEqualTo("platform-aws-datastore-operator");
    assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(2);
    assertThat(kind(objects, "CustomResourceDefinition")).hasSize(ChartTest.objects(ChartTest.render(Map.of())).stream()
        .filter(o -> o.path("kind").asText().equals("CustomResourceDefinition")).toList().size());
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  private static List<String> names(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.path("name").asText()));
    return out;
  }

  private static String env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(name)) {
        return e.path("value").asText();
      }
    }
    return null;
  }
}
