package dev.mlops.datastore.reconciler.awsintegration;

import static dev.mlops.datastore.testing.Resources.ACCOUNT;
import static dev.mlops.datastore.testing.Resources.BUCKET;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationStatus;
import dev.mlops.datastore.api.v1alpha1.Identity;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.api.v1alpha1.ServiceAccountStatus;
import dev.mlops.datastore.aws.IntegrationSessions;
import dev.mlops.datastore.dataset.ObjectStoreException;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.sandbox.aws.S3Front;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.MovableClock;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Datasets' credentials from an integration's status alone, as after a restart or a leader
 * failover (no session in this process): renewed the way the integration proved them, once for
 * any number of Datasets asking at once, again only near expiry, never when the status proves
 * nothing; and every S3 call made with them pinned to the integration's bucket owner. Real
 * TokenRequests on the mock API server, the STS emulator, S3Proxy behind its authorizing front;
 * calls are counted at the servers.
 */
class IntegrationCredentialsIT {
  private static final String KEY_ID = "AKIAINTEGRATIONCREDS1";
  private static final String SECRET = "integration-credentials-secret-0123456789";
  private static final String USER_ARN = "arn:aws:iam::" + ACCOUNT + ":user/dataset-reader";

  private MockCluster cluster;
  private MovableClock clock;
  private IntegrationCredentials credentials;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    Resources.knownRole(cluster);
    cluster.client().resource(Resources.serviceAccount("reader")).create();
    clock = new MovableClock(Instant.now());
    credentials = new IntegrationCredentials(cluster.client(), cluster.aws().services(), new IntegrationSessions(cluster.aws().services()), clock);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** An IRSA integration whose status says what its last check proved. */
  private AwsIntegration irsaIntegration(String live) {
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "reader");
    ai.getMetadata().setGeneration(3L);
    ServiceAccountStatus row = new ServiceAccountStatus();
    row.setName("reader");
    row.setLive(live);
    AwsIntegrationStatus status = new AwsIntegrationStatus();
    status.setObservedGeneration(3L);
    status.setServiceAccounts(List.of(row));
    status.setConditions(Conditions.after(List.of(), 3L, clock).set(Conditions.READY, live.equals("Verified"), "Ready", "").build());
    ai.setStatus(status);
    return ai;
  }

  private long stsExchanges() {
    return cluster.aws().iamSts().calls().stream().filter(c -> c.equals("sts:AssumeRoleWithWebIdentity")).count();
  }

  @Test
  void shouldRenewAfterARestartWithOneStsCallForFiftyDatasetsAskingAtOnce() throws Exception {
    AwsIntegration ai = irsaIntegration("Verified");
    ExecutorService pool = Executors.newFixedThreadPool(50);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Optional<IntegrationSessions.Session>>> asked = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        asked.add(pool.submit(() -> {
          go.await();
          return credentials.forDatasets(ai);
        }));
      }
      go.countDown();
      List<IntegrationSessions.Session> sessions = new ArrayList<>();
      for (Future<Optional<IntegrationSessions.Session>> f : asked) {
        sessions.add(f.get().orElseThrow());
      }
      assertThat(sessions).allSatisfy(s -> assertThat(s).isSameAs(sessions.get(0)));
    } finally {
      pool.shutdownNow();
    }

    assertThat(stsExchanges()).isEqualTo(1);
    IntegrationSessions.Session session = credentials.forDatasets(ai).orElseThrow();
    assertThat(session.identity().arn()).startsWith("arn:aws:sts::" + ACCOUNT + ":assumed-role/rime-s3/");
    assertThat(session.objectStore(BUCKET).head("data/fraud_ref.csv").size()).isPositive();
    assertThat(stsExchanges()).isEqualTo(1);
  }

  @Test
  void shouldRenewOnlyWhenTheSessionNearsItsExpiry() {
    cluster.aws().world().sessionLifetime(Duration.ofMinutes(15));
    AwsIntegration ai = irsaIntegration("Verified");

    IntegrationSessions.Session first = credentials.forDatasets(ai).orElseThrow();
    clock.advance(Duration.ofMinutes(12)); // 3 minutes left: more than the margin
    assertThat(credentials.forDatasets(ai).orElseThrow()).isSameAs(first);
    assertThat(stsExchanges()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(2)); // 1 minute left
    IntegrationSessions.Session renewed = credentials.forDatasets(ai).orElseThrow();

    assertThat(stsExchanges()).isEqualTo(2);
    assertThat(renewed).isNotSameAs(first);
  }

  @Test
  void shouldRenewNothingWhenTheStatusProvesNoCredentials() {
    AwsIntegration denied = irsaIntegration("Denied");
    assertThat(credentials.forDatasets(denied)).isEmpty();

    AwsIntegration stale = irsaIntegration("Verified");
    stale.getMetadata().setGeneration(4L); // the status speaks of generation 3
    assertThat(credentials.forDatasets(stale)).isEmpty();

    assertThat(cluster.tokens().minted()).isEmpty();
    assertThat(stsExchanges()).isZero();
  }

  @Test
  void shouldTakeAnAccessKeyFromItsSecretWithoutAnyAwsCall() {
    cluster.aws().world().user(USER_ARN, KEY_ID, SECRET).grant(USER_ARN, BUCKET, "", "s3:GetObject", "s3:ListBucket");
    cluster.client().resource(new SecretBuilder().withNewMetadata().withName("aws-creds").withNamespace(NAMESPACE).endMetadata()
        .withStringData(Map.of("AWS_ACCESS_KEY_ID", KEY_ID, "AWS_SECRET_ACCESS_KEY", SECRET)).build()).create();
    AwsIntegration ai = Resources.accessKeyIntegration("keyed", Platform.Custom);
    ai.getMetadata().setGeneration(1L);
    AwsIntegrationStatus status = new AwsIntegrationStatus();
    status.setObservedGeneration(1L);
    Identity identity = new Identity();
    identity.setArn(USER_ARN);
    identity.setAccount(ACCOUNT);
    status.setIdentity(identity);
    status.setConditions(Conditions.after(List.of(), 1L, clock).set(LiveChecker.CREDENTIALS_VERIFIED, true, "CredentialsVerified", "").build());
    ai.setStatus(status);

    IntegrationSessions.Session session = credentials.forDatasets(ai).orElseThrow();

    assertThat(session.expiresAt()).isNull();
    assertThat(session.objectStore(BUCKET).head("data/fraud_ref.csv").size()).isPositive();
    assertThat(cluster.aws().iamSts().calls()).isEmpty();
    // The front records a call just after answering it.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(cluster.aws().s3().calls()).extracting(S3Front.Call::principal).containsOnly(USER_ARN));
  }

  @Test
  void shouldSendTheIntegrationsBucketOwnerWhateverBucketADatasetNames() {
    cluster.aws().bucket("other-account-data", "999988887777", "us-east-1");
    cluster.aws().world().grant(Resources.ROLE_ARN, "other-account-data", "", "s3:GetObject", "s3:ListBucket");
    cluster.aws().s3().putObject("other-account-data", "x.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8));
    AwsIntegration unpinned = irsaIntegration("Verified");
    // Without a pinned owner the role may read the other account's bucket: the refusal below is the pin's.
    assertThat(credentials.forDatasets(unpinned).orElseThrow().objectStore("other-account-data").head("x.csv").size()).isPositive();

    AwsIntegration pinned = irsaIntegration("Verified");
    pinned.getMetadata().setName("pinned");
    pinned.getSpec().setBucketOwner(ACCOUNT);
    IntegrationSessions.Session session = credentials.forDatasets(pinned).orElseThrow();
    cluster.aws().s3().clearCalls();

    assertThatThrownBy(() -> session.objectStore("other-account-data").head("x.csv"))
        .isInstanceOfSatisfying(ObjectStoreException.class, e -> assertThat(e.kind()).isEqualTo(ObjectStoreException.Kind.ACCESS_DENIED));
    assertThatThrownBy(() -> session.objectStore("other-account-data").read("x.csv", 0, 4)).isInstanceOf(ObjectStoreException.class);
    assertThatThrownBy(() -> session.objectStore("other-account-data").list("", null, 10)).isInstanceOf(ObjectStoreException.class);
    assertThat(session.objectStore(BUCKET).head("data/fraud_ref.csv").size()).isPositive();

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(cluster.aws().s3().calls())
        .filteredOn(c -> c.bucket().equals("other-account-data")).hasSize(3).allSatisfy(c -> assertThat(c.status()).isEqualTo(403)));
  }
}
