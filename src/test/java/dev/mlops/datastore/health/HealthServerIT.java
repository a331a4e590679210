package dev.mlops.datastore.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.OperatorMain;
import dev.mlops.datastore.testing.MockCluster;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthServerIT {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldTurnReadyOnceTheOperatorRunsAndExposeItsMetrics() throws Exception {
    try (MockCluster cluster = new MockCluster()) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Operator operator = OperatorMain.create(cluster.client(), OperatorConfig.defaults(), Clock.systemUTC(), registry, cluster.aws().services());
      try (HealthServer health = new HealthServer(0, operator::getRuntimeInfo, registry)) {
        health.start();
        assertThat(get(health, "/readyz").statusCode()).isEqualTo(503);
        assertThat(get(health, "/healthz").statusCode()).isEqualTo(503);

        operator.start();
        try {
          await().atMost(Duration.ofSeconds(20)).until(() -> get(health, "/readyz").statusCode() == 200);
          assertThat(get(health, "/healthz").statusCode()).isEqualTo(200);
          HttpResponse<String> metrics = get(health, "/metrics");
          assertThat(metrics.statusCode()).isEqualTo(200);
          assertThat(metrics.body()).contains("operator_sdk");
        } finally {
          operator.stop();
        }
      }
    }
  }

  private HttpResponse<String> get(HealthServer health, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
