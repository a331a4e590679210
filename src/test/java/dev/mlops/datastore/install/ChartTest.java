package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Helm chart, linted and rendered by Helm itself (helm-java), and the objects it renders. */
class ChartTest {
  static final Path CHART = Path.of("charts", "aws-datastore-operator");
  static final Path CHART_CRDS = CHART.resolve("files").resolve("crds");
  static final Path INSTALL = Path.of("deploy", "install.yaml");
  static final String NS = "aws-datastore-operator";

  static String render(Map<String, Object> values) {
    TemplateCommand t = new Helm(CHART).template().withName("aws-datastore-operator").withNamespace(NS).withKubeVersion("1.30.0");
    values.forEach(t::set);
    return t.call();
  }

  static List<JsonNode> objects(String yaml) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.replaceAll("(?m)^#.*$", "").isBlank()) {
        continue;
      }
      JsonNode node = Serialization.yamlMapper().readTree(doc);
      if (node != null && node.has("kind")) {
        out.add(node);
      }
    }
    return out;
  }

  private static List<JsonNode> kind(List<JsonNode> objects, String kind) {
    return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
  }

  private static List<JsonNode> rules(List<JsonNode> objects) {
    List<JsonNode> rules = new ArrayList<>();
    objects.stream().filter(o -> o.path("kind").asText().endsWith("Role")).forEach(r -> r.path("rules").forEach(rules::add));
    return rules;
  }

  @Test
  void shouldLintCleanly() {
    LintResult lint = new Helm(CHART).lint().strict().call();

    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  void shouldRunTheOperatorUnderThePodSecurityRestrictedProfile() throws IOException {
    JsonNode deployment = kind(objects(render(Map.of())), "Deployment").get(0);
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    JsonNode container = pod.path("containers").get(0);

    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
    assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.path("securityContext").path("capabilities").path("drop").get(0).asText()).isEqualTo("ALL");
    assertThat(container.path("volumeMounts").get(0).path("mountPath").asText()).isEqualTo("/tmp");
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    assertThat(container.path("resources").path("limits").path("memory").asText()).isNotEmpty();
    assertThat(env(container, "OPERATOR_LEADER_ELECTION")).isEqualTo("true"); // a rolling update runs two pods
  }

  @Test
  void shouldGrantLeastPrivilegeWithoutWildcardsOrSecretListing() throws IOException {
    List<JsonNode> objects = objects(render(Map.of()));
    List<JsonNode> rules = rules(objects);

    for (JsonNode rule : rules) {
      rule.path("verbs").forEach(v -> assertThat(v.asText()).isNotEqualTo("*"));
      rule.path("resources").forEach(r -> assertThat(r.asText()).isNotEqualTo("*"));
      rule.path("apiGroups").forEach(g -> assertThat(g.asText()).isNotEqualTo("*"));
      if (contains(rule.path("resources"), "secrets")) {
        assertThat(texts(rule.path("verbs"))).containsExactly("get");
      }
    }
    assertThat(rules).anySatisfy(r -> {
      assertThat(texts(r.path("resources"))).containsExactly("serviceaccounts/token");
      assertThat(texts(r.path("verbs"))).containsExactly("create");
    });
    assertThat(kind(objects, "ClusterRole")).extracting(o -> o.path("metadata").path("name").asText())
        .contains("aws-datastore-operator-view", "aws-datastore-operator-edit", "aws-datastore-operator-admin");
    assertThat(kind(objects, "Role")).extracting(o -> o.path("metadata").path("name").asText())
        .containsExactly("aws-datastore-operator-leader-election"); // the only namespaced rules
  }

  @Test
  void shouldLetOnlyAdminsWriteAwsIntegrationsByDefault() throws IOException {
    List<JsonNode> objects = objects(render(Map.of()));

    assertThat(writableBy(objects, "edit")).containsExactlyInAnyOrder("datasets", "modelartifacts");
    assertThat(writableBy(objects, "admin")).containsExactlyInAnyOrder("awsintegrations", "datasets", "modelartifacts");
  }

  @Test
  void shouldLetEditorsWriteAwsIntegrationsWhenWidened() throws IOException {
    List<JsonNode> objects = objects(render(Map.of("rbac.awsIntegrationsAggregateTo", "edit")));

    assertThat(writableBy(objects, "edit")).containsExactlyInAnyOrder("awsintegrations", "datasets", "modelartifacts");
    assertThat(kind(objects, "ClusterRole")).extracting(c -> c.path("metadata").path("name").asText())
        .doesNotContain("aws-datastore-operator-admin");
  }

  /** The resources of our group that the aggregated ClusterRoles give the default role {@code role} "create" on. */
  private static List<String> writableBy(List<JsonNode> objects, String role) {
    List<String> out = new ArrayList<>();
    kind(objects, "ClusterRole").stream()
        .filter(c -> c.path("metadata").path("labels").path("rbac.authorization.k8s.io/aggregate-to-" + role).asText().equals("true"))
        .forEach(c -> c.path("rules").forEach(r -> {
          if (contains(r.path("apiGroups"), "datastore.mlops.dev") && contains(r.path("verbs"), "create")) {
            out.addAll(texts(r.path("resources")));
          }
        }));
    return out;
  }

  @Test
  void shouldDropTheTokenPermissionWhenTheLiveProofIsOff() throws IOException {
    List<JsonNode> rules = rules(objects(render(Map.of("liveProof.tokenRequests", false))));

    assertThat(rules).noneSatisfy(r -> assertThat(texts(r.path("resources"))).contains("serviceaccounts/token"));
  }

  @Test
  void shouldRenderNamespacedRolesWhenWatchingSomeNamespaces() throws IOException {
    List<JsonNode> objects = objects(render(Map.of("watchNamespaces[0]", "ml", "watchNamespaces[1]", "fraud")));

    // The only cluster-wide grant left is the cluster-scoped one: AwsIntegrationPolicies and namespaces.
    assertThat(kind(objects, "ClusterRoleBinding")).extracting(o -> o.path("metadata").path("name").asText())
        .containsExactly("aws-datastore-operator-policies");
    assertThat(kind(objects, "RoleBinding")).extracting(o -> o.path("metadata").path("namespace").asText()).contains("ml", "fraud");
    // Besides it, the only cluster-wide objects are the aggregated roles for namespace users.
    assertThat(kind(objects, "ClusterRole")).extracting(c -> c.path("metadata").path("name").asText())
        .containsExactlyInAnyOrder("aws-datastore-operator-view", "aws-datastore-operator-edit", "aws-datastore-operator-admin",
            "aws-datastore-operator-policies");
    assertThat(kind(objects, "Role")).filteredOn(r -> r.path("metadata").path("namespace").asText().equals("ml")).hasSize(5);
  }

  @Test
  void shouldElectALeaderWithSeveralReplicas() throws IOException {
    List<JsonNode> objects = objects(render(Map.of("replicaCount", 2, "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn", "arn:aws:iam::111122223333:role/op")));

    JsonNode container = kind(objects, "Deployment").get(0).path("spec").path("template").path("spec").path("containers").get(0);
    assertThat(env(container, "OPERATOR_LEADER_ELECTION")).isEqualTo("true");
    JsonNode lease = kind(objects, "Role").get(0);
    assertThat(lease.path("metadata").path("namespace").asText()).isEqualTo(NS);
    assertThat(texts(lease.path("rules").get(0).path("resources"))).containsExactly("leases");
    assertThat(kind(objects, "ServiceAccount").get(0).path("metadata").path("annotations").path("eks.amazonaws.com/role-arn").asText())
        .isEqualTo("arn:aws:iam::111122223333:role/op");
  }

  @Test
  void shouldRenderAServiceMonitorWhenAsked() throws IOException {
    List<JsonNode> objects = objects(render(Map.of("metrics.serviceMonitor.enabled", true, "metrics.serviceMonitor.labels.release", "prom")));

    JsonNode monitor = kind(objects, "ServiceMonitor").get(0);
    assertThat(monitor.path("metadata").path("labels").path("release").asText()).isEqualTo("prom");
    assertThat(monitor.path("spec").path("endpoints").get(0).path("path").asText()).isEqualTo("/metrics");
  }

  @Test
  void shouldRejectATypoedOrMistypedValue() {
    for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("replicaCont", 2), Map.of("logFormat", "xml"), Map.of("replicaCount", "two"))) {
      assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> render(bad))).as(bad.toString()).isNotNull()
          .hasMessageContaining("values don't meet the specifications of the schema");
    }
  }

  @Test
  void shouldShipTheCrdsTheBuildGenerates() throws IOException {
    for (Path committed : list(Path.of("crds"))) {
      assertThat(Files.readString(CHART_CRDS.resolve(committed.getFileName())))
          .as("charts/aws-datastore-operator/files/crds/%s drifted from crds/: copy it over", committed.getFileName())
          .isEqualTo(Files.readString(committed));
    }
    assertThat(list(CHART_CRDS)).hasSameSizeAs(list(Path.of("crds")));
    // Helm installs a chart's crds/ folder before the templates, and the CRD templates would then
    // collide with it ("exists and cannot be imported into the current release").
    assertThat(CHART.resolve("crds")).as("the chart's CRDs live in files/crds/, rendered by templates/crds.yaml").doesNotExist();
  }

  @Test
  void shouldRenderTheCrdsAsTemplatesKeptOnUninstall() throws IOException {
    List<JsonNode> crds = kind(objects(render(Map.of())), "CustomResourceDefinition");

    assertThat(crds).hasSameSizeAs(list(Path.of("crds")));
    for (JsonNode crd : crds) {
      assertThat(crd.path("metadata").path("annotations").path("helm.sh/resource-policy").asText()).isEqualTo("keep");
      assertThat(crd.path("metadata").path("labels").path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
      assertThat(stripped(crd)).isEqualTo(stripped(committedCrd(crd.path("metadata").path("name").asText())));
    }
  }

  @Test
  void shouldLeaveTheCrdsOutWhenDisabledAndUnkeptWhenAsked() throws IOException {
    assertThat(kind(objects(render(Map.of("crds.enabled", false))), "CustomResourceDefinition")).isEmpty();
    assertThat(kind(objects(render(Map.of("crds.keep", false))), "CustomResourceDefinition"))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.path("metadata").path("annotations").has("helm.sh/resource-policy")).isFalse());
  }

  @Test
  void shouldKeepThePlainManifestsRenderedFromTheChart() throws IOException {
    String rendered = "# The CRDs and the operator, rendered from charts/aws-datastore-operator with default values (namespace "
        + NS + ").\n# Regenerate: mvn test -Dtest=ChartTest -DupdateManifests=true\n" + render(Map.of());
    if (Boolean.getBoolean("updateManifests")) {
      Files.writeString(INSTALL, rendered);
    }
    assertThat(Files.readString(INSTALL)).as("deploy/install.yaml drifted from the chart: mvn test -Dtest=ChartTest -DupdateManifests=true")
        .isEqualTo(rendered);
    // The third copy of the CRDs: the same schema as crds/ (kubectl apply -f crds/).
    List<JsonNode> crds = kind(objects(Files.readString(INSTALL)), "CustomResourceDefinition");
    assertThat(crds).hasSameSizeAs(list(Path.of("crds")));
    for (JsonNode crd : crds) {
      assertThat(stripped(crd)).isEqualTo(stripped(committedCrd(crd.path("metadata").path("name").asText())));
    }
  }

  /** A CRD without the labels and annotations the chart adds. */
  private static JsonNode stripped(JsonNode crd) {
    com.fasterxml.jackson.databind.node.ObjectNode copy = crd.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) copy.path("metadata")).remove(List.of("labels", "annotations"));
    return copy;
  }

  private static JsonNode committedCrd(String name) throws IOException {
    return Serialization.yamlMapper().readTree(Files.readString(Path.of("crds", name + "-v1.yml")));
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
  }

  private static String env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(name)) {
        return e.path("value").asText();
      }
    }
    return null;
  }

  private static boolean contains(JsonNode array, String value) {
    return texts(array).contains(value);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
