package dev.mlops.datastore.aws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

class AwsErrorsTest {
  private static AwsCallException refused(String code) {
    return AwsErrors.classify("sts:GetCallerIdentity",
        AwsServiceException.builder().statusCode(403).awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("refused").build()).build());
  }

  @Test
  void shouldTellAnUnknownKeyIdFromAWrongSecret() {
    assertThat(AwsErrors.rejectedCredentials(refused("InvalidClientTokenId").code())).contains(AwsErrors.UNKNOWN_ACCESS_KEY_ID);
    assertThat(AwsErrors.rejectedCredentials(refused("InvalidAccessKeyId").code())).contains(AwsErrors.UNKNOWN_ACCESS_KEY_ID);
    assertThat(AwsErrors.rejectedCredentials(refused("SignatureDoesNotMatch").code())).contains(AwsErrors.WRONG_SECRET_ACCESS_KEY);
  }

  @Test
  void shouldNotTakeAPermissionDenialForRefusedCredentials() {
    assertThat(AwsErrors.rejectedCredentials(refused("AccessDenied").code())).isEmpty();
    assertThat(AwsErrors.rejectedCredentials(null)).isEmpty();
  }
}
