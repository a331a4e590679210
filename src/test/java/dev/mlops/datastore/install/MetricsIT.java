package dev.mlops.datastore.install;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.OperatorMain;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.health.HealthServer;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import dev.mlops.datastore.testing.StatusAwait;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The real operator against the mock cluster and local AWS, scraped on {@code /metrics}: the
 * readiness gauge follows each resource, and every metric the chart's Grafana dashboard and
 * PrometheusRule use is one the operator serves.
 */
class MetricsIT {
  static final Path CHART = Path.of("charts", "aws-datastore-operator");
  /** Metric names in PromQL: ours, JOSDK's, the JVM's and the process's. */
  private static final Pattern METRIC = Pattern.compile("\\b((?:datastore|operator_sdk|jvm|process|system)_[a-zA-Z0-9_]+)\\b");

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldServeTheReadinessGaugeAndEveryMetricTheDashboardAndAlertsUse() throws Exception {
    try (MockCluster cluster = new MockCluster()) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      OperatorConfig config = OperatorConfig.fromEnvironment(Map.of(
          OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER, OperatorConfig.HTTP_PORT, "0"));
      Operator operator = OperatorMain.create(cluster.operatorClient(), config, CLOCK, registry, cluster.aws().services());
      try (HealthServer health = OperatorMain.probes(config, operator, registry)) {
        health.start();
        operator.start();
        try {
          Resources.knownRole(cluster);
          // One throttled answer (the SDK retries it): the series AwsDatastoreCallsThrottled selects must exist.
          cluster.aws().world().failNext("iam", "GetRole", 1, 400, "Throttling");
          cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
          cluster.client().resource(Resources.serviceAccount("fraud-reader", Map.of())).create();
          cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "fraud-reader")).create();
          cluster.client().resource(Resources.dataset("fraud-ref", "fraud-data")).create();
          cluster.client().resource(Resources.dataset("orphan", "no-such-integration")).create();
          // A status write the API server refuses: the reconcile fails, as JOSDK's error counter must show.
          cluster.dispatcher().refuse("PATCH", "/apis/datastore.mlops.dev/v1alpha1/namespaces/ml/datasets/unwritable", false, 422, "Invalid");
          cluster.client().resource(Resources.dataset("unwritable", "no-such-integration")).create();
          StatusAwait.awaitCondition(cluster.client(), Dataset.class, NAMESPACE, "orphan", Conditions.READY, "False");
          // Whether the integration gets Ready depends on the local S3; it has a Ready condition either way.
          await().atMost(Duration.ofSeconds(30)).until(() -> scrape(health).contains("kind=\"AwsIntegration\",name=\"fraud-data\""));
          await().atMost(Duration.ofSeconds(30)).until(() -> scrape(health).contains("operator_sdk_reconciliations_failed_total"));
          await().atMost(Duration.ofSeconds(30)).until(() -> scrape(health).contains(
              "datastore_aws_calls_total{operation=\"GetRole\",outcome=\"throttled\",service=\"Iam\"} 1.0"));
          // GC pauses are recorded from the first collection on.
          System.gc();
          await().atMost(Duration.ofSeconds(30)).until(() -> scrape(health).contains("jvm_gc_pause_seconds_count"));

          // A check of the integration was timed, and the Dataset's inspection counted what it read.
          await().atMost(Duration.ofSeconds(30)).until(() -> scrape(health).contains("datastore_inspection_read_bytes_count{kind=\"Dataset\"} 1\n"));
          String metrics = scrape(health);
          assertThat(metrics)
              .containsPattern("datastore_check_duration_seconds_count\\{kind=\"AwsIntegration\"} [1-9]")
              .containsPattern("datastore_check_duration_seconds_count\\{kind=\"Dataset\"} [1-9]")
              .contains("datastore_inspection_read_bytes_sum{kind=\"Dataset\"} 24.0")
              .contains("datastore_check_duration_seconds_bucket{kind=\"Dataset\",le=\"60.0\"}");
          assertThat(metrics)
              .contains("datastore_resource_ready{kind=\"Dataset\",name=\"fraud-ref\",namespace=\"ml\",reason=")
              .contains("datastore_resource_ready{kind=\"Dataset\",name=\"orphan\",namespace=\"ml\",reason=\"IntegrationNotFound\"} 0.0")
              .containsPattern("datastore_resource_ready\\{kind=\"AwsIntegration\",name=\"fraud-data\",namespace=\"ml\",reason=\"[A-Za-z]+\"} [01]\\.0");
          Set<String> served = served(metrics);
          Set<String> used = new TreeSet<>();
          used.addAll(used(dashboardExpressions()));
          used.addAll(used(ruleExpressions()));
          assertThat(used).as("the dashboard and the alerts use metrics").isNotEmpty();
          assertThat(served).as("metrics served on /metrics").containsAll(used);
          Map<String, Set<String>> labels = labelsServed(metrics);
          labelsUsed(dashboardExpressions() + ruleExpressions()).forEach((metric, names) ->
              assertThat(labels.getOrDefault(metric, Set.of())).as("labels of %s on /metrics", metric).containsAll(names));

          // A deleted resource's series goes, rather than reporting its last state for ever.
          cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).withName("orphan").delete();
          await().atMost(Duration.ofSeconds(20)).until(() -> !scrape(health).contains("name=\"orphan\""));
        } finally {
          operator.stop();
        }
      }
    }
  }

  /** The names of the samples served, with Prometheus' suffixes kept (x_total, x_seconds_count). */
  private static Set<String> served(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  /** The label names each served sample name carries (x_bucket's le included). */
  private static Map<String, Set<String>> labelsServed(String exposition) {
    Map<String, Set<String>> out = new java.util.TreeMap<>();
    for (String line : exposition.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        String name = line.split("[{ ]", 2)[0];
        Set<String> names = out.computeIfAbsent(name, n -> new TreeSet<>());
        Matcher m = LABEL.matcher(line.contains("{") ? line.substring(line.indexOf('{'), line.lastIndexOf('}') + 1) : "");
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return out;
  }

  private static final Pattern SELECTOR = Pattern.compile("\\b((?:datastore|operator_sdk|jvm|process|system)_[a-zA-Z0-9_]+)\\{([^}]*)}");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)\\s*\"");

  /** The label names each metric's selectors in the expressions match on, e.g. outcome in {outcome="throttled"}. */
  private static Map<String, Set<String>> labelsUsed(String expressions) {
    Map<String, Set<String>> out = new java.util.TreeMap<>();
    Matcher s = SELECTOR.matcher(expressions);
    while (s.find()) {
      Matcher m = LABEL.matcher(s.group(2));
      while (m.find()) {
        out.computeIfAbsent(s.group(1), n -> new TreeSet<>()).add(m.group(1));
      }
    }
    return out;
  }

  private static Set<String> used(String expressions) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(expressions);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** Every PromQL expression of every panel of the shipped dashboard(s). */
  static String dashboardExpressions() throws IOException {
    StringBuilder out = new StringBuilder();
    try (var files = Files.list(CHART.resolve("files").resolve("dashboards"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        JsonNode dashboard = Serialization.jsonMapper().readTree(Files.readString(file));
        dashboard.findValues("expr").forEach(e -> out.append(e.asText()).append('\n'));
        dashboard.findValues("query").forEach(e -> out.append(e.asText()).append('\n'));
      }
    }
    return out.toString();
  }

  /** Every expression of the PrometheusRule the chart renders when asked. */
  static String ruleExpressions() throws IOException {
    String yaml = ChartTest.render(Map.of("metrics.prometheusRule.enabled", true));
    StringBuilder out = new StringBuilder();
    for (JsonNode o : ChartTest.objects(yaml)) {
      if (o.path("kind").asText().equals("PrometheusRule")) {
        o.findValues("expr").forEach(e -> out.append(e.asText()).append('\n'));
      }
    }
    return out.toString();
  }

  private String scrape(HealthServer health) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + health.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
