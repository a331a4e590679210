package dev.mlops.datastore.sandbox.aws;

import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One declarative description of an AWS "world": OIDC providers, roles (with the trust policy IAM
 * returns and the subjects STS admits), users with keys, buckets with owner, region and KMS key,
 * and grants of S3 actions. Built in a few lines by a test; read by the IAM/STS emulator and the
 * S3 front. Sessions issued by STS are kept here too.
 */
public final class AwsWorld {
  /** An IAM OIDC provider and the key its issuer signs tokens with. */
  public record Provider(String arn, String issuer, List<String> clientIds, PublicKey signingKey) {}

  /** A role: what GetRole returns, and the token subjects STS lets assume it (globs). */
  public record Role(String arn, String trustPolicy, List<String> allowedSubjects, List<String> attachedPolicies) {}

  public record User(String arn, String accessKey, String secretKey) {}

  /** A bucket; with a KMS key, every object is SSE-KMS and only {@code kmsUsers} may decrypt. */
  public record Bucket(String name, String owner, String region, String kmsKeyArn, Set<String> kmsUsers) {}

  /** S3 actions a principal (user ARN or role ARN) may take on a bucket, under a key prefix. */
  public record Grant(String principalArn, Set<String> actions, String bucket, String prefix) {}

  /** Credentials STS issued. */
  public record Session(String accessKey, String secretKey, String token, String roleArn, String assumedRoleArn, Instant expires) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, Provider> providers = new ConcurrentHashMap<>();
  private final Map<String, Role> roles = new ConcurrentHashMap<>();
  private final Map<String, User> users = new ConcurrentHashMap<>();
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final List<Grant> grants = new CopyOnWriteArrayList<>();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Set<String> iamDenied = ConcurrentHashMap.newKeySet();
  private final AtomicInteger stsFailures = new AtomicInteger();
  private volatile Duration sessionLifetime = Duration.ofMinutes(15);
  private final Map<String, StsDecider> deciders = new ConcurrentHashMap<>();

  /** Decides, for a role without explicit subjects, whether STS admits a token. */
  @FunctionalInterface
  public interface StsDecider {
    boolean admits(String issuer, String subject, String audience);
  }

  /** STS follows this decider for the role (used when no explicit subjects are given). */
  public AwsWorld stsDecider(String roleArn, StsDecider decider) {
    deciders.put(roleArn, decider);
    return this;
  }

  Optional<StsDecider> decider(String roleArn) {
    return Optional.ofNullable(deciders.get(roleArn));
  }

  public AwsWorld provider(String arn, String issuer, PublicKey signingKey, String... clientIds) {
    providers.put(arn, new Provider(arn, issuer, List.of(clientIds), signingKey));
    return this;
  }

  public AwsWorld role(String arn, String trustPolicy, List<String> allowedSubjects, String... attachedPolicies) {
    roles.put(arn, new Role(arn, trustPolicy, List.copyOf(allowedSubjects), List.of(attachedPolicies)));
    return this;
  }

  public AwsWorld user(String arn, String accessKey, String secretKey) {
    users.put(accessKey, new User(arn, accessKey, secretKey));
    return this;
  }

  public AwsWorld bucket(String name, String owner, String region) {
    buckets.put(name, new Bucket(name, owner, region, null, Set.of()));
    return this;
  }

  public AwsWorld kms(String bucket, String keyArn, String... decrypters) {
    Bucket b = buckets.get(bucket);
    buckets.put(bucket, new Bucket(b.name(), b.owner(), b.region(), keyArn, Set.of(decrypters)));
    return this;
  }

  public AwsWorld grant(String principalArn, String bucket, String prefix, String... actions) {
    grants.add(new Grant(principalArn, Set.of(actions), bucket, prefix));
    return this;
  }

  /** IAM answers AccessDenied to these actions (as for an operator without the permission). */
  public AwsWorld denyIam(String action) {
    iamDenied.add(action);
    return this;
  }

  /** The next {@code n} STS calls fail as an unreachable STS would (HTTP 503). */
  public AwsWorld failSts(int n) {
    stsFailures.set(n);
    return this;
  }

  public AwsWorld sessionLifetime(Duration lifetime) {
    this.sessionLifetime = lifetime;
    return this;
  }

  Optional<Provider> provider(String arn) {
    return Optional.ofNullable(providers.get(arn));
  }

  Optional<Role> roleByName(String name) {
    return roles.values().stream().filter(r -> r.arn().endsWith(":role/" + name) || r.arn().endsWith("/" + name)).findFirst();
  }

  Optional<Role> role(String arn) {
    return Optional.ofNullable(roles.get(arn));
  }

  Optional<Bucket> bucket(String name) {
    return Optional.ofNullable(buckets.get(name));
  }

  boolean iamDenied(String action) {
    return iamDenied.contains(action);
  }

  boolean stsFailsNow() {
    return stsFailures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }

  Session issue(Role role, String sessionName) {
    String account = role.arn().split(":")[4];
    String roleName = role.arn().substring(role.arn().lastIndexOf('/') + 1);
    Session s = new Session("ASIA" + random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16), random(ALNUM, 40), random(ALNUM, 120),
        role.arn(), "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + sessionName, Instant.now().plus(sessionLifetime));
    sessions.put(s.accessKey(), s);
    return s;
  }

  private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private static String random(String alphabet, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  /** Who holds this access key (a user, or an unexpired session with the right token). */
  public record Caller(String principalArn, String arn, String account, String secretKey, String problem) {}

  Caller caller(String accessKey, String token) {
    User user = users.get(accessKey);
    if (user != null) {
      return new Caller(user.arn(), user.arn(), user.arn().split(":")[4], user.secretKey(), null);
    }
    Session s = sessions.get(accessKey);
    if (s == null) {
      return new Caller(null, null, null, null, "InvalidAccessKeyId");
    }
    if (token == null || !token.equals(s.token())) {
      return new Caller(null, null, null, s.secretKey(), "InvalidToken");
    }
    if (Instant.now().isAfter(s.expires())) {
      return new Caller(null, null, null, s.secretKey(), "ExpiredToken");
    }
    return new Caller(s.roleArn(), s.assumedRoleArn(), s.roleArn().split(":")[4], s.secretKey(), null);
  }

  /** The secret S3Proxy checks the signature of this access key with. */
  Optional<String> secretOf(String accessKey) {
    User user = users.get(accessKey);
    if (user != null) {
      return Optional.of(user.secretKey());
    }
    return Optional.ofNullable(sessions.get(accessKey)).map(Session::secretKey);
  }

  boolean allows(String principalArn, String action, String bucket, String key) {
    for (Grant g : grants) {
      if (g.principalArn().equals(principalArn) && g.bucket().equals(bucket)
          && (g.actions().contains(action) || g.actions().contains("s3:*"))
          && (key == null || key.startsWith(g.prefix()) || action.equals("s3:ListBucket") || action.equals("s3:GetBucketLocation"))) {
        return true;
      }
    }
    return false;
  }

  /** Every session STS issued (for tests that check no secret leaked). */
  public List<Session> sessions() {
    return List.copyOf(sessions.values());
  }

  public List<String> bucketNames() {
    return new ArrayList<>(new HashSet<>(buckets.keySet()));
  }
}
