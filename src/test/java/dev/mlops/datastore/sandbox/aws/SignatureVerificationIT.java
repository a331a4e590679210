package dev.mlops.datastore.sandbox.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The emulated STS and S3 authenticate as AWS does, seen through the SDK's own clients: a wrong
 * secret is {@code SignatureDoesNotMatch}, an unknown key {@code InvalidClientTokenId} (STS) or
 * {@code InvalidAccessKeyId} (S3), on every call, before any permission is considered.
 */
class SignatureVerificationIT {
  private static final String USER_ARN = "arn:aws:iam::111122223333:user/reader";
  private static final String KEY = "AKIASIGNATURETEST001";
  private static final String SECRET = "the-right-secret";
  private static final String ROLE_ARN = "arn:aws:iam::111122223333:role/signed";

  private LocalAws aws;

  @BeforeAll
  static void forwardHostHeader() {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  @BeforeEach
  void setUp() {
    aws = new LocalAws();
    aws.world().user(USER_ARN, KEY, SECRET).role(ROLE_ARN, "{}", List.of("*"));
    aws.bucket("signed-data", "111122223333", "us-east-1").world()
        .grant(USER_ARN, "signed-data", "", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject", "s3:PutObject")
        .grant(ROLE_ARN, "signed-data", "", "s3:ListBucket", "s3:GetObject");
    aws.s3().putObject("signed-data", "dir/a b.csv", "id\n1\n".getBytes(StandardCharsets.UTF_8));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private StsClient sts(AwsCredentials credentials) {
    return StsClient.builder().region(Region.US_EAST_1).endpointOverride(aws.iamSts().endpoint())
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  private S3Client s3(AwsCredentials credentials) {
    return S3Client.builder().region(Region.US_EAST_1).endpointOverride(aws.s3().endpoint()).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
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
  void shouldAnswerGetCallerIdentitySignedWithTheUsersOwnSecret() {
    try (StsClient sts = sts(AwsBasicCredentials.create(KEY, SECRET))) {
      assertThat(sts.getCallerIdentity().arn()).isEqualTo(USER_ARN);
    }
  }

  @Test
  void shouldAnswerSignatureDoesNotMatchForAWrongSecret() {
    try (StsClient sts = sts(AwsBasicCredentials.create(KEY, "a-wrong-secret"))) {
      AwsServiceException e = failure(sts::getCallerIdentity);
      assertThat(e.statusCode()).isEqualTo(403);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
      assertThat(e.getMessage()).doesNotContain("a-wrong-secret").doesNotContain(SECRET);
    }
  }

  @Test
  void shouldAnswerInvalidClientTokenIdForAnUnknownKey() {
    try (StsClient sts = sts(AwsBasicCredentials.create("AKIANOBODYHASTHIS001", SECRET))) {
      AwsServiceException e = failure(sts::getCallerIdentity);
      assertThat(e.statusCode()).isEqualTo(403);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidClientTokenId");
    }
  }

  @Test
  void shouldVerifySessionCredentialsWithTheSessionsSecret() {
    AwsWorld.Session s = aws.world().issue(aws.world().role(ROLE_ARN).orElseThrow(), "signed");
    try (StsClient sts = sts(AwsSessionCredentials.create(s.accessKey(), s.secretKey(), s.token()))) {
      assertThat(sts.getCallerIdentity().arn()).isEqualTo(s.assumedRoleArn());
    }
    try (StsClient sts = sts(AwsSessionCredentials.create(s.accessKey(), SECRET, s.token()))) {
      assertThat(failure(sts::getCallerIdentity).awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
    }
    try (StsClient sts = sts(AwsSessionCredentials.create(s.accessKey(), s.secretKey(), "not-the-token"))) {
      assertThat(failure(sts::getCallerIdentity).awsErrorDetails().errorCode()).isEqualTo("InvalidClientTokenId");
    }
  }

  @Test
  void shouldServeS3CallsSignedWithTheRightSecret() {
    try (S3Client s3 = s3(AwsBasicCredentials.create(KEY, SECRET))) {
      assertThat(s3.getBucketLocation(b -> b.bucket("signed-data")).locationConstraintAsString()).isEmpty();
      assertThat(s3.listObjectsV2(b -> b.bucket("signed-data").prefix("dir/")).contents()).hasSize(1);
      assertThat(s3.getObjectAsBytes(b -> b.bucket("signed-data").key("dir/a b.csv")).asUtf8String()).isEqualTo("id\n1\n");
      s3.putObject(b -> b.bucket("signed-data").key("dir/new.csv"), RequestBody.fromString("x\n"));
    }
    assertThat(aws.s3().exists("signed-data", "dir/new.csv")).isTrue();
  }

  @Test
  void shouldRefuseEveryS3CallWithAWrongSecretBeforeAuthorizing() {
    // The user may not GetBucketLocation here: a wrong secret must still say so, not AccessDenied.
    String unGranted = "arn:aws:iam::111122223333:user/nothing";
    aws.world().user(unGranted, "AKIASIGNATURETEST002", "its-secret");
    List<Consumer<S3Client>> calls = List.of(
        s3 -> s3.getBucketLocation(b -> b.bucket("signed-data")),
        s3 -> s3.headBucket(b -> b.bucket("signed-data")),
        s3 -> s3.listObjectsV2(b -> b.bucket("signed-data")),
        s3 -> s3.getObjectAsBytes(b -> b.bucket("signed-data").key("dir/a b.csv")));
    for (String key : List.of(KEY, "AKIASIGNATURETEST002")) {
      try (S3Client s3 = s3(AwsBasicCredentials.create(key, "a-wrong-secret"))) {
        for (Consumer<S3Client> call : calls) {
          AwsServiceException e = failure(() -> call.accept(s3));
          assertThat(e.statusCode()).isEqualTo(403);
          if (e.awsErrorDetails().errorCode() != null) { // HEAD answers carry no body
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
          }
        }
      }
    }
    assertThat(aws.s3().calls()).hasSize(8).allSatisfy(c -> assertThat(c.principal()).isNull());
  }

  @Test
  void shouldAnswerInvalidAccessKeyIdForAnUnknownS3Key() {
    try (S3Client s3 = s3(AwsBasicCredentials.create("AKIANOBODYHASTHIS001", SECRET))) {
      AwsServiceException e = failure(() -> s3.getBucketLocation(b -> b.bucket("signed-data")));
      assertThat(e.statusCode()).isEqualTo(403);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAccessKeyId");
    }
  }
}
