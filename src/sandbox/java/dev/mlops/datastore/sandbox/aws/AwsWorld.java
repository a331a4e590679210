package dev.mlops.datastore.sandbox.aws;

import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
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
import java.util.regex.Pattern;

/**
 * One declarative description of an AWS "world": OIDC providers, roles (with the trust policy IAM
 * returns and the subjects STS admits), users with keys, buckets with owner, region and KMS key,
 * and grants of S3 actions. Built in a few lines by a test; read by the IAM/STS emulator and the
 * S3 front. Sessions issued by STS are kept here too.
 *
 * <p>Faults and time are staged here as well, so a test or a scene can make the emulated AWS
 * misbehave the way the real one does: a call of a service (optionally one operation) fails with an
 * HTTP status and AWS error code, or is held back before it is answered, for the next N calls or
 * during a window of the world's {@link Clock}. The same clock decides session and token expiry,
 * so a test that advances it sees credentials expire without waiting.
 *
 * <p>EKS is here as well: clusters (name, ARN, the issuer and key their service-account tokens are
 * signed with) and their Pod Identity associations, which the EKS emulator creates, lists, updates
 * and deletes, and which EKS Auth's AssumeRoleForPodIdentity looks up.
 */
public final class AwsWorld {
  /** An IAM OIDC provider and the key its issuer signs tokens with. */
  public record Provider(String arn, String issuer, List<String> clientIds, PublicKey signingKey) {}

  /**
   * A role: what GetRole returns, and who STS lets assume it: the token subjects in
   * {@code allowedSubjects} (globs, an override), or, when {@code stsReadsTrustPolicy}, whatever
   * {@link StsTrustMatcher} reads in the trust policy.
   */
  public record Role(String arn, String trustPolicy, List<String> allowedSubjects, List<String> attachedPolicies, boolean stsReadsTrustPolicy) {}

  public record User(String arn, String accessKey, String secretKey) {}

  /**
   * A bucket; with a KMS key, its objects (those under {@code kmsPrefixes}, or all when there are
   * none) are SSE-KMS and only {@code kmsUsers} may decrypt them; {@code policy} may be null.
   */
  public record Bucket(String name, String owner, String region, String kmsKeyArn, Set<String> kmsUsers, List<String> kmsPrefixes,
      BucketPolicy policy) {
    /** Whether this object is stored SSE-KMS. */
    public boolean encrypts(String key) {
      return kmsKeyArn != null && (kmsPrefixes.isEmpty() || key != null && kmsPrefixes.stream().anyMatch(key::startsWith));
    }
  }

  /** S3 actions a principal (user ARN or role ARN) may take on a bucket, under a key prefix. */
  public record Grant(String principalArn, Set<String> actions, String bucket, String prefix) {}

  /**
   * An EKS cluster: DescribeCluster answers its name, ARN and issuer; EKS Auth verifies the
   * service-account tokens brought for it with {@code tokenKey}, and requires {@code iss} to be
   * {@code issuer}. Both are null for a cluster declared with {@link #eksCluster(String, String)}:
   * its tokens are verified with the key of the world's OIDC provider of the token's issuer.
   */
  public record EksCluster(String name, String arn, String issuer, PublicKey tokenKey) {
    public String account() {
      return arn.split(":")[4];
    }

    public String region() {
      return arn.split(":")[3];
    }
  }

