package dev.mlops.datastore.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.datastore.sandbox.aws.LocalAws;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Sessions share one S3 client per region and bring their credentials on each request: replacing
 * or dropping a session never closes what another reader holds, and a request without a session
 * never goes out as the operator. Against S3Proxy behind the sandbox's authorizing front.
 */
class IntegrationSessionsIT {
  private static final String BUCKET = "data";
  private static final String USER = "arn:aws:iam::111122223333:user/reader";
  private static final String OTHER_USER = "arn:aws:iam::111122223333:user/rotated";

  private final LocalAws local = new LocalAws();
  private final AwsServices aws = local.services();
  private final IntegrationSessions sessions = new IntegrationSessions(aws);

  @AfterEach
  void stop() {
    aws.close();
    local.close();
  }

  private IntegrationSessions.Session session(String keyId, String secret, String arn) {
    return sessions.open(AwsBasicCredentials.create(keyId, secret), null, new CallerIdentity(arn, "111122223333"), BUCKET, null, "us-east-1", 1L);
  }

  @Test
  void shouldKeepReadingWithASessionThatWasReplacedAndRemoved() {
    local.bucket(BUCKET, "111122223333", "us-east-1");
    local.s3().putObject(BUCKET, "x.csv", "a,b\n".getBytes(StandardCharsets.UTF_8));
    local.world().user(USER, "AKIAREADER0000000001", "reader-secret").grant(USER, BUCKET, "", "s3:GetObject", "s3:ListBucket");
    local.world().user(OTHER_USER, "AKIAROTATED000000001", "rotated-secret").grant(OTHER_USER, BUCKET, "", "s3:GetObject", "s3:ListBucket");
    IntegrationSessions.Session first = session("AKIAREADER0000000001", "reader-secret", USER);
    sessions.put("ml/data", first);
    var store = first.objectStore(BUCKET);
    assertThat(store.head("x.csv").size()).isEqualTo(4);

    // A re-check proves rotated credentials, then the integration is deleted, while a Dataset
    // still holds the store it got from the first session.
    sessions.put("ml/data", session("AKIAROTATED000000001", "rotated-secret", OTHER_USER));
    assertThat(sessions.get("ml/data", Instant.now()).orElseThrow().objectStore(BUCKET).read("x.csv", 0, 3)).hasSize(3);
    sessions.remove("ml/data");

    assertThat(store.read("x.csv", 0, 3)).hasSize(3);
    assertThat(first.s3()).isNotSameAs(aws.s3("us-east-1"));
    assertThat(aws.s3("us-east-1")).isSameAs(aws.s3("us-east-1"));
  }

  @Test
  void shouldNeverSendAnS3RequestWithoutASessionsCredentials() {
    local.bucket(BUCKET, "111122223333", "us-east-1");

    assertThatThrownBy(() -> aws.s3("us-east-1").headBucket(r -> r.bucket(BUCKET))).isInstanceOf(SdkClientException.class);

    assertThat(local.s3().calls()).isEmpty();
  }
}
