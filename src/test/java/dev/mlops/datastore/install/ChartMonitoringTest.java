package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The alerts and the Grafana dashboard the chart ships behind values (MetricsIT checks their metrics exist). */
class ChartMonitoringTest {

  private static List<JsonNode> kind(Map<String, Object> values, String kind) throws IOException {
    return ChartTest.objects(ChartTest.render(values)).stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
  }

  @Test
  void shouldShipNoRuleOrDashboardUnlessAsked() throws IOException {
    assertThat(kind(Map.of(), "PrometheusRule")).isEmpty();
    assertThat(kind(Map.of(), "ConfigMap")).isEmpty();
  }

  @Test
  void shouldAlertOnNotReadyResourcesThrottlingAndReconcileErrors() throws IOException {
    JsonNode rule = kind(Map.of("metrics.prometheusRule.enabled", true, "metrics.prometheusRule.labels.release", "prom",
        "metrics.prometheusRule.integrationNotReadyFor", "20m"), "PrometheusRule").get(0);

    assertThat(rule.path("metadata").path("labels").path("release").asText()).isEqualTo("prom");
    JsonNode rules = rule.path("spec").path("groups").get(0).path("rules");
    assertThat(rules).extracting(r -> r.path("alert").asText()).containsExactly(
        "AwsIntegrationNotReady", "DatasetNotReady", "AwsDatastoreThrottled", "AwsDatastoreCallsThrottled", "AwsDatastoreReconcileErrors");
    assertThat(rules.get(0).path("for").asText()).isEqualTo("20m");
    assertThat(rules.get(1).path("for").asText()).isEqualTo("15m");
    // Prometheus' own templating reaches Prometheus untouched by Helm's.
    assertThat(rules.get(0).path("annotations").path("summary").asText()).contains("{{ $labels.namespace }}/{{ $labels.name }}");
    rules.forEach(r -> assertThat(r.path("labels").path("severity").asText()).isEqualTo("warning"));
    // Throttled calls, not all calls: MetricsIT finds this series after a throttled answer.
    assertThat(rules.get(3).path("expr").asText()).contains("datastore_aws_calls_total{outcome=\"throttled\"}");
  }

  @Test
  void shouldShipTheDashboardForGrafanasSidecar() throws IOException {
    JsonNode map = kind(Map.of("metrics.dashboards.enabled", true, "metrics.dashboards.annotations.grafana_folder", "Operators"),
        "ConfigMap").get(0);

    assertThat(map.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
    assertThat(map.path("metadata").path("annotations").path("grafana_folder").asText()).isEqualTo("Operators");
    JsonNode dashboard = Serialization.jsonMapper().readTree(map.path("data").path("aws-datastore-operator.json").asText());
    assertThat(dashboard.path("uid").asText()).isEqualTo("aws-datastore-operator");
    assertThat(dashboard.path("panels").size()).isGreaterThan(5);
  }

  @Test
  void shouldRefuseABadDuration() {
    assertThat(org.assertj.core.api.Assertions.catchThrowable(
        () -> ChartTest.render(Map.of("metrics.prometheusRule.integrationNotReadyFor", "15 minutes"))))
        .hasMessageContaining("values don't meet the specifications of the schema");
  }
}