  /**
   * An EKS Pod Identity association, as EKS holds it: the service account of a namespace of a
   * cluster gets the role (and, with a target role, the target role through role chaining);
   * {@code externalId} is what the target role's trust policy may require as {@code sts:ExternalId}.
   */
  public record PodIdentityAssociation(String clusterName, String namespace, String serviceAccount, String roleArn, String targetRoleArn,
      boolean disableSessionTags, Map<String, String> tags, String associationId, String associationArn, String externalId,
      Instant createdAt, Instant modifiedAt) {}

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
  private final List<StagedFault> faults = new CopyOnWriteArrayList<>();
  private final Map<String, EksCluster> eksClusters = new ConcurrentHashMap<>();
  /** By association ID, in creation order (List answers in that order, as EKS does). */
  private final Map<String, PodIdentityAssociation> associations = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
  private final Set<String> eksDenied = ConcurrentHashMap.newKeySet();
  /** CreatePodIdentityAssociation's idempotency tokens, to the association each created. */
  private final Map<String, String> createTokens = new ConcurrentHashMap<>();
  private volatile Clock clock = Clock.systemUTC();
  private volatile Duration sessionLifetime = Duration.ofMinutes(15);
  public AwsWorld provider(String arn, String issuer, PublicKey signingKey, String... clientIds) {
    providers.put(arn, new Provider(arn, issuer, List.of(clientIds), signingKey));
    return this;
  }

  /** A role STS lets exactly these token subjects (globs) assume, whatever its trust policy says. */
  public AwsWorld role(String arn, String trustPolicy, List<String> allowedSubjects, String... attachedPolicies) {
    roles.put(arn, new Role(arn, trustPolicy, List.copyOf(allowedSubjects), List.of(attachedPolicies), false));
    return this;
  }

  /** A role STS decides for by reading its trust policy, as IAM does (see {@link StsTrustMatcher}). */
  public AwsWorld roleTrustedByPolicy(String arn, String trustPolicy, String... attachedPolicies) {
    roles.put(arn, new Role(arn, trustPolicy, List.of(), List.of(attachedPolicies), true));
    return this;
  }

  /**
   * An EKS cluster whose service-account tokens are signed with {@code tokenKey} by
   * {@code issuer} (a {@link ClusterTokens}' {@code issuer()} and {@code publicKey()}, or the
   * sandbox cluster's). {@code arn}: {@code arn:aws:eks:REGION:ACCOUNT:cluster/NAME}.
   */
  public AwsWorld eksCluster(String name, String arn, String issuer, PublicKey tokenKey) {
    if (!name.matches("[0-9A-Za-z][A-Za-z0-9\\-_]{0,99}")) {
      throw new IllegalArgumentException("'" + name + "' is not an EKS cluster name");
    }
    if (!arn.matches("arn:aws[a-z-]*:eks:[a-z0-9-]+:\\d{12}:cluster/" + Pattern.quote(name))) {
      throw new IllegalArgumentException("'" + arn + "' is not the ARN of EKS cluster " + name + " (arn:aws:eks:REGION:ACCOUNT:cluster/" + name + ")");
    }
    eksClusters.put(name, new EksCluster(name, arn, issuer, tokenKey));
    return this;
  }

  /** An EKS cluster whose tokens {@code tokens} mints. */
  public AwsWorld eksCluster(String name, String arn, ClusterTokens tokens) {
    return eksCluster(name, arn, tokens.issuer(), tokens.publicKey());
  }

  /**
   * An EKS cluster whose issuer is the one of the world's OIDC providers (see
   * {@link #provider}): EKS Auth verifies a token with the key of the provider of its {@code iss},
   * and DescribeCluster reports that issuer when the world has providers of one issuer only.
   * Prefer {@link #eksCluster(String, String, String, PublicKey)}: real Pod Identity needs no OIDC provider.
   */
  public AwsWorld eksCluster(String name, String arn) {
    return eksCluster(name, arn, null, null);
  }

  /** A Pod Identity association of the service account with the role, as CreatePodIdentityAssociation makes it. */
  public AwsWorld podIdentityAssociation(String cluster, String namespace, String serviceAccount, String roleArn) {
    return podIdentityAssociation(cluster, namespace, serviceAccount, roleArn, null, false, Map.of());
  }

