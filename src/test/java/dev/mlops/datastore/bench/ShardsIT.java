package dev.mlops.datastore.bench;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.OperatorMain;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.sandbox.kube.ApplyAsJsonPatchDispatcher.Recorded;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Two operator processes, each owning a shard by label selector ({@code OPERATOR_SHARD_SELECTOR}),
 * over one cluster: each reconciles exactly its shard's integrations and Datasets, never the other
 * shard's, and the per-Dataset costs are those of one operator.
 */
class ShardsIT {
  static final String SHARD = "datastore.mlops.dev/shard";
  static final int INTEGRATIONS = 4;
  static final int DATASETS = 40;

  @Test
  void shouldReconcileEachObjectInTheOneShardThatSelectsIt() throws IOException {
    try (MockCluster cluster = new MockCluster()) {
      cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
      Resources.knownRole(cluster);
      PerDatasetCostIT.seedObjects(cluster);
      for (int i = 0; i < INTEGRATIONS; i++) {
        cluster.client().resource(Resources.serviceAccount("sa-" + i)).create();
        AwsIntegration integration = Resources.irsaIntegration("integration-" + i, Platform.Custom, "sa-" + i);
        integration.getMetadata().setLabels(Map.of(SHARD, shard(i)));
        cluster.client().resource(integration).create();
      }
      for (int n = 0; n < DATASETS; n++) {
        Dataset ds = PerDatasetCostIT.dataset(n);
        ds.getMetadata().setLabels(Map.of(SHARD, shard(n % INTEGRATIONS)));
        ds.getSpec().getIntegrationRef().setName("integration-" + (n % INTEGRATIONS));
        cluster.client().resource(ds).create();
      }
      Dataset unsharded = PerDatasetCostIT.dataset(DATASETS);
      unsharded.getSpec().getIntegrationRef().setName("integration-0");
      cluster.client().resource(unsharded).create();

      // Shard a alone: its objects become Ready, shard b's and the unlabelled Dataset get no status.
      cluster.startOperator(Clock.systemUTC(), Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER, OperatorConfig.SHARD_SELECTOR, SHARD + "=a"));
      await().atMost(Duration.ofSeconds(120)).until(() -> ready(cluster, Dataset.class).containsAll(names("ds-", "a")));
      PerDatasetCostIT.quiet(cluster);
      assertThat(ready(cluster, Dataset.class)).isEqualTo(names("ds-", "a"));
      assertThat(ready(cluster, AwsIntegration.class)).isEqualTo(names("integration-", "a"));
      assertThat(withStatus(cluster)).as("objects with a status while only shard a runs").isEqualTo(union(names("ds-", "a"), names("integration-", "a")));

      // Shard b in a second process beside it: b's objects become Ready; nothing of a's is written or read again.
      cluster.dispatcher().clearRecorded();
      cluster.aws().s3().clearCalls();
      cluster.aws().iamSts().clearCalls();
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(OperatorMain.asOperator(cluster.client().getConfiguration())).build()) {
        Operator b = OperatorMain.create(client,
            OperatorConfig.fromEnvironment(Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER, OperatorConfig.HTTP_PORT, "0",
                // Equality: the mock API server ignores set-based requirements (a real one honours "in (b)").
                OperatorConfig.SHARD_SELECTOR, SHARD + "=b")),
            Clock.systemUTC(), new SimpleMeterRegistry(), cluster.aws().services());
        b.start();
        try {
          await().atMost(Duration.ofSeconds(120)).until(() -> ready(cluster, Dataset.class).size() == DATASETS);
          PerDatasetCostIT.quiet(cluster);
        } finally {
          b.stop();
        }
      }
      List<Recorded> writes = cluster.dispatcher().requests().stream()
          .filter(r -> !r.method().equals("GET") && OperatorMain.FIELD_MANAGER.equals(r.fieldManager())).toList();
      Map<String, Long> statusWrites = writes.stream().filter(r -> r.pathWithoutQuery().endsWith("/status"))
          .collect(Collectors.groupingBy(r -> name(r.pathWithoutQuery()), Collectors.counting()));
      assertThat(statusWrites.keySet()).as("objects whose status shard b wrote").isEqualTo(union(names("ds-", "b"), names("integration-", "b")));
      assertThat(statusWrites.values()).as("status writes per object").allMatch(count -> count == 1);
      assertThat(cluster.aws().s3().calls()).as("S3 requests of shard b's %d Datasets and 2 integrations", DATASETS / 2)
          .hasSizeLessThanOrEqualTo(3 * DATASETS / 2 + 2 * 16);
      assertThat(cluster.client().resource(unsharded).get().getStatus()).as("the Dataset no shard selects").isNull();
    }
  }

  private static String shard(int integration) {
    return integration % 2 == 0 ? "a" : "b";
  }

  /** The Datasets (prefix ds-) or integrations (integration-) of a shard. */
  private static Set<String> names(String prefix, String shard) {
    int count = prefix.equals("ds-") ? DATASETS : INTEGRATIONS;
    return IntStream.range(0, count).filter(n -> shard(n % INTEGRATIONS).equals(shard)).mapToObj(n -> prefix + n).collect(Collectors.toSet());
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
  }

  /** The object's name in .../NAME/status. */
  private static String name(String statusPath) {
    String[] parts = statusPath.split("/");
    return parts[parts.length - 2];
  }

  private static Set<String> withStatus(MockCluster cluster) {
    return java.util.stream.Stream.concat(
            cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).list().getItems().stream().filter(d -> d.getStatus() != null && d.getStatus().getObservedGeneration() != null && d.getStatus().getObservedGeneration() > 0),
            cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).list().getItems().stream().filter(i -> i.getStatus() != null && i.getStatus().getObservedGeneration() != null && i.getStatus().getObservedGeneration() > 0))
        .map(r -> r.getMetadata().getName()).collect(Collectors.toSet());
  }

  private static <T extends HasMetadata> Set<String> ready(MockCluster cluster, Class<T> kind) {
    return cluster.client().resources(kind).inNamespace(NAMESPACE).list().getItems().stream()
        .filter(r -> {
          var status = r instanceof Dataset d ? (d.getStatus() == null ? null : d.getStatus().getConditions())
              : ((AwsIntegration) r).getStatus() == null ? null : ((AwsIntegration) r).getStatus().getConditions();
          return Conditions.isTrue(status, Conditions.READY);
        })
        .map(r -> r.getMetadata().getName())
        .collect(Collectors.toSet());
  }
}
