package dev.mlops.datastore.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.datastore.aws.AwsCallCounter.Outcome;
import dev.mlops.datastore.sandbox.aws.LocalAws;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The outcome of every AWS call attempt, as the SDK's own clients see the sandbox's answers in the
 * services' real error formats: throttled attempts the SDK retried are counted as throttled, not
 * lost behind the final success.
 */
class AwsCallCounterIT {
  private static final String USER_ARN = "arn:aws:iam::111122223333:user/reader";
  private static final String KEY = "AKIACALLCOUNTER00001";
  private static final String SECRET = "call-counter-secret";
  private static final String ROLE_ARN = "arn:aws:iam::111122223333:role/counted";

  private LocalAws aws;
  private final AwsCallCounter counter = new AwsCallCounter();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void forwardHostHeader() {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  @BeforeEach
  void setUp() {
    counter.bindTo(registry);
    aws = new LocalAws();
    aws.world().user(USER_ARN, KEY, SECRET).role(ROLE_ARN, "{}", List.of("system:serviceaccount:ns:*"));
    aws.bucket("counted-data", "111122223333", "us-east-1").world().grant(USER_ARN, "counted-data", "open/", "s3:GetObject");
    aws.s3().putObject("counted-data", "open/a.csv", "id\n1\n".getBytes(StandardCharsets.UTF_8));
    aws.s3().putObject("counted-data", "closed/b.csv", "id\n2\n".getBytes(StandardCharsets.UTF_8));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET));
  }

  private IamClient iam() {
    return IamClient.builder().region(Region.AWS_GLOBAL).endpointOverride(aws.iamSts().endpoint()).credentialsProvider(credentials())
        .overrideConfiguration(o -> o.addExecutionInterceptor(counter)).build();
  }

  private StsClient sts(URI endpoint) {
    return StsClient.builder().region(Region.US_EAST_1).endpointOverride(endpoint).credentialsProvider(credentials())
        .overrideConfiguration(o -> o.addExecutionInterceptor(counter).retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  private S3Client s3() {
    return S3Client.builder().region(Region.US_EAST_1).endpointOverride(aws.s3().endpoint()).forcePathStyle(true).credentialsProvider(credentials())
        .overrideConfiguration(o -> o.addExecutionInterceptor(counter).retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  private double counted(String service, String operation, String outcome) {
    var c = registry.find("datastore.aws.calls").tags("service", service, "operation", operation, "outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void shouldCountRetriedThrottledAttemptsAsThrottledAndTheLastAsSuccess() {
    aws.world().failNext("iam", "GetRole", 2, 400, "Throttling");
    try (IamClient iam = iam()) {
      assertThat(iam.getRole(b -> b.roleName("counted")).role().arn()).isEqualTo(ROLE_ARN);
    }
    assertThat(counted("Iam", "GetRole", "throttled")).isEqualTo(2);
    assertThat(counted("Iam", "GetRole", "success")).isEqualTo(1);
    assertThat(counter.snapshot()).containsEntry("Iam:GetRole", 3L);
  }

  @Test
  void shouldCountAnAccessDeniedAnswerAsDenied() {
    try (S3Client s3 = s3()) {
      assertThat(s3.getObjectAsBytes(b -> b.bucket("counted-data").key("open/a.csv")).asUtf8String()).isEqualTo("id\n1\n");
      assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("counted-data").key("closed/b.csv"))).isInstanceOf(SdkException.class);
      // A HEAD answer has no body: its bare 403 is still a denial.
      assertThatThrownBy(() -> s3.headObject(b -> b.bucket("counted-data").key("closed/b.csv"))).isInstanceOf(SdkException.class);
    }
    assertThat(counted("S3", "GetObject", "success")).isEqualTo(1);
    assertThat(counted("S3", "GetObject", "denied")).isEqualTo(1);
    assertThat(counted("S3", "HeadObject", "denied")).isEqualTo(1);
  }

  @Test
  void shouldCountSlowDownAsThrottledAndOtherFailuresAsErrors() {
    aws.world().failNext("s3", "HeadObject", 1, 503, "SlowDown").failNext("s3", "ListObjectsV2", 1, 500, "InternalError");
    try (S3Client s3 = s3()) {
      assertThatThrownBy(() -> s3.headObject(b -> b.bucket("counted-data").key("open/a.csv"))).isInstanceOf(SdkException.class);
      assertThatThrownBy(() -> s3.listObjectsV2(b -> b.bucket("counted-data"))).isInstanceOf(SdkException.class);
    }
    assertThat(counted("S3", "HeadObject", "throttled")).isEqualTo(1);
    assertThat(counted("S3", "ListObjectsV2", "error")).isEqualTo(1);
    assertThat(counted("S3", "ListObjectsV2", "throttled")).isZero();
  }

  @Test
  void shouldCountAnStsDenialAsDenied() {
    aws.world().failNext("sts", null, 1, 403, "AccessDenied");
    try (StsClient sts = sts(aws.iamSts().endpoint())) {
      assertThatThrownBy(sts::getCallerIdentity).isInstanceOf(SdkException.class);
      assertThat(sts.getCallerIdentity().arn()).isEqualTo(USER_ARN);
    }
    assertThat(counted("Sts", "GetCallerIdentity", "denied")).isEqualTo(1);
    assertThat(counted("Sts", "GetCallerIdentity", "success")).isEqualTo(1);
  }

  @Test
  void shouldCountACallThatGotNoAnswerAsAnError() throws Exception {
    URI nobody;
    try (ServerSocket socket = new ServerSocket(0)) {
      nobody = URI.create("http://localhost:" + socket.getLocalPort());
    }
    try (StsClient sts = sts(nobody)) {
      assertThatThrownBy(sts::getCallerIdentity).isInstanceOf(SdkException.class);
    }
    assertThat(counted("Sts", "GetCallerIdentity", "error")).isEqualTo(1);
    assertThat(counter.outcomes()).containsOnlyKeys("Sts:GetCallerIdentity:error");
  }

  @Test
  void shouldClassifyKmsAndJsonProtocolDenials() {
    assertThat(AwsCallCounter.classify(400, "KMS.DisabledException")).isEqualTo(Outcome.DENIED);
    assertThat(AwsCallCounter.classify(400, "AccessDeniedException")).isEqualTo(Outcome.DENIED);
    assertThat(AwsCallCounter.classify(400, AwsCallCounter.errorCode("{\"__type\":\"com.amazonaws.kms#AccessDeniedException\"}")))
        .isEqualTo(Outcome.DENIED);
    assertThat(AwsCallCounter.classify(400, "RequestLimitExceeded")).isEqualTo(Outcome.THROTTLED);
    assertThat(AwsCallCounter.classify(429, null)).isEqualTo(Outcome.THROTTLED);
    assertThat(AwsCallCounter.classify(404, "NoSuchKey")).isEqualTo(Outcome.ERROR);
    assertThat(AwsCallCounter.classify(403, "SignatureDoesNotMatch")).isEqualTo(Outcome.ERROR);
  }
}
