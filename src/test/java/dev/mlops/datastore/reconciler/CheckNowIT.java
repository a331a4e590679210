package dev.mlops.datastore.reconciler;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.sandbox.aws.S3Front;
import dev.mlops.datastore.sandbox.kube.ApplyAsJsonPatchDispatcher.Recorded;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * "Check now": a new value of {@code datastore.mlops.dev/requested-at} costs exactly one fresh
 * check, with the calls a full check implies (IAM read afresh, the data read again despite an
 * unchanged ETag), and the status echoes the value. The clock stands still, so nothing but the
 * request can make a check due; the calls are counted at the servers.
 */
class CheckNowIT {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void shouldCheckOnceForEachNewRequestAndEchoIt() {
    try (MockCluster cluster = new MockCluster()) {
      cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
      Resources.knownRole(cluster);
      cluster.startOperator(CLOCK);
      cluster.client().resource(Resources.serviceAccount("trainer")).create();
      cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "trainer")).create();
      cluster.client().resource(Resources.dataset("fraud-ref", "fraud-data")).create();
      await().atMost(Duration.ofSeconds(30)).until(() -> ready(integration(cluster)) && ready(dataset(cluster)));

      cluster.aws().s3().clearCalls();
      cluster.aws().iamSts().clearCalls();
      cluster.dispatcher().clearRecorded();
      request(cluster, "awsintegrations", "fraud-data", "1732269600");
      await().atMost(Duration.ofSeconds(30))
          .until(() -> "1732269600".equals(integration(cluster).getStatus().getLastHandledRequestedAt()));

      // IAM is read afresh although its answer is minutes old, and the identity is proven again.
      assertThat(cluster.aws().iamActions()).containsExactly("GetRole", "GetOpenIDConnectProvider");
      assertThat(cluster.aws().iamSts().calls()).filteredOn(c -> c.startsWith("sts:AssumeRoleWithWebIdentity")).hasSize(1);
      assertThat(cluster.aws().s3().calls()).extracting(S3Front.Call::action).contains("s3:ListBucket");
      assertThat(statusWrites(cluster, "awsintegrations")).as("status writes of the integration").hasSize(1);
      List<String> iamAfterFirst = cluster.aws().iamSts().calls();

      // The Dataset's request reads the object again, though its ETag has not changed (an
      // unrequested check would stop after the HEAD).
      cluster.aws().s3().clearCalls();
      request(cluster, "datasets", "fraud-ref", "again");
      await().atMost(Duration.ofSeconds(30)).until(() -> "again".equals(dataset(cluster).getStatus().getLastHandledRequestedAt()));
      assertThat(cluster.aws().s3().calls()).extracting(S3Front.Call::operation).containsOnlyOnce("GetObject");
      assertThat(statusWrites(cluster, "datasets")).as("status writes of the dataset").hasSize(1);

      // By now the integration would have been checked a second time had the request not been
      // handled once: its IAM and STS calls are what they were.
      assertThat(cluster.aws().iamSts().calls()).isEqualTo(iamAfterFirst);
      assertThat(statusWrites(cluster, "awsintegrations")).hasSize(1);

      // The same value again is no new request.
      cluster.dispatcher().clearRecorded();
      cluster.aws().iamSts().clearCalls();
      request(cluster, "awsintegrations", "fraud-data", "1732269600");
      request(cluster, "datasets", "fraud-ref", "once-more");
      await().atMost(Duration.ofSeconds(30)).until(() -> "once-more".equals(dataset(cluster).getStatus().getLastHandledRequestedAt()));
      assertThat(cluster.aws().iamSts().calls()).filteredOn(c -> c.startsWith("iam:")).isEmpty();
      assertThat(statusWrites(cluster, "awsintegrations")).isEmpty();
    }
  }

  private static void request(MockCluster cluster, String plural, String name, String value) {
    var resources = plural.equals("datasets")
        ? cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).withName(name)
        : null;
    if (resources != null) {
      resources.edit(ds -> annotate(ds, value));
    } else {
      cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName(name).edit(ai -> annotate(ai, value));
    }
  }

  private static <T extends HasMetadata> T annotate(T resource, String value) {
    var annotations = new java.util.HashMap<String, String>(
        resource.getMetadata().getAnnotations() == null ? Map.of() : resource.getMetadata().getAnnotations());
    annotations.put(CheckRequests.ANNOTATION, value);
    resource.getMetadata().setAnnotations(annotations);
    return resource;
  }

  private static List<Recorded> statusWrites(MockCluster cluster, String plural) {
    return cluster.dispatcher().requests().stream()
        .filter(r -> !r.method().equals("GET") && r.pathWithoutQuery().contains("/" + plural + "/") && r.pathWithoutQuery().endsWith("/status"))
        .toList();
  }

  private static AwsIntegration integration(MockCluster cluster) {
    return cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data").get();
  }

  private static Dataset dataset(MockCluster cluster) {
    return cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).withName("fraud-ref").get();
  }

  private static boolean ready(HasMetadata r) {
    var status = r instanceof AwsIntegration ai ? (ai.getStatus() == null ? null : ai.getStatus().getConditions())
        : ((Dataset) r).getStatus() == null ? null : ((Dataset) r).getStatus().getConditions();
    return status != null && Conditions.isTrue(status, Conditions.READY);
  }
}