  /**
   * A Pod Identity association with a target role (null: none), session tags disabled or not, and
   * tags. Throws when the cluster is not declared, the role is not of the cluster's account, or the
   * service account already has one (what EKS refuses).
   */
  public AwsWorld podIdentityAssociation(String cluster, String namespace, String serviceAccount, String roleArn, String targetRoleArn,
      boolean disableSessionTags, Map<String, String> tags) {
    if (!eksClusters.containsKey(cluster)) {
      throw new IllegalArgumentException("no EKS cluster '" + cluster + "' in the world (declare it with eksCluster first)");
    }
    if (!roleArn.split(":")[4].equals(eksClusters.get(cluster).account())) {
      throw new IllegalArgumentException("role " + roleArn + " is not of cluster " + cluster + "'s account, which EKS requires (use targetRoleArn)");
    }
    createAssociation(cluster, namespace, serviceAccount, roleArn, targetRoleArn, disableSessionTags, tags)
        .orElseThrow(() -> new IllegalArgumentException("service account " + namespace + "/" + serviceAccount + " of cluster " + cluster
            + " already has a Pod Identity association"));
    return this;
  }

  /** The Pod Identity associations of every cluster, in creation order (what the operator created and left). */
  public List<PodIdentityAssociation> podIdentityAssociations() {
    synchronized (associations) {
      return List.copyOf(associations.values());
    }
  }

  /**
   * EKS answers AccessDeniedException to these actions (e.g. "CreatePodIdentityAssociation"), as to
   * a caller without the permission; "AssumeRoleForPodIdentity" denies EKS Auth's one action.
   */
  public AwsWorld denyEks(String action) {
    eksDenied.add(action);
    return this;
  }

  /** The account of a declared cluster (EKS requires the association's role to be of it). */
  public String podIdentityClusterAccount(String cluster) {
    EksCluster c = eksClusters.get(cluster);
    if (c == null) {
      throw new IllegalArgumentException("no EKS cluster '" + cluster + "' in the world");
    }
    return c.account();
  }

  boolean eksDenied(String action) {
    return eksDenied.contains(action);
  }

  Optional<EksCluster> eksCluster(String name) {
    return Optional.ofNullable(eksClusters.get(name));
  }

  /** The issuer DescribeCluster reports: the cluster's own, or the single issuer of the world's providers. */
  Optional<String> issuerOf(EksCluster cluster) {
    if (cluster.issuer() != null) {
      return Optional.of(cluster.issuer());
    }
    Set<String> issuers = new java.util.TreeSet<>();
    providers.values().forEach(p -> issuers.add(p.issuer()));
    return issuers.size() == 1 ? Optional.of(issuers.iterator().next()) : Optional.empty();
  }

  /** The key tokens with this {@code iss} are verified with for the cluster; empty when none fits. */
  Optional<PublicKey> tokenKey(EksCluster cluster, String iss) {
    if (cluster.tokenKey() != null) {
      return cluster.issuer() == null || cluster.issuer().equals(iss) ? Optional.of(cluster.tokenKey()) : Optional.empty();
    }
    return providers.values().stream().filter(p -> p.issuer().equals(iss)).map(Provider::signingKey).findFirst();
  }

  /** Creates the association; empty when the service account already has one (EKS: ResourceInUseException). */
  Optional<PodIdentityAssociation> createAssociation(String cluster, String namespace, String serviceAccount, String roleArn, String targetRoleArn,
      boolean disableSessionTags, Map<String, String> tags) {
    EksCluster c = eksClusters.get(cluster);
    synchronized (associations) {
      if (association(cluster, namespace, serviceAccount).isPresent()) {
        return Optional.empty();
      }
      String id = "a-" + random("abcdefghijklmnopqrstuvwxyz0123456789", 17);
      String arn = "arn:" + c.arn().split(":")[1] + ":eks:" + c.region() + ":" + c.account() + ":podidentityassociation/" + cluster + "/" + id;
      Instant now = clock.instant();
      PodIdentityAssociation a = new PodIdentityAssociation(cluster, namespace, serviceAccount, roleArn, emptyToNull(targetRoleArn),
          disableSessionTags, Map.copyOf(tags), id, arn, emptyToNull(targetRoleArn) == null ? null : java.util.UUID.randomUUID().toString(), now, now);
      associations.put(id, a);
      return Optional.of(a);
    }
  }

