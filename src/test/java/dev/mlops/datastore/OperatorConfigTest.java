package dev.mlops.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {
  @Test
  void shouldUseDefaultsForAnEmptyEnvironment() {
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of());

    assertThat(config.watchNamespaces()).isEmpty();
    assertThat(config.leaderElection()).isFalse();
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.minCheckInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.logFormat()).isEqualTo(OperatorConfig.LogFormat.TEXT);
  }

  @Test
  void shouldReadEveryVariable() {
    OperatorConfig config =
        OperatorConfig.fromEnvironment(
            Map.of(
                "OPERATOR_WATCH_NAMESPACES", "ml, fraud",
                "OPERATOR_LEADER_ELECTION", "true",
                "POD_NAMESPACE", "ops",
                "OPERATOR_HTTP_PORT", "9090",
                "OPERATOR_LOG_FORMAT", "json",
                "OPERATOR_MIN_CHECK_INTERVAL", "1m",
                "OPERATOR_MAX_ERROR_BACKOFF", "2m30s",
                "OPERATOR_RECONCILE_THREADS", "4"));

    assertThat(config.watchNamespaces()).containsExactlyInAnyOrder("ml", "fraud");
    assertThat(config.leaseNamespace()).contains("ops");
    assertThat(config.httpPort()).isEqualTo(9090);
    assertThat(config.logFormat()).isEqualTo(OperatorConfig.LogFormat.JSON);
    assertThat(config.minCheckInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.maxErrorBackoff()).isEqualTo(Duration.ofSeconds(150));
    assertThat(config.reconcileThreads()).isEqualTo(4);
  }

  @Test
  void shouldNameTheVariableOfABadValue() {
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("OPERATOR_HTTP_PORT", "eighty")))
        .hasMessageContaining("OPERATOR_HTTP_PORT");
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("OPERATOR_LEADER_ELECTION", "yes")))
        .hasMessageContaining("OPERATOR_LEADER_ELECTION");
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("OPERATOR_WATCH_NAMESPACES", "ML")))
        .hasMessageContaining("OPERATOR_WATCH_NAMESPACES");
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("OPERATOR_MIN_CHECK_INTERVAL", "10 minutes")))
        .hasMessageContaining("OPERATOR_MIN_CHECK_INTERVAL");
  }

  @Test
  void shouldCloseNamespacesNoPolicySelectsUnlessConfiguredOpen() {
    assertThat(OperatorConfig.fromEnvironment(Map.of()).policyMode())
        .isEqualTo(dev.mlops.datastore.reconciler.policy.PolicyMode.CLOSED);
    assertThat(OperatorConfig.fromEnvironment(Map.of("OPERATOR_POLICY_MODE", "Open")).policyMode())
        .isEqualTo(dev.mlops.datastore.reconciler.policy.PolicyMode.OPEN);
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("OPERATOR_POLICY_MODE", "permissive")))
        .hasMessageContaining("OPERATOR_POLICY_MODE");
  }

  @Test
  void shouldRequireALeaseNamespaceForLeaderElection() {
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("OPERATOR_LEADER_ELECTION", "true")))
        .hasMessageContaining("OPERATOR_LEASE_NAMESPACE");
  }

  @Test
  void shouldParseDurationsTheWayTheCrdPatternAcceptsThem() {
    assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDuration.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThatThrownBy(() -> GoDuration.parse("10")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GoDuration.parse("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldReadAShardSelectorAndRefuseOneTheApiServerWould() {
    assertThat(OperatorConfig.fromEnvironment(Map.of()).shardSelector()).isEmpty();
    assertThat(OperatorConfig.fromEnvironment(Map.of("OPERATOR_SHARD_SELECTOR", " datastore.mlops.dev/shard=a ")).shardSelector())
        .contains("datastore.mlops.dev/shard=a");
    for (String ok : java.util.List.of("shard", "!shard", "shard!=b", "shard==a,team=ml", "datastore.mlops.dev/shard in (a, b)",
        "shard notin (c),tier")) {
      assertThat(OperatorConfig.fromEnvironment(Map.of("OPERATOR_SHARD_SELECTOR", ok)).shardSelector()).as(ok).contains(ok);
    }
    for (String bad : java.util.List.of("shard=a b", "=a", "shard in a", "shard=(a)", "!shard=a", "shard,,team", "Shard/x=a")) {
      assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("OPERATOR_SHARD_SELECTOR", bad))).as(bad)
          .hasMessageContaining("OPERATOR_SHARD_SELECTOR");
    }
  }
}
