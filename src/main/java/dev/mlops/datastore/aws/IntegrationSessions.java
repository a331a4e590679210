package dev.mlops.datastore.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The one place to ask "give me the S3 client of integration X": the AwsIntegration reconciler
 * puts the credentials it proved, the Dataset reconciler takes them, so Datasets never call STS or
 * IAM. Sessions are dropped shortly before their credentials expire.
 */
public final class IntegrationSessions {
  private static final Duration EXPIRY_MARGIN = Duration.ofMinutes(2);

  /** Proven credentials of an integration, and where its bucket is. */
  public static final class Session {
    private final AwsCredentials credentials;
    private final Instant expiresAt;
    private final CallerIdentity identity;
    private final String bucket;
    private final String bucketOwner;
    private final String region;
    private final AwsCallCounter calls;
    private final Map<String, S3Client> clients;
    private final AwsServices aws;

    Session(AwsServices aws, AwsCredentials credentials, Instant expiresAt, CallerIdentity identity, String bucket, String bucketOwner,
        String region, AwsCallCounter calls, Map<String, S3Client> clients) {
      this.aws = aws;
      this.credentials = credentials;
      this.expiresAt = expiresAt;
      this.identity = identity;
      this.bucket = bucket;
      this.bucketOwner = bucketOwner;
      this.region = region;
      this.calls = calls;
      this.clients = clients;
    }

    /** The same credentials and clients, with the bucket's region as S3 reported it. */
    public Session withRegion(String actual) {
      return new Session(aws, credentials, expiresAt, identity, bucket, bucketOwner, actual, calls, clients);
    }

    public S3Client s3() {
      return s3(region);
    }

    public S3Client s3(String inRegion) {
      return clients.computeIfAbsent(inRegion, r -> aws.s3(credentials, r, calls));
    }

    public CallerIdentity identity() {
      return identity;
    }

    public String bucket() {
      return bucket;
    }

    /** The account that must own the bucket, or null. */
    public String bucketOwner() {
      return bucketOwner;
    }

    public String region() {
      return region;
    }

    /** Null for credentials that do not expire (an access key). */
    public Instant expiresAt() {
      return expiresAt;
    }

    /** S3 calls made with this session, by operation. */
    public AwsCallCounter calls() {
      return calls;
    }

    void close() {
      clients.values().forEach(S3Client::close);
    }

    @Override
    public String toString() {
      return "Session[" + identity.arn() + " on " + bucket + "]";
    }
  }

  private final AwsServices aws;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  /** The key an integration's session is kept under. */
  public static String key(String namespace, String integration) {
    return namespace + "/" + integration;
  }

  public IntegrationSessions(AwsServices aws) {
    this.aws = aws;
  }

  /** A session for these credentials; not stored until {@link #put}. */
  public Session open(AwsCredentials credentials, Instant expiresAt, CallerIdentity identity, String bucket, String bucketOwner, String region) {
    return new Session(aws, credentials, expiresAt, identity, bucket, bucketOwner, region, new AwsCallCounter(), new ConcurrentHashMap<>());
  }

  public void put(String integration, Session session) {
    Session old = sessions.put(integration, session);
    if (old != null && old.clients != session.clients) {
      old.close();
    }
  }

  /** The integration's session, unless it is missing or about to expire. */
  public Optional<Session> get(String integration, Instant now) {
    Session s = sessions.get(integration);
    if (s == null || s.expiresAt != null && !now.plus(EXPIRY_MARGIN).isBefore(s.expiresAt)) {
      return Optional.empty();
    }
    return Optional.of(s);
  }

  public void remove(String integration) {
    Session old = sessions.remove(integration);
    if (old != null) {
      old.close();
    }
  }
}