  void rememberCreateToken(String clientRequestToken, String associationId) {
    createTokens.put(clientRequestToken, associationId);
  }

  /** The association a create with this idempotency token made, if it still exists. */
  Optional<PodIdentityAssociation> createdWith(String cluster, String clientRequestToken) {
    String id = createTokens.get(clientRequestToken);
    return id == null ? Optional.empty() : association(cluster, id);
  }

  Optional<PodIdentityAssociation> association(String cluster, String associationId) {
    return Optional.ofNullable(associations.get(associationId)).filter(a -> a.clusterName().equals(cluster));
  }

  Optional<PodIdentityAssociation> association(String cluster, String namespace, String serviceAccount) {
    synchronized (associations) {
      return associations.values().stream()
          .filter(a -> a.clusterName().equals(cluster) && a.namespace().equals(namespace) && a.serviceAccount().equals(serviceAccount)).findFirst();
    }
  }

  /** Replaces what an update changes (null: unchanged; an empty target role removes it); empty when the association is gone. */
  Optional<PodIdentityAssociation> updateAssociation(String cluster, String associationId, String roleArn, String targetRoleArn, Boolean disableSessionTags) {
    synchronized (associations) {
      PodIdentityAssociation a = association(cluster, associationId).orElse(null);
      if (a == null) {
        return Optional.empty();
      }
      String target = targetRoleArn == null ? a.targetRoleArn() : emptyToNull(targetRoleArn);
      String externalId = target == null ? null : a.externalId() != null ? a.externalId() : java.util.UUID.randomUUID().toString();
      PodIdentityAssociation u = new PodIdentityAssociation(a.clusterName(), a.namespace(), a.serviceAccount(), roleArn == null ? a.roleArn() : roleArn,
          target, disableSessionTags == null ? a.disableSessionTags() : disableSessionTags, a.tags(), a.associationId(), a.associationArn(),
          externalId, a.createdAt(), clock.instant());
      associations.put(associationId, u);
      return Optional.of(u);
    }
  }

