package dev.mlops.datastore.sandbox.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.datastore.sandbox.SceneClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Faults and time staged on the world, seen through the AWS SDK's own clients (no retries, so
 * every staged call is one request): each answer is in the service's real error format, so the
 * SDK parses the code and status as it would from AWS.
 */
class StagedFaultsIT {
  private static final String USER_ARN = "arn:aws:iam::111122223333:user/reader";
  private static final String KEY = "AKIASTAGEDFAULTS0001";
  private static final String SECRET = "staged-faults-secret";
  private static final String ROLE_ARN = "arn:aws:iam::111122223333:role/staged";

  private LocalAws aws;
  private SceneClock clock;

  @BeforeAll
  static void forwardHostHeader() {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  @BeforeEach
  void setUp() {
    aws = new LocalAws();
    clock = new SceneClock();
    aws.world().clock(clock).user(USER_ARN, KEY, SECRET).role(ROLE_ARN, "{}", List.of("system:serviceaccount:ns:*"));
    aws.bucket("staged-data", "111122223333", "us-east-1").world().grant(USER_ARN, "staged-data", "", "s3:ListBucket", "s3:GetObject");
    aws.s3().putObject("staged-data", "a.csv", "id\n1\n".getBytes(StandardCharsets.UTF_8));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET));
  }

  private StsClient sts() {
    return StsClient.builder().region(Region.US_EAST_1).endpointOverride(aws.iamSts().endpoint()).credentialsProvider(credentials())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  private IamClient iam() {
    return IamClient.builder().region(Region.AWS_GLOBAL).endpointOverride(aws.iamSts().endpoint()).credentialsProvider(credentials())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  private S3Client s3() {
    return S3Client.builder().region(Region.US_EAST_1).endpointOverride(aws.s3().endpoint()).forcePathStyle(true).credentialsProvider(credentials())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  private static AwsServiceException failure(Runnable call) {
    try {
      call.run();
    } catch (AwsServiceException e) {
      return e;
    }
    throw new AssertionError("the call succeeded");
  }

  @Test
  void shouldThrottleStsForTheNextCallsThenAnswer() {
    aws.world().failNext("sts", null, 4, 400, "Throttling");
    try (StsClient sts = sts()) {
      for (int i = 0; i < 4; i++) {
        AwsServiceException e = failure(sts::getCallerIdentity);
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("Throttling");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
      }
      assertThat(sts.getCallerIdentity().arn()).isEqualTo(USER_ARN);
    }
  }

  @Test
  void shouldFailOnlyTheNamedIamOperation() {
    aws.world().failNext("iam", "GetRole", 3, 400, "Throttling");
    try (IamClient iam = iam()) {
      assertThat(failure(() -> iam.getOpenIDConnectProvider(b -> b.openIDConnectProviderArn("arn:aws:iam::111122223333:oidc-provider/x")))
          .awsErrorDetails().errorCode()).isEqualTo("NoSuchEntity");
      for (int i = 0; i < 3; i++) {
        assertThat(failure(() -> iam.getRole(b -> b.roleName("staged"))).awsErrorDetails().errorCode()).isEqualTo("Throttling");
      }
      assertThat(iam.getRole(b -> b.roleName("staged")).role().arn()).isEqualTo(ROLE_ARN);
    }
  }

  @Test
  void shouldAnswerSlowDownInS3sErrorFormat() {
    aws.world().failNext("s3", null, 3, 503, "SlowDown");
    try (S3Client s3 = s3()) {
      AwsServiceException list = failure(() -> s3.listObjectsV2(b -> b.bucket("staged-data")));
      assertThat(list.statusCode()).isEqualTo(503);
      assertThat(list.awsErrorDetails().errorCode()).isEqualTo("SlowDown");
      assertThat(failure(() -> s3.getObjectAsBytes(b -> b.bucket("staged-data").key("a.csv"))).awsErrorDetails().errorCode()).isEqualTo("SlowDown");
      assertThat(failure(() -> s3.headObject(b -> b.bucket("staged-data").key("a.csv"))).statusCode()).isEqualTo(503);
      assertThat(s3.getObjectAsBytes(b -> b.bucket("staged-data").key("a.csv")).asUtf8String()).isEqualTo("id\n1\n");
    }
    assertThat(aws.s3().calls()).extracting(S3Front.Call::status).containsExactly(503, 503, 503, 200);
  }

  @Test
  void shouldMatchListObjectsV2ByItsApiName() {
    aws.world().failNext("s3", "ListObjectsV2", 1, 500, "InternalError").failNext("s3", "HeadBucket", 1, 503, "SlowDown");
    try (S3Client s3 = s3()) {
      assertThat(s3.getObjectAsBytes(b -> b.bucket("staged-data").key("a.csv")).asUtf8String()).isEqualTo("id\n1\n");
      assertThat(failure(() -> s3.listObjectsV2(b -> b.bucket("staged-data"))).awsErrorDetails().errorCode()).isEqualTo("InternalError");
      assertThat(s3.listObjectsV2(b -> b.bucket("staged-data")).contents()).hasSize(1);
    }
  }

  @Test
  void shouldFailOnlyWithinTheWindowOfTheWorldsClock() {
    var start = clock.instant();
    aws.world().failBetween("sts", "GetCallerIdentity", start.plus(Duration.ofMinutes(10)), start.plus(Duration.ofMinutes(20)), 503, "ServiceUnavailable");
    try (StsClient sts = sts()) {
      assertThat(sts.getCallerIdentity().arn()).isEqualTo(USER_ARN);
      clock.advance(Duration.ofMinutes(10));
      for (int i = 0; i < 3; i++) {
        AwsServiceException e = failure(sts::getCallerIdentity);
        assertThat(e.statusCode()).isEqualTo(503);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ServiceUnavailable");
      }
      clock.advance(Duration.ofMinutes(10));
      assertThat(sts.getCallerIdentity().arn()).isEqualTo(USER_ARN);
    }
  }

  @Test
  void shouldHoldACallUntilTheClientTimesOut() {
    aws.world().delayNext("sts", "GetCallerIdentity", 1, Duration.ofSeconds(3));
    try (StsClient sts = StsClient.builder().region(Region.US_EAST_1).endpointOverride(aws.iamSts().endpoint()).credentialsProvider(credentials())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallAttemptTimeout(Duration.ofMillis(300))).build()) {
      assertThatThrownBy(sts::getCallerIdentity).isInstanceOf(ApiCallAttemptTimeoutException.class);
      assertThat(sts.getCallerIdentity().arn()).isEqualTo(USER_ARN);
    }
    assertThat(aws.iamSts().calls()).containsExactly("sts:GetCallerIdentity", "sts:GetCallerIdentity");
  }

  @Test
  void shouldKeepFailStsAsAShortFormOfStsUnavailable() {
    aws.world().failSts(1);
    try (StsClient sts = sts()) {
      AwsServiceException e = failure(sts::getCallerIdentity);
      assertThat(e.statusCode()).isEqualTo(503);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ServiceUnavailable");
      assertThat(sts.getCallerIdentity().account()).isEqualTo("111122223333");
    }
  }

  @Test
  void shouldExpireSessionsByTheWorldsClock() {
    AwsWorld world = aws.world().sessionLifetime(Duration.ofMinutes(15));
    AwsWorld.Session session = world.issue(world.role(ROLE_ARN).orElseThrow(), "s");
    assertThat(world.caller(session.accessKey(), session.token()).problem()).isNull();
    clock.advance(Duration.ofMinutes(16));
    assertThat(world.caller(session.accessKey(), session.token()).problem()).isEqualTo("ExpiredToken");
  }

  @Test
  void shouldRefuseFaultsItCannotStage() {
    assertThatThrownBy(() -> aws.world().failNext("ec2", null, 1, 503, "SlowDown")).hasMessageContaining("'ec2'");
    assertThatThrownBy(() -> aws.world().failNext("s3", null, 1, 200, "SlowDown")).hasMessageContaining("400-599");
    assertThatThrownBy(() -> aws.world().failNext("s3", null, -1, 503, "SlowDown")).hasMessageContaining("times");
    assertThatThrownBy(() -> aws.world().delayNext("s3", null, 1, Duration.ZERO)).hasMessageContaining("positive");
    var now = clock.instant();
    assertThatThrownBy(() -> aws.world().failBetween("s3", null, now, now, 503, "SlowDown")).hasMessageContaining("window");
  }
}
