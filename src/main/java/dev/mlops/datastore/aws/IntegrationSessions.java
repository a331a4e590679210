package dev.mlops.datastore.aws;

import dev.mlops.datastore.dataset.ObjectStore;
import dev.mlops.datastore.dataset.S3ObjectStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The one owner of per-integration credentials in this process: the AwsIntegration check puts the
 * session it proved, Datasets take it (renewed through {@link #renewIfNeeded} when missing or near
 * expiry). A session holds credentials and where its bucket is, never a client: S3 goes through
 * the shared regional clients of {@link AwsServices} with the credentials on each request, so
 * replacing or dropping a session never closes anything another reconcile is reading with.
 * Sessions past their expiry are dropped on the next access, and an integration's session goes
 * when the integration is deleted ({@link #remove}).
 */
public final class IntegrationSessions {
  /** How long before its expiry a session is renewed rather than used. */
  public static final Duration EXPIRY_MARGIN = Duration.ofMinutes(2);

  /** Proven credentials of an integration, and where its bucket is. */
  public static final class Session {
    private final AwsServices aws;
    private final AwsCredentialsProvider credentials;
    private final Instant expiresAt;
    private final CallerIdentity identity;
    private final String bucket;
    private final String bucketOwner;
    private final String region;
    private final Long generation;

    Session(AwsServices aws, AwsCredentialsProvider credentials, Instant expiresAt, CallerIdentity identity, String bucket,
        String bucketOwner, String region, Long generation) {
      this.aws = aws;
      this.credentials = credentials;
      this.expiresAt = expiresAt;
      this.identity = identity;
      this.bucket = bucket;
      this.bucketOwner = bucketOwner;
      this.region = region;
      this.generation = generation;
    }

    /** The same credentials, with the bucket's region as S3 reported it. */
    public Session withRegion(String actual) {
      return new Session(aws, credentials, expiresAt, identity, bucket, bucketOwner, actual, generation);
    }

    /** S3 in the bucket's region, signed with this session and pinned to the bucket owner. */
    public S3Client s3() {
      return s3(region);
    }

    public S3Client s3(String inRegion) {
      return new SessionS3Client(aws.s3(inRegion), credentials, bucketOwner);
    }

    /**
     * A Dataset's object store on {@code bucketName} with this session. The integration's
     * {@code bucketOwner}, when set, is sent as ExpectedBucketOwner on every call, whatever bucket
     * the Dataset's path names: a Dataset can read only what its integration vouches for.
     */
    public ObjectStore objectStore(String bucketName) {
      return new S3ObjectStore(s3(), bucketName, bucketOwner, identity == null ? null : identity.arn());
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

    /** The integration's generation these credentials were proven or renewed for, or null. */
    public Long generation() {
      return generation;
    }

    /** True while the credentials are good for more than {@link #EXPIRY_MARGIN}. */
    public boolean usableAt(Instant now) {
      return expiresAt == null || now.plus(EXPIRY_MARGIN).isBefore(expiresAt);
    }

    @Override
    public String toString() {
      return "Session[" + identity.arn() + " on " + bucket + (expiresAt == null ? "" : ", expires " + expiresAt) + "]";
    }
  }

  private final AwsServices aws;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  /** One lock per integration, so that concurrent renewals of one integration cost one STS call. */
  private final Map<String, Object> renewals = new ConcurrentHashMap<>();

  /** The key an integration's session is kept under. */
  public static String key(String namespace, String integration) {
    return namespace + "/" + integration;
  }

  public IntegrationSessions(AwsServices aws) {
    this.aws = aws;
  }

  /** A session for these credentials; not stored until {@link #put}. */
  public Session open(AwsCredentials credentials, Instant expiresAt, CallerIdentity identity, String bucket, String bucketOwner,
      String region, Long generation) {
    return new Session(aws, StaticCredentialsProvider.create(credentials), expiresAt, identity, bucket, bucketOwner, region, generation);
  }

  /** Replaces the integration's session; the old one stays usable by whoever still holds it. */
  public void put(String integration, Session session) {
    sessions.put(integration, session);
  }

  /** The integration's session, unless it is missing or about to expire. */
  public Optional<Session> get(String integration, Instant now) {
    dropExpired(now);
    return Optional.ofNullable(sessions.get(integration)).filter(s -> s.usableAt(now));
  }

  /** Whether the integration has a session in this process at all, usable or not. */
  public boolean has(String integration) {
    return sessions.containsKey(integration);
  }

  /**
   * The integration's session when it passes {@code fits} and is not near expiry; otherwise one
   * from {@code renew}, stored and returned. Single-flight per integration: callers arriving while
   * a renewal runs wait for it and take its result. An empty answer from {@code renew} is
   * returned as is and stores nothing.
   */
  public Optional<Session> renewIfNeeded(String integration, Instant now, Predicate<Session> fits, Supplier<Optional<Session>> renew) {
    Optional<Session> current = get(integration, now).filter(fits);
    if (current.isPresent()) {
      return current;
    }
    Object lock = renewals.computeIfAbsent(integration, k -> new Object());
    synchronized (lock) {
      current = get(integration, now).filter(fits);
      if (current.isPresent()) {
        return current;
      }
      Optional<Session> renewed = renew.get();
      renewed.ifPresent(s -> sessions.put(integration, s));
      return renewed;
    }
  }

  public void remove(String integration) {
    sessions.remove(integration);
    renewals.remove(integration);
  }

  /** How many integrations hold a session (for tests and metrics). */
  public int size() {
    return sessions.size();
  }

  private void dropExpired(Instant now) {
    sessions.values().removeIf(s -> s.expiresAt != null && !now.isBefore(s.expiresAt));
  }
}