  Optional<PodIdentityAssociation> deleteAssociation(String cluster, String associationId) {
    synchronized (associations) {
      Optional<PodIdentityAssociation> a = association(cluster, associationId);
      a.ifPresent(x -> associations.remove(associationId));
      return a;
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  public AwsWorld user(String arn, String accessKey, String secretKey) {
    users.put(accessKey, new User(arn, accessKey, secretKey));
    return this;
  }

  public AwsWorld bucket(String name, String owner, String region) {
    buckets.put(name, new Bucket(name, owner, region, null, Set.of(), List.of(), null));
    return this;
  }

  /** Every object of the bucket is SSE-KMS with this key; only {@code decrypters} may read them. */
  public AwsWorld kms(String bucket, String keyArn, String... decrypters) {
    return kms(bucket, keyArn, List.of(), decrypters);
  }

  /** Objects under these prefixes (all, when empty) are SSE-KMS with this key. */
  public AwsWorld kms(String bucket, String keyArn, List<String> prefixes, String... decrypters) {
    Bucket b = buckets.get(bucket);
    buckets.put(bucket, new Bucket(b.name(), b.owner(), b.region(), keyArn, Set.of(decrypters), List.copyOf(prefixes), b.policy()));
    return this;
  }

  /** The bucket's policy: its Deny statements refuse calls whatever the grants say. */
  public AwsWorld bucketPolicy(String bucket, BucketPolicy policy) {
    Bucket b = buckets.get(bucket);
    buckets.put(bucket, new Bucket(b.name(), b.owner(), b.region(), b.kmsKeyArn(), b.kmsUsers(), b.kmsPrefixes(), policy));
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

  /** The next {@code n} STS calls fail as an unreachable STS would (HTTP 503 ServiceUnavailable). */
  public AwsWorld failSts(int n) {
    return failNext("sts", null, n, 503, "ServiceUnavailable");
  }

  /** The services faults can be staged on, as the emulators name them. */
  public static final Set<String> SERVICES = Set.of("sts", "iam", "s3", "eks", "eks-auth");

  private static final Pattern AWS_CODE = Pattern.compile("[A-Za-z][A-Za-z0-9.]{0,63}");

  /**
   * The next {@code times} calls of {@code service} ("sts", "iam", "s3", "eks" or "eks-auth") to
   * {@code operation} (e.g. "AssumeRoleWithWebIdentity", "GetRole", "HeadObject", "ListObjectsV2",
   * "CreatePodIdentityAssociation", "AssumeRoleForPodIdentity"; null for any operation of the
   * service) are answered with {@code httpStatus} and the AWS error code
   * {@code awsCode}, in the service's own error format.
   */
  public AwsWorld failNext(String service, String operation, int times, int httpStatus, String awsCode) {
    faults.add(StagedFault.failure(check(service, operation), operation, counted(times), null, null, status(httpStatus), code(awsCode)));
    return this;
  }

  /** Calls made while the world's clock is in {@code [from, to)} fail as {@link #failNext} describes. */
  public AwsWorld failBetween(String service, String operation, Instant from, Instant to, int httpStatus, String awsCode) {
    faults.add(StagedFault.failure(check(service, operation), operation, null, from, window(from, to), status(httpStatus), code(awsCode)));
    return this;
  }

  /**
   * The next {@code times} matching calls are held {@code delay} (real time, not the world's clock)
   * before they are answered: long enough, a client's timeout fires first.
   */
  public AwsWorld delayNext(String service, String operation, int times, Duration delay) {
    faults.add(StagedFault.delay(check(service, operation), operation, counted(times), null, null, positive(delay)));
    return this;
  }

  /** Calls made while the world's clock is in {@code [from, to)} are held {@code delay}. */
  public AwsWorld delayBetween(String service, String operation, Instant from, Instant to, Duration delay) {
    faults.add(StagedFault.delay(check(service, operation), operation, null, from, window(from, to), positive(delay)));
    return this;
  }

  /** The clock sessions, tokens and fault windows are judged by (default: the system's, UTC). */
  public AwsWorld clock(Clock clock) {
    this.clock = java.util.Objects.requireNonNull(clock, "clock");
    return this;
  }

  public Clock clock() {
    return clock;
  }

  /** What the emulator does with a call before answering it: wait, then fail or serve. */
  public record Staged(Duration delay, Failure failure) {
    static final Staged NONE = new Staged(Duration.ZERO, null);
  }

  /** An AWS error to answer with; the message is the one AWS sends with that code. */
  public record Failure(int httpStatus, String awsCode) {
    public String message() {
      return switch (awsCode) {
        case "Throttling", "ThrottlingException" -> "Rate exceeded";
        case "SlowDown" -> "Please reduce your request rate.";
        case "ServiceUnavailable" -> "Service is unavailable. Please try again.";
        case "InternalError", "InternalFailure" -> "We encountered an internal error. Please try again.";
        case "AccessDenied" -> "Access Denied";
        default -> "Staged fault " + awsCode + " (the sandbox world asked for it)";
      };
    }
  }

  /**
   * Consumes the staged faults that apply to this call: at most one delay and one failure, the
   * earliest staged of each. Called once per request by the emulators; {@code operations} are the
   * names this call answers to (S3's list call is both "ListObjects" and "ListObjectsV2").
   */
  public Staged stage(String service, String... operations) {
    Instant now = clock.instant();
    Duration delay = Duration.ZERO;
    Failure failure = null;
    for (StagedFault f : faults) {
      boolean isDelay = f.delay() != null;
      if ((isDelay ? !delay.isZero() : failure != null) || !f.matches(service, operations, now) || !f.take()) {
        continue;
      }
      if (isDelay) {
        delay = f.delay();
      } else {
        failure = new Failure(f.httpStatus(), f.awsCode());
      }
    }
    return delay.isZero() && failure == null ? Staged.NONE : new Staged(delay, failure);
  }

  /** One staged fault: counted (remaining calls) or windowed ([from, to) of the world's clock). */
  private record StagedFault(String service, String operation, AtomicInteger remaining, Instant from, Instant to,
      int httpStatus, String awsCode, Duration delay) {
    static StagedFault failure(String service, String operation, AtomicInteger remaining, Instant from, Instant to, int status, String code) {
      return new StagedFault(service, operation, remaining, from, to, status, code, null);
    }

    static StagedFault delay(String service, String operation, AtomicInteger remaining, Instant from, Instant to, Duration delay) {
      return new StagedFault(service, operation, remaining, from, to, 0, null, delay);
    }

    boolean matches(String callService, String[] callOperations, Instant now) {
      if (!service.equals(callService) || operation != null && !List.of(callOperations).contains(operation)) {
        return false;
      }
      return remaining != null || !now.isBefore(from) && now.isBefore(to);
    }

    /** Counts this call against the fault; false when it has no calls left. */
    boolean take() {
      return remaining == null || remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }
  }

  private static String check(String service, String operation) {
    if (!SERVICES.contains(service)) {
      throw new IllegalArgumentException("service '" + service + "' is not one of " + new java.util.TreeSet<>(SERVICES));
    }
    if (operation != null && !operation.matches("[A-Za-z0-9]+")) {
      throw new IllegalArgumentException("operation '" + operation + "' is not an operation name such as GetObject");
    }
    return service;
  }

  private static AtomicInteger counted(int times) {
    if (times < 0) {
      throw new IllegalArgumentException("times must be 0 or more, not " + times);
    }
    return new AtomicInteger(times);
  }

  private static Instant window(Instant from, Instant to) {
    if (from == null || to == null || !from.isBefore(to)) {
      throw new IllegalArgumentException("a fault window needs from before to (got " + from + ", " + to + ")");
    }
    return to;
  }

  private static int status(int httpStatus) {
    if (httpStatus < 400 || httpStatus > 599) {
      throw new IllegalArgumentException("a fault's HTTP status is 400-599, not " + httpStatus);
    }
    return httpStatus;
  }

  private static String code(String awsCode) {
    if (awsCode == null || !AWS_CODE.matcher(awsCode).matches()) {
      throw new IllegalArgumentException("'" + awsCode + "' is not an AWS error code such as Throttling");
    }
    return awsCode;
  }

  private static Duration positive(Duration delay) {
    if (delay == null || delay.isNegative() || delay.isZero()) {
      throw new IllegalArgumentException("a delay must be positive, not " + delay);
    }
    return delay;
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

  Session issue(Role role, String sessionName) {
    String account = role.arn().split(":")[4];
    String roleName = role.arn().substring(role.arn().lastIndexOf('/') + 1);
    Session s = new Session("ASIA" + random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16), random(ALNUM, 40), random(ALNUM, 120),
        role.arn(), "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + sessionName, clock.instant().plus(sessionLifetime));
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
    if (clock.instant().isAfter(s.expires())) {
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

  /**
   * Whether S3 lets the principal (a user or role ARN of {@code account}) take the action: a
   * matching Deny in the bucket policy refuses it; a grant or a matching Allow admits it.
   */
  boolean authorizes(String principalArn, String account, String action, String bucketName, String key) {
    Bucket b = buckets.get(bucketName);
    BucketPolicy.Effect policy = b == null || b.policy() == null ? BucketPolicy.Effect.NONE
        : b.policy().evaluate(principalArn, account, action, bucketName, key);
    return policy != BucketPolicy.Effect.DENY && (policy == BucketPolicy.Effect.ALLOW || allows(principalArn, action, bucketName, key));
  }

  /** Every session STS issued (for tests that check no secret leaked). */
  public List<Session> sessions() {
    return List.copyOf(sessions.values());
  }

  public List<String> bucketNames() {
    return new ArrayList<>(new HashSet<>(buckets.keySet()));
  }
}
