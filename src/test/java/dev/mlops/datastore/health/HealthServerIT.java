package dev.mlops.datastore.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.OperatorMain;
import dev.mlops.datastore.testing.MockCluster;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
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

  @Test
  void shouldTurnNotReadyUnderLeaderElectionWhenAWatchIsForbidden() throws Exception {
    try (MockCluster cluster = new MockCluster()) {
      // The API server's answer to JOSDK's lease permission check: leases may be managed.
      cluster.server().expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
          .andReturn(201, "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\","
              + "\"spec\":{},\"status\":{\"incomplete\":false,\"nonResourceRules\":[],\"resourceRules\":"
              + "[{\"apiGroups\":[\"coordination.k8s.io\"],\"resources\":[\"leases\"],\"verbs\":[\"*\"]}]}}")
          .always();
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      OperatorConfig config = OperatorConfig.fromEnvironment(Map.of(
          OperatorConfig.LEADER_ELECTION, "true", OperatorConfig.LEASE_NAMESPACE, "aws-datastore-operator",
          OperatorConfig.HTTP_PORT, "0"));
      // As configured, but a replica that stops leading must not end the test JVM.
      LeaderElectionConfiguration keepRunning = new LeaderElectionConfiguration(
          config.leaseName(), config.leaseNamespace().orElseThrow(), LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
          LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE, LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
          null, null, false);
      Operator operator = OperatorMain.create(cluster.operatorClient(), config, Clock.systemUTC(), registry,
          cluster.aws().services(), o -> o.withLeaderElectionConfiguration(keepRunning));
      try (HealthServer health = OperatorMain.probes(config, operator, registry)) {
        health.start();
        operator.start();
        try {
          await().atMost(Duration.ofSeconds(20)).until(() -> get(health, "/readyz").statusCode() == 200);

          // RBAC no longer lets the operator watch service accounts; the open watch ends and every
          // new one is answered 403, as an API server does after a ClusterRole loses "watch".
          cluster.dispatcher().refuse("GET", "/api/v1/serviceaccounts", true, 403, "Forbidden");
          cluster.dispatcher().closeWatches("/api/v1/serviceaccounts");

          await().atMost(Duration.ofSeconds(20)).until(() -> get(health, "/readyz").statusCode() == 503);
          assertThat(get(health, "/readyz").body()).startsWith("unhealthy: ").contains("awsintegration");
          assertThat(get(health, "/healthz").statusCode()).isEqualTo(200);
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
