package dev.mlops.datastore.aws;

import software.amazon.awssdk.auth.credentials.AwsCredentials;

/** The two STS questions the live check asks. */
public interface StsGateway {
  /**
   * Exchanges a service account token for the role's credentials, unsigned (no AWS credentials of
   * the operator's own), on the regional STS endpoint.
   *
   * @throws WebIdentityException when STS says no, with the reason mapped
   * @throws AwsCallException when STS cannot be reached
   */
  SessionCredentials assumeRoleWithWebIdentity(String roleArn, String token, String sessionName, String region);

  /** @throws AwsCallException when the credentials are refused or STS cannot be reached */
  CallerIdentity callerIdentity(AwsCredentials credentials, String region);

  /** STS refused a web identity; {@link #reason()} is the code users see. */
  final class WebIdentityException extends RuntimeException {
    private final String reason;

    public WebIdentityException(String reason, String message) {
      super(message);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }
}
