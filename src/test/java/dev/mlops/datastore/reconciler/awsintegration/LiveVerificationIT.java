package dev.mlops.datastore.reconciler.awsintegration;

import static dev.mlops.datastore.testing.Resources.ACCOUNT;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static dev.mlops.datastore.testing.Resources.PROVIDER_ARN;
import static dev.mlops.datastore.testing.Resources.ROLE_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.mlops.datastore.api.v1alpha1.AccessCheck;
import dev.mlops.datastore.api.v1alpha1.Access;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.api.v1alpha1.ServiceAccountStatus;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import dev.mlops.datastore.sandbox.aws.AwsWorld;
import dev.mlops.datastore.sandbox.aws.S3Front;
import dev.mlops.datastore.testing.StatusAwait;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The live links end to end: the real operator, TokenRequests on the mock API server signed by
 * the test cluster's key, STS and IAM emulated over their query protocols, S3 as S3Proxy behind
 * an authorizing front. AWS calls are counted at the servers.
 */
class LiveVerificationIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String MARKER_KEY_ID = "AKIAMARKERKEYID00001";
  private static final String MARKER_SECRET = "MARKER-secret-key-never-to-be-seen-0123456";
  private static final String USER_ARN = "arn:aws:iam::" + ACCOUNT + ":user/datarobot-reader";
  private static final String BUCKET = "rime-blob-integration";

  private MockCluster cluster;
  private ListAppender<ILoggingEvent> logs;

  @BeforeEach
  void start() {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    cluster = new MockCluster();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    cluster.startOperator(Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    cluster.close();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  private AwsWorld world() {
    return cluster.aws().world();
  }

  private S3Front s3() {
    return cluster.aws().s3();
  }

  /** This cluster's provider and the role, admitting these subjects at STS. */
  private void role(String... allowedSubjects) {
    world().provider(PROVIDER_ARN, MockCluster.ISSUER, cluster.tokens().publicKey(), "sts.amazonaws.com");
    world().role(ROLE_ARN, Resources.trustPolicyForNamespace(NAMESPACE), List.of(allowedSubjects));
  }

  private void bucket(String owner, String region, String... actionsForRole) {
    cluster.aws().bucket(BUCKET, owner, region);
    if (actionsForRole.length > 0) {
      world().grant(ROLE_ARN, BUCKET, "", actionsForRole);
    }
    s3().putObject(BUCKET, "data/fraud_ref.csv", "id,amount,label\n1,9.5,0\n".getBytes(StandardCharsets.UTF_8));
  }

  private void serviceAccounts(String... names) {
    for (String name : names) {
      cluster.client().resource(Resources.serviceAccount(name, Map.of())).create();
    }
  }

  @Test
  void shouldProveAnAccessKeyAndNeverShowIt() {
    cluster.aws().bucket(BUCKET, ACCOUNT, "us-east-1");
    s3().putObject(BUCKET, "data/fraud_ref.csv", "id,label\n1,0\n".getBytes(StandardCharsets.UTF_8));
    world().user(USER_ARN, MARKER_KEY_ID, MARKER_SECRET).grant(USER_ARN, BUCKET, "", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    cluster.client().resource(new SecretBuilder().withNewMetadata().withName("aws-creds").withNamespace(NAMESPACE).endMetadata()
        .withStringData(Map.of("AWS_ACCESS_KEY_ID", MARKER_KEY_ID, "AWS_SECRET_ACCESS_KEY", MARKER_SECRET)).build()).create();

    cluster.client().resource(Resources.accessKeyIntegration("dr", Platform.DataRobot)).create();

    awaitCondition("dr", Conditions.READY, c -> c.getStatus().equals("True"));
    AwsIntegration ai = get("dr");
    assertThat(ai.getStatus().getIdentity().getArn()).isEqualTo(USER_ARN);
    assertThat(ai.getStatus().getIdentity().getAccount()).isEqualTo(ACCOUNT);
    assertThat(condition("dr", "CredentialsVerified").orElseThrow().getReason()).isEqualTo("CredentialsVerified");
    assertThat(rows(ai)).containsExactly("s3:GetBucketLocation=Allowed", "s3:ListBucket=Allowed", "s3:GetObject=Allowed");
    assertThat(cluster.aws().iamSts().calls()).containsExactly("sts:GetCallerIdentity");
    assertThat(s3().calls()).extracting(S3Front.Call::operation)
        .containsExactly("HeadBucket", "GetBucketLocation", "ListObjects", "GetObject");
    assertNothingLeaked(List.of(MARKER_KEY_ID, MARKER_SECRET));
  }

  /** An access-key integration whose Secret holds this key pair, while AWS knows the user's own. */
  private void accessKeyIntegrationWith(String keyId, String secret) {
    cluster.aws().bucket(BUCKET, ACCOUNT, "us-east-1");
    s3().putObject(BUCKET, "data/fraud_ref.csv", "id,label\n1,0\n".getBytes(StandardCharsets.UTF_8));
    world().user(USER_ARN, MARKER_KEY_ID, MARKER_SECRET).grant(USER_ARN, BUCKET, "", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    cluster.client().resource(new SecretBuilder().withNewMetadata().withName("aws-creds").withNamespace(NAMESPACE).endMetadata()
        .withStringData(Map.of("AWS_ACCESS_KEY_ID", keyId, "AWS_SECRET_ACCESS_KEY", secret)).build()).create();
    cluster.client().resource(Resources.accessKeyIntegration("dr", Platform.DataRobot)).create();
  }

  @Test
  void shouldBlameTheSecretNotAPolicyWhenTheSignatureDoesNotMatch() {
    String wrongSecret = "WRONG-secret-for-a-known-key-id-0123456789";
    accessKeyIntegrationWith(MARKER_KEY_ID, wrongSecret);

    // STS (when it checks signatures) or S3 (S3Proxy always does) refuses the signature.
    Condition credentials = awaitCondition("dr", "CredentialsVerified", c -> c.getStatus().equals("False"));
    assertThat(credentials.getReason()).isEqualTo("WrongSecretAccessKey");
    assertThat(credentials.getMessage()).contains("SignatureDoesNotMatch").contains("AWS_SECRET_ACCESS_KEY").contains("aws-creds");
    Condition bucket = condition("dr", "BucketReachable").orElseThrow();
    assertThat(bucket.getStatus()).isEqualTo("Unknown");
    assertThat(bucket.getReason()).isEqualTo("CredentialsUnavailable");
    AwsIntegration ai = get("dr");
    assertThat(ai.getStatus().getBucket() == null ? List.<AccessCheck>of() : ai.getStatus().getBucket().getAccess())
        .noneMatch(a -> "Denied".equals(a.getResult()));
    assertThat(condition("dr", Conditions.READY).orElseThrow().getReason()).isNotIn("AccessDenied", "BucketAccessDenied");
    assertNothingLeaked(List.of(MARKER_KEY_ID, MARKER_SECRET, wrongSecret));
  }

  @Test
  void shouldSayTheAccessKeyIdIsUnknown() {
    accessKeyIntegrationWith("AKIAUNKNOWNKEYID0000", MARKER_SECRET);

    Condition credentials = awaitCondition("dr", "CredentialsVerified", c -> c.getStatus().equals("False"));
    assertThat(credentials.getReason()).isEqualTo("UnknownAccessKeyId");
    assertThat(credentials.getMessage()).contains("AWS_ACCESS_KEY_ID").doesNotContain("AKIAUNKNOWNKEYID0000");
    assertThat(condition("dr", "BucketReachable").orElseThrow().getReason()).isEqualTo("CredentialsUnavailable");
    assertThat(s3().calls()).isEmpty();
  }

  @Test
  void shouldDropTheSessionOfADeletedIntegration() {
    role("system:serviceaccount:" + NAMESPACE + ":*");
    bucket(ACCOUNT, "us-east-1", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    serviceAccounts("a");
    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();
    awaitCondition("fraud-data", Conditions.READY, c -> c.getStatus().equals("True"));
    assertThat(cluster.metrics().get("datastore.integration.sessions").gauge().value()).isEqualTo(1.0);

    cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data").delete();

    await().atMost(WAIT).until(() -> cluster.metrics().get("datastore.integration.sessions").gauge().value() == 0.0);
  }

  @Test
  void shouldVerifyBothRobustIntelligenceServiceAccountsWithOneStsCallEach() {
    role("system:serviceaccount:" + NAMESPACE + ":rime-agent-*");
    bucket(ACCOUNT, "us-east-1", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    serviceAccounts("rime-agent-model-tester", "rime-agent-rime-cross-plane-server");

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.RobustIntelligence)).create();

    awaitCondition("fraud-data", Conditions.READY, c -> c.getStatus().equals("True"));
    AwsIntegration ai = get("fraud-data");
    assertThat(ai.getStatus().getServiceAccounts()).extracting(ServiceAccountStatus::getLive).containsExactly("Verified", "Verified");
    assertThat(ai.getStatus().getIdentity().getArn()).startsWith("arn:aws:sts::" + ACCOUNT + ":assumed-role/rime-s3/");
    assertThat(cluster.aws().iamSts().calls().stream().filter(c -> c.startsWith("sts:"))).hasSize(2);
    assertThat(s3().calls()).hasSizeLessThanOrEqualTo(6);
    // The operator's own count, as its metrics expose it.
    var metrics = cluster.metrics();
    assertThat(metrics.get("datastore.check.sts.calls").summary().max()).isEqualTo(2.0);
    assertThat(metrics.get("datastore.check.s3.calls").summary().max()).isEqualTo(s3().calls().size());
    assertThat(metrics.get("datastore.aws.calls").tags("service", "Sts", "operation", "AssumeRoleWithWebIdentity").counter().count()).isEqualTo(2.0);
    assertThat(rows(ai)).containsExactly("s3:GetBucketLocation=Allowed", "s3:ListBucket=Allowed", "s3:GetObject=Allowed");
    List<String> secrets = new ArrayList<>(cluster.tokens().minted());
    world().sessions().forEach(s -> {
      secrets.add(s.secretKey());
      secrets.add(s.token());
    });
    assertThat(secrets).hasSizeGreaterThanOrEqualTo(6);
    assertNothingLeaked(secrets);
  }

  @Test
  void shouldProveACrossAccountBucketReadWriteAndLeaveNoProbeBehind() {
    role("system:serviceaccount:" + NAMESPACE + ":*");
    bucket("444455556666", "eu-west-1", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject", "s3:PutObject", "s3:DeleteObject");
    serviceAccounts("trainer");
    AwsIntegration ai = Resources.irsaIntegration("shared", Platform.Custom, "trainer");
    ai.getSpec().setBucketOwner("444455556666");
    ai.getSpec().setRegion("eu-west-1");
    ai.getSpec().setAccess(Access.ReadWrite);

    cluster.client().resource(ai).create();

    awaitCondition("shared", Conditions.READY, c -> c.getStatus().equals("True"));
    AwsIntegration live = get("shared");
    assertThat(rows(live)).containsExactly("s3:GetBucketLocation=Allowed", "s3:ListBucket=Allowed", "s3:GetObject=Allowed",
        "s3:PutObject=Allowed", "s3:DeleteObject=Allowed");
    assertThat(live.getStatus().getBucket().getRegion()).isEqualTo("eu-west-1");
    assertThat(s3().exists(BUCKET, LiveChecker.PROBE_PREFIX + NAMESPACE + "/shared")).isFalse();
    assertThat(s3().calls()).hasSize(6);
  }

  @Test
  void shouldTellWhichServiceAccountStsRefused() {
    role("system:serviceaccount:" + NAMESPACE + ":rime-agent-model-tester");
    bucket(ACCOUNT, "us-east-1", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    serviceAccounts("rime-agent-model-tester", "rime-agent-rime-cross-plane-server");

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.RobustIntelligence)).create();

    Condition credentials = awaitCondition("fraud-data", "CredentialsVerified", c -> c.getStatus().equals("False"));
    assertThat(credentials.getReason()).isEqualTo("SubjectNotAllowed");
    assertThat(credentials.getMessage()).contains("rime-agent-rime-cross-plane-server").contains("verified: rime-agent-model-tester");
    AwsIntegration ai = get("fraud-data");
    assertThat(ai.getStatus().getServiceAccounts()).extracting(ServiceAccountStatus::getLive).containsExactly("Verified", "Denied");
    assertThat(condition("fraud-data", Conditions.READY).orElseThrow().getReason()).isEqualTo("SubjectNotAllowed");
    // The bucket is still probed with the identity that worked.
    assertThat(condition("fraud-data", "BucketReachable").orElseThrow().getStatus()).isEqualTo("True");
  }

  @Test
  void shouldReportAMissingOidcProviderAndAnAudienceItDoesNotList() {
    world().role(ROLE_ARN, Resources.trustPolicyForNamespace(NAMESPACE), List.of("system:serviceaccount:" + NAMESPACE + ":*"));
    bucket(ACCOUNT, "us-east-1", "s3:ListBucket");
    serviceAccounts("a");
    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();

    assertThat(awaitCondition("fraud-data", "CredentialsVerified", c -> c.getStatus().equals("False")).getReason()).isEqualTo("OidcProviderNotFound");

    world().provider(PROVIDER_ARN, MockCluster.ISSUER, cluster.tokens().publicKey(), "not-sts");
    AwsIntegration ai = get("fraud-data");
    ai.getSpec().setServiceAccounts(List.of("a", "b"));
    cluster.client().resource(ai).update();

    Condition audience = awaitCondition("fraud-data", "CredentialsVerified", c -> c.getReason().equals("AudienceNotAccepted"));
    assertThat(audience.getMessage()).contains("Incorrect token audience");
  }

  @Test
  void shouldSayListIsAllowedButGetIsDenied() {
    role("system:serviceaccount:" + NAMESPACE + ":*");
    bucket(ACCOUNT, "us-east-1", "s3:ListBucket", "s3:GetBucketLocation");
    serviceAccounts("a");

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();

    Condition bucket = awaitCondition("fraud-data", "BucketReachable", c -> c.getStatus().equals("False"));
    assertThat(bucket.getReason()).isEqualTo("AccessDenied");
    assertThat(bucket.getMessage()).contains("denied: s3:GetObject");
    AccessCheck get = get("fraud-data").getStatus().getBucket().getAccess().stream().filter(a -> a.getAction().equals("s3:GetObject")).findFirst().orElseThrow();
    assertThat(get.getResult()).isEqualTo("Denied");
    assertThat(get.getCause()).isEqualTo("S3");
    assertThat(get.getCode()).isEqualTo("AccessDenied");
  }

  @Test
  void shouldAttributeADeniedReadOfAnSseKmsObjectToKms() {
    String key = "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/1234abcd-12ab-34cd-56ef-1234567890ab";
    role("system:serviceaccount:" + NAMESPACE + ":*");
    bucket(ACCOUNT, "us-east-1", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    world().kms(BUCKET, key);
    serviceAccounts("a");

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();

    Condition bucket = awaitCondition("fraud-data", "BucketReachable", c -> c.getStatus().equals("False"));
    assertThat(bucket.getReason()).isEqualTo("KmsAccessDenied");
    assertThat(bucket.getMessage()).contains(key).contains("kms:Decrypt");
    AwsIntegration ai = get("fraud-data");
    assertThat(ai.getStatus().getBucket().getEncryption().getType()).isEqualTo("aws:kms");
    assertThat(ai.getStatus().getBucket().getEncryption().getKmsKeyId()).isEqualTo(key);
    assertThat(ai.getStatus().getBucket().getAccess()).filteredOn(a -> a.getAction().equals("s3:GetObject"))
        .extracting(AccessCheck::getCause).containsExactly("KMS");
    assertThat(s3().calls()).extracting(S3Front.Call::operation).contains("HeadObject");
  }

  @Test
  void shouldFindABucketInAnotherRegionAndUseIt() {
    role("system:serviceaccount:" + NAMESPACE + ":*");
    bucket(ACCOUNT, "ap-southeast-2", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    serviceAccounts("a");
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "a");
    ai.getSpec().setRegion("us-east-1");

    cluster.client().resource(ai).create();

    Condition bucket = awaitCondition("fraud-data", "BucketReachable", c -> c.getStatus().equals("True"));
    assertThat(bucket.getMessage()).contains("the bucket is in ap-southeast-2, not us-east-1");
    assertThat(get("fraud-data").getStatus().getBucket().getRegion()).isEqualTo("ap-southeast-2");
  }

  @Test
  void shouldNeverTalkToABucketOfAnotherOwner() {
    role("system:serviceaccount:" + NAMESPACE + ":*");
    bucket("999988887777", "us-east-1", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    serviceAccounts("a");
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "a");
    ai.getSpec().setBucketOwner("444455556666");

    cluster.client().resource(ai).create();

    Condition bucket = awaitCondition("fraud-data", "BucketReachable", c -> c.getStatus().equals("False"));
    assertThat(bucket.getReason()).isEqualTo("BucketAccessDenied");
    assertThat(bucket.getMessage()).contains("not owned by account 444455556666");
    assertThat(s3().calls()).allSatisfy(c -> assertThat(c.status()).isEqualTo(403));
  }

  @Test
  void shouldRecoverByItselfWhenStsComesBack() {
    role("system:serviceaccount:" + NAMESPACE + ":*");
    bucket(ACCOUNT, "us-east-1", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    serviceAccounts("a");
    world().failSts(8); // more than the SDK retries within one exchange: the reconcile itself fails, twice

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();

    Condition reconciling = awaitCondition("fraud-data", Conditions.RECONCILING, c -> true);
    assertThat(reconciling.getReason()).isEqualTo("AwsUnavailable");
    assertThat(reconciling.getMessage()).contains("sts:AssumeRoleWithWebIdentity").contains("ServiceUnavailable");
    awaitCondition("fraud-data", Conditions.READY, c -> c.getStatus().equals("True"));
    assertThat(condition("fraud-data", Conditions.RECONCILING)).isEmpty();
  }

  @Test
  void shouldShowWhichLinkIsBrokenInKubectlGet() {
    String key = "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/1234abcd-12ab-34cd-56ef-1234567890ab";
    role("system:serviceaccount:" + NAMESPACE + ":rime-agent-model-tester", "system:serviceaccount:" + NAMESPACE + ":*reader");
    bucket(ACCOUNT, "us-east-1", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    serviceAccounts("rime-agent-model-tester", "rime-agent-rime-cross-plane-server", "reader", "kms-reader");
    cluster.aws().bucket("kms-bucket", ACCOUNT, "us-east-1");
    world().kms("kms-bucket", key).grant(ROLE_ARN, "kms-bucket", "", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    s3().putObject("kms-bucket", "x.csv", "a,b\n".getBytes(StandardCharsets.UTF_8));
    AwsIntegration kmsOne = Resources.irsaIntegration("encrypted-data", Platform.Custom, "kms-reader");
    kmsOne.getSpec().setBucket("kms-bucket");

    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.RobustIntelligence)).create();
    cluster.client().resource(Resources.irsaIntegration("reader-data", Platform.Custom, "reader")).create();
    cluster.client().resource(kmsOne).create();

    awaitCondition("fraud-data", Conditions.READY, c -> c.getReason().equals("SubjectNotAllowed"));
    awaitCondition("reader-data", Conditions.READY, c -> c.getStatus().equals("True"));
    awaitCondition("encrypted-data", Conditions.READY, c -> c.getReason().equals("KmsAccessDenied"));
    var crd = MockCluster.generatedCrds().stream().filter(c -> c.getSpec().getNames().getKind().equals("AwsIntegration")).findFirst().orElseThrow();
    String table = dev.mlops.datastore.testing.PrinterColumns.table(crd,
        cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).list().getItems());
    System.out.println("$ kubectl get awsi -n " + NAMESPACE + "\n" + table);

    assertThat(table).containsPattern("encrypted-data\\s+False\\s+KmsAccessDenied\\s+kms-bucket\\s+1m")
        .containsPattern("fraud-data\\s+False\\s+SubjectNotAllowed\\s+rime-blob-integration\\s+1m")
        .containsPattern("reader-data\\s+True\\s+Ready\\s+rime-blob-integration\\s+1m");
  }

  private void assertNothingLeaked(List<String> secrets) {
    StringBuilder everything = new StringBuilder();
    for (ILoggingEvent e : logs.list) {
      everything.append(e.getFormattedMessage()).append(' ').append(e.getKeyValuePairs()).append(' ').append(e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage()).append('\n');
    }
    cluster.client().v1().events().inNamespace(NAMESPACE).list().getItems().forEach(e -> everything.append(Serialization.asJson(e)));
    cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).list().getItems().forEach(a -> everything.append(Serialization.asJson(a)));
    assertThat(logs.list).isNotEmpty();
    for (String secret : secrets) {
      assertThat(everything.toString()).as("a credential leaked").doesNotContain(secret);
    }
  }

  private static List<String> rows(AwsIntegration ai) {
    return ai.getStatus().getBucket().getAccess().stream().map(a -> a.getAction() + "=" + a.getResult()).toList();
  }

  private AwsIntegration get(String name) {
    return cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private Optional<Condition> condition(String name, String type) {
    return StatusAwait.condition(cluster.client(), AwsIntegration.class, NAMESPACE, name, type);
  }

  private Condition awaitCondition(String name, String type, Predicate<Condition> test) {
    return StatusAwait.awaitCondition(cluster.client(), AwsIntegration.class, NAMESPACE, name, type, test);
  }
}
