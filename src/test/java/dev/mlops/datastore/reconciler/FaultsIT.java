package dev.mlops.datastore.reconciler;

import static dev.mlops.datastore.testing.ConditionAssert.assertThatConditions;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.sandbox.aws.AwsWorld;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One transient fault per class, staged in the local AWS: while it lasts the integration shows
 * {@code Reconciling=True} with a reason for the class and a message naming the AWS operation and
 * its code; when it passes the integration becomes Ready by itself. Each fault outlasts JOSDK's 5
 * retries (the operator reschedules itself; no retry count ends the retrying).
 */
class FaultsIT {
  private MockCluster cluster;
  private final List<Condition> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    Resources.knownRole(cluster);
    cluster.client().resource(Resources.serviceAccount("a")).create();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void shouldRetryThroughStsThrottlingAndRecover() {
    run(world -> world.failNext("sts", "AssumeRoleWithWebIdentity", 24, 400, "Throttling"),
        "AwsThrottled", "sts:AssumeRoleWithWebIdentity", "Throttling");
  }

  @Test
  void shouldRetryThroughSts5xxAndRecover() {
    run(world -> world.failNext("sts", null, 24, 500, "InternalFailure"), "AwsUnavailable", "sts:AssumeRoleWithWebIdentity", "InternalFailure");
  }

  @Test
  void shouldRetryThroughIamThrottlingAndRecover() {
    run(world -> world.failNext("iam", "GetRole", 24, 400, "Throttling"), "AwsThrottled", "GetRole", "Throttling");
  }

  @Test
  void shouldRetryThroughS3SlowDownAndRecover() {
    // GetObject, not HeadBucket: a HEAD answer has no body, so no client can tell SlowDown from another 503.
    run(world -> world.failNext("s3", "GetObject", 24, 503, "SlowDown"), "AwsThrottled", "s3:GetObject", "SlowDown");
  }

  @Test
  void shouldRetryAfterStsTimesOutAndRecover() {
    // Three attempts held past the SDK's 10 s attempt timeout exhaust the 30 s call timeout.
    run(world -> world.delayNext("sts", "AssumeRoleWithWebIdentity", 3, Duration.ofSeconds(11)), "AwsUnreachable",
        "sts:AssumeRoleWithWebIdentity", "cannot reach AWS");
  }

  private void run(Consumer<AwsWorld> fault, String reason, String operation, String code) {
    fault.accept(cluster.aws().world());
    cluster.startOperator(Clock.systemUTC(), Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER, OperatorConfig.MAX_ERROR_BACKOFF, "1s"));
    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();

    await().atMost(Duration.ofSeconds(60)).until(() -> reconciling().isPresent());
    Condition reconciling = reconciling().orElseThrow();
    assertThat(reconciling.getReason()).isEqualTo(reason);
    assertThat(reconciling.getMessage()).contains(operation).contains(code);

    await().atMost(Duration.ofSeconds(90)).until(() -> ready());
    assertThatConditions(integration().getStatus().getConditions()).has("Ready", "True", "Ready").lacks("Reconciling");
  }

  private AwsIntegration integration() {
    return cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data").get();
  }

  private java.util.Optional<Condition> reconciling() {
    AwsIntegration ai = integration();
    return ai == null || ai.getStatus() == null ? java.util.Optional.empty() : Conditions.find(ai.getStatus().getConditions(), Conditions.RECONCILING);
  }

  private boolean ready() {
    AwsIntegration ai = integration();
    return ai != null && ai.getStatus() != null && Conditions.isTrue(ai.getStatus().getConditions(), Conditions.READY)
        && Conditions.find(ai.getStatus().getConditions(), Conditions.RECONCILING).isEmpty();
  }
}
