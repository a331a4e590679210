package dev.mlops.datastore.reconciler.dataset;

import static dev.mlops.datastore.testing.Resources.BUCKET;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.sandbox.aws.S3Front;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Datasets keep reading while their integration's credentials change under them: re-checks that
 * replace the session while Datasets read with it, and STS sessions that expire long before the
 * integration's next check. Every Dataset status the API server stores is watched, so one write
 * that leaves Ready, however brief, fails the test.
 */
class DatasetCredentialsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int DATASETS = 8;

  /** One stored version of a Dataset, as the watch saw it. */
  private record Seen(String name, String ready, String reasons) {}

  private MockCluster cluster;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Set<String> wasReady = ConcurrentHashMap.newKeySet();
  private final List<Seen> leftReady = new CopyOnWriteArrayList<>();
  private Watch watch;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    Resources.knownRole(cluster);
    cluster.client().resource(Resources.serviceAccount("reader")).create();
    watch = cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, Dataset ds) {
        if (ds.getStatus() == null) {
          return;
        }
        List<Condition> conditions = ds.getStatus().getConditions();
        String ready = Conditions.find(conditions, Conditions.READY).map(Condition::getStatus).orElse("-");
        String reasons = conditions.stream().map(c -> c.getType() + "=" + c.getReason()).toList().toString();
        Seen s = new Seen(ds.getMetadata().getName(), ready, reasons);
        seen.add(s);
        if (ready.equals(Conditions.TRUE)) {
          wasReady.add(s.name());
        } else if (wasReady.contains(s.name())) {
          leftReady.add(s);
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }

  @AfterEach
  void stop() {
    watch.close();
    cluster.close();
  }

  private void startOperatorAndCreate(String integrationInterval) {
    cluster.startOperator(Clock.systemUTC(), Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER, OperatorConfig.MIN_CHECK_INTERVAL, "1s"));
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "reader");
    ai.getSpec().setCheckInterval(integrationInterval);
    cluster.client().resource(ai).create();
    for (int i = 0; i < DATASETS; i++) {
      Dataset ds = Resources.dataset("ds-" + i, "fraud-data");
      ds.getSpec().setCheckInterval("1s");
      cluster.client().resource(ds).create();
    }
    await().atMost(WAIT).until(() -> wasReady.size() == DATASETS);
  }

  private long stsExchanges() {
    return cluster.aws().iamSts().calls().stream().filter(c -> c.equals("sts:AssumeRoleWithWebIdentity")).count();
  }

  private long datasetReads() {
    return cluster.aws().s3().calls().stream()
        .filter(c -> "data/fraud_ref.csv".equals(c.key()) && (c.operation().equals("GetObject") || c.operation().equals("HeadObject")))
        .count();
  }

  @Test
  void shouldKeepEveryDatasetReadyWhileItsIntegrationRechecksUnderItsReads() {
    startOperatorAndCreate("1s");
    long checksBefore = stsExchanges();
    long readsBefore = datasetReads();

    // New content keeps the Datasets reading (a changed ETag means a full read), while the
    // integration proves its role again every second and replaces the session they read with.
    int[] version = {0};
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      version[0]++;
      String csv = "id,amount,label\n" + String.join("\n", IntStream.rangeClosed(1, version[0]).mapToObj(i -> i + ",9.5,0").toList()) + "\n";
      cluster.aws().s3().putObject(BUCKET, "data/fraud_ref.csv", csv.getBytes(StandardCharsets.UTF_8));
      return stsExchanges() - checksBefore >= 6 && datasetReads() - readsBefore >= 60;
    });

    assertThat(leftReady).as("Dataset statuses written after Ready that were not Ready").isEmpty();
    assertThat(seen).noneMatch(s -> s.reasons().contains("Unreadable") || s.reasons().contains("CredentialsPending"));
    assertThat(cluster.aws().s3().calls()).filteredOn(c -> "data/fraud_ref.csv".equals(c.key()))
        .extracting(S3Front.Call::status).containsOnly(200, 206);
  }

  @Test
  void shouldRenewExpiringCredentialsWithoutEverShowingCredentialsPending() {
    // Sessions are renewed two minutes before they expire: these are stale four seconds after
    // STS issues them, while the integration checks again only in an hour.
    cluster.aws().world().sessionLifetime(Duration.ofSeconds(124));
    startOperatorAndCreate("1h");
    long afterTheCheck = stsExchanges();

    await().atMost(WAIT).until(() -> stsExchanges() - afterTheCheck >= 3 || seen.stream().anyMatch(s -> s.reasons().contains("CredentialsPending")));

    assertThat(seen).noneMatch(s -> s.reasons().contains("CredentialsPending"));
    assertThat(leftReady).isEmpty();
    assertThat(cluster.aws().iamSts().calls()).doesNotContain("sts:GetCallerIdentity");
    for (int i = 0; i < DATASETS; i++) {
      Dataset ds = cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).withName("ds-" + i).get();
      assertThat(Optional.ofNullable(ds.getStatus()).map(s -> Conditions.isTrue(s.getConditions(), Conditions.READY))).contains(true);
    }
  }

  @Test
  void shouldNeverReadABucketOfAnotherAccountWhenTheIntegrationPinsItsOwner() {
    cluster.aws().bucket("other-account-data", "999988887777", "us-east-1");
    cluster.aws().world().grant(Resources.ROLE_ARN, "other-account-data", "", "s3:GetObject", "s3:ListBucket");
    cluster.aws().s3().putObject("other-account-data", "data/fraud_ref.csv", "id,amount,label\n1,9.5,0\n".getBytes(StandardCharsets.UTF_8));
    cluster.startOperator(Clock.systemUTC(), Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER));
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "reader");
    ai.getSpec().setBucketOwner(Resources.ACCOUNT);
    cluster.client().resource(ai).create();
    Dataset elsewhere = Resources.dataset("elsewhere", "fraud-data");
    elsewhere.getSpec().setPath("s3://other-account-data/data/fraud_ref.csv");
    cluster.client().resource(elsewhere).create();
    cluster.client().resource(Resources.dataset("home", "fraud-data")).create();

    await().atMost(WAIT).until(() -> wasReady.contains("home")
        && seen.stream().anyMatch(s -> s.name().equals("elsewhere") && s.ready().equals(Conditions.FALSE)));

    assertThat(wasReady).doesNotContain("elsewhere");
    // Another bucket than the integration's is refused before any call (PathOutsideIntegration);
    // ExpectedBucketOwner stays the guard for the integration's own bucket re-created elsewhere.
    assertThat(cluster.aws().s3().calls()).filteredOn(c -> c.bucket().equals("other-account-data")).isEmpty();
  }
}
