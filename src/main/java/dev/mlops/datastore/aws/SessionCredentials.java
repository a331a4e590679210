package dev.mlops.datastore.aws;

import java.time.Instant;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * Temporary credentials from STS, held in memory only. {@link #toString()} names the identity and
 * never the secret or the token.
 */
public final class SessionCredentials {
  private final AwsCredentials credentials;
  private final Instant expiration;
  private final CallerIdentity identity;

  public SessionCredentials(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration, CallerIdentity identity) {
    this.credentials = AwsSessionCredentials.create(accessKeyId, secretAccessKey, sessionToken);
    this.expiration = expiration;
    this.identity = identity;
  }

  public AwsCredentials credentials() {
    return credentials;
  }

  public Instant expiration() {
    return expiration;
  }

  public CallerIdentity identity() {
    return identity;
  }

  @Override
  public String toString() {
    return "SessionCredentials[" + identity.arn() + ", expires " + expiration + "]";
  }
}
