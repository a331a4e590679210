package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC for stale pods: pods get/list/watch always (the informer), and a patch of
 * Deployments, StatefulSets and DaemonSets only when restarts are enabled, in each watched
 * namespace when the operator watches some.
 */
class ChartPodsRbacTest {
  @Test
  void shouldReadPodsAndPatchNoWorkloadByDefault() throws IOException {
    List<JsonNode> rules = rules(ChartTest.objects(ChartTest.render(Map.of())));

    assertThat(rules).filteredOn(r -> texts(r.path("resources")).contains("pods"))
        .singleElement()
        .satisfies(r -> {
          assertThat(texts(r.path("resources"))).containsExactly("pods");
          assertThat(texts(r.path("verbs"))).containsExactly("get", "list", "watch");
        });
    assertThat(rules).noneSatisfy(r -> assertThat(texts(r.path("resources"))).containsAnyOf("deployments", "statefulsets", "daemonsets"));
  }

  @Test
  void shouldPatchWorkloadsOnlyWhenRestartsAreEnabled() throws IOException {
    List<JsonNode> rules = rules(ChartTest.objects(ChartTest.render(Map.of("restartStalePods.enabled", true))));

    assertThat(rules).filteredOn(r -> texts(r.path("resources")).contains("deployments"))
        .singleElement()
        .satisfies(r -> {
          assertThat(texts(r.path("apiGroups"))).containsExactly("apps");
          assertThat(texts(r.path("resources"))).containsExactly("deployments", "statefulsets", "daemonsets");
          assertThat(texts(r.path("verbs"))).containsExactly("patch");
        });
    assertThat(rules).noneSatisfy(r -> assertThat(texts(r.path("resources"))).containsAnyOf("jobs", "replicasets"));
    assertThat(rules).filteredOn(r -> texts(r.path("resources")).contains("pods"))
        .allSatisfy(r -> assertThat(texts(r.path("verbs"))).doesNotContain("delete", "patch", "create"));
  }

  @Test
  void shouldGrantTheRestartsInEachWatchedNamespaceOnly() throws IOException {
    List<JsonNode> objects = ChartTest.objects(ChartTest.render(Map.of("restartStalePods.enabled", true, "watchNamespaces[0]", "ml", "watchNamespaces[1]", "fraud")));

    List<JsonNode> restartRoles = objects.stream()
        .filter(o -> o.path("kind").asText().equals("Role") && o.path("metadata").path("name").asText().endsWith("-restarts"))
        .toList();
    assertThat(restartRoles).extracting(o -> o.path("metadata").path("namespace").asText()).containsExactlyInAnyOrder("ml", "fraud");
    assertThat(objects).noneSatisfy(o -> assertThat(o.path("metadata").path("name").asText()).endsWith("-restarts").isNotNull()
        .satisfies(n -> assertThat(o.path("kind").asText()).isEqualTo("ClusterRole")));
  }

  private static List<JsonNode> rules(List<JsonNode> objects) {
    List<JsonNode> rules = new ArrayList<>();
    objects.stream().filter(o -> o.path("kind").asText().endsWith("Role")).forEach(r -> r.path("rules").forEach(rules::add));
    return rules;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
