package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.AccessKeyAuth;
import dev.mlops.datastore.api.v1alpha1.Access;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.IrsaAuth;
import dev.mlops.datastore.aws.AwsCallException;
import dev.mlops.datastore.aws.AwsErrors;
import dev.mlops.datastore.aws.AwsServices;
import dev.mlops.datastore.aws.BucketReport;
import dev.mlops.datastore.aws.CallerIdentity;
import dev.mlops.datastore.aws.CredentialsRejectedException;
import dev.mlops.datastore.aws.EksAuthGateway;
import dev.mlops.datastore.api.v1alpha1.PodIdentityAuth;
import dev.mlops.datastore.aws.IntegrationSessions;
import dev.mlops.datastore.aws.S3Prober;
import dev.mlops.datastore.aws.SessionCredentials;
import dev.mlops.datastore.aws.StsGateway;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/**
 * The CredentialsVerified and BucketReachable links: proves the workload's own identity with STS
 * (the access key of the Secret, or each service account's token exchanged for the role) and then
 * probes the bucket action by action with it. The proven session is handed to Datasets through
 * {@link IntegrationSessions}.
 *
 * <p>Credentials are used in memory only: no key, secret, token or session token is logged,
 * stored in status, or put in an event or exception message.
 */
public final class LiveChecker {
  public static final String CREDENTIALS_VERIFIED = "CredentialsVerified";
  public static final String BUCKET_REACHABLE = "BucketReachable";
  static final String PROBE_PREFIX = ".aws-datastore-operator/probe/";

  /** The live result of one service account. */
  public record ServiceAccountLive(String result, String reason, String message) {}

  /** Both links, and what to show of them. */
  public record Outcome(
      String credentialsStatus,
      String credentialsReason,
      String credentialsMessage,
      CallerIdentity identity,
      Map<String, ServiceAccountLive> serviceAccounts,
      String bucketStatus,
      String bucketReason,
      String bucketMessage,
      BucketReport bucket,
      Instant checkedAt) {}

  /** An outcome, what it was computed for, and until when it may stand in for a check. */
  private final KubernetesClient client;
  private final AwsServices aws;
  private final IntegrationSessions sessions;
  private final Clock clock;

  private final DistributionSummary s3CallsPerCheck;
  private final DistributionSummary stsCallsPerCheck;

  public LiveChecker(KubernetesClient client, AwsServices aws, IntegrationSessions sessions, Clock clock, MeterRegistry meters) {
    this.client = client;
    this.aws = aws;
    this.sessions = sessions;
    this.clock = clock;
    this.s3CallsPerCheck = DistributionSummary.builder("datastore.check.s3.calls")
        .description("S3 calls per live check of an integration").register(meters);
    this.stsCallsPerCheck = DistributionSummary.builder("datastore.check.sts.calls")
        .description("STS calls per live check of an integration").register(meters);
  }

  /** Forgets an integration that is gone: its session. */
  public void forget(AwsIntegration ai) {
    sessions.remove(IntegrationSessions.key(ai.getMetadata().getNamespace(), ai.getMetadata().getName()));
  }

  /**
   * Proves the identity and probes the bucket. The reconciler calls it only when a check is due
   * (it decides that from the status, so a restart changes nothing); nothing is cached here but the
   * session handed to Datasets. Credentials near their expiry do not force a check: Datasets renew
   * them through {@link IntegrationCredentials}.
   */
  public Outcome check(AwsIntegration ai, List<String> serviceAccounts, Function<String, ServiceAccount> lookup) {
    return check(ai, serviceAccounts, lookup, null, null);
  }

  /**
   * As {@link #check(AwsIntegration, List, Function)}; for Pod Identity, with the cluster whose EKS
   * Auth exchanges the tokens and the region it is called in.
   */
  public Outcome check(AwsIntegration ai, List<String> serviceAccounts, Function<String, ServiceAccount> lookup, String cluster,
      String eksRegion) {
    String ns = ai.getMetadata().getNamespace();
    String key = IntegrationSessions.key(ns, ai.getMetadata().getName());
    AccessKeyAuth accessKey = ai.getSpec().getAuth().getAccessKey();
    Secret secret = accessKey == null ? null : client.secrets().inNamespace(ns).withName(accessKey.getSecretRef().getName()).get();
    int[] stsCalls = {0};
    Outcome outcome = accessKey != null
        ? withAccessKey(ai, accessKey, secret, key, stsCalls)
        : ai.getSpec().getAuth().getPodIdentity() != null
            ? withPodIdentity(ai, serviceAccounts, lookup, cluster, eksRegion, key)
            : withIrsa(ai, serviceAccounts, lookup, key, stsCalls);
    stsCallsPerCheck.record(stsCalls[0]);
    s3CallsPerCheck.record(outcome.bucket() == null ? 0 : outcome.bucket().calls());
    return outcome;
  }

  private String stsRegion(AwsIntegration ai) {
    return ai.getSpec().getRegion() == null ? "us-east-1" : ai.getSpec().getRegion();
  }

  private Outcome withAccessKey(AwsIntegration ai, AccessKeyAuth auth, Secret secret, String sessionKey, int[] stsCalls) {
    String secretName = auth.getSecretRef().getName();
    if (secret == null) {
      return noCredentials("False", "SecretNotFound", "Secret " + secretName + " does not exist in namespace " + ai.getMetadata().getNamespace());
    }
    AccessKeySecret.KeyPair pair = AccessKeySecret.read(secret, auth);
    if (pair.credentials() == null) {
      return noCredentials("False", "SecretKeyMissing", "Secret " + secretName + " has no " + String.join(" and no ", pair.missing())
          + " (set spec.auth.accessKey.accessKeyIdKey / secretAccessKeyKey if the keys are named otherwise)");
    }
    AwsCredentials credentials = pair.credentials();
    CallerIdentity identity;
    try {
      stsCalls[0]++;
      identity = aws.sts().callerIdentity(credentials, stsRegion(ai));
    } catch (AwsCallException e) {
      if (e.kind() == AwsCallException.Kind.TRANSIENT) {
        throw e;
      }
      sessions.remove(sessionKey);
      String reason = AwsErrors.rejectedCredentials(e.code()).orElse("InvalidAccessKey");
      return noCredentials("False", reason, "STS does not accept the access key of Secret " + secretName + " ("
          + (e.code() == null ? e.kind().name() : e.code()) + "): " + keyPairAdvice(reason, auth));
    }
    IntegrationSessions.Session session = sessions.open(credentials, null, identity, ai.getSpec().getBucket(), ai.getSpec().getBucketOwner(),
        ai.getSpec().getRegion(), ai.getMetadata().getGeneration());
    String where = "the access key of Secret " + secretName;
    return probe(ai, session, sessionKey, "True", "CredentialsVerified", where + " is " + identity.arn(), Map.of(), identity, where);
  }

  private Outcome withIrsa(AwsIntegration ai, List<String> serviceAccounts, Function<String, ServiceAccount> lookup, String sessionKey,
      int[] stsCalls) {
    IrsaAuth irsa = ai.getSpec().getAuth().getIrsa();
    String ns = ai.getMetadata().getNamespace();
    String audience = irsa.getAudience() == null ? "sts.amazonaws.com" : irsa.getAudience();
    Map<String, ServiceAccountLive> live = new LinkedHashMap<>();
    SessionCredentials proven = null;
    for (String name : serviceAccounts) {
      if (lookup.apply(name) == null) {
        live.put(name, new ServiceAccountLive("Skipped", "ServiceAccountNotFound", "the service account does not exist"));
        continue;
      }
      String token;
      try {
        token = ServiceAccountTokens.request(client, ns, name, audience);
      } catch (KubernetesClientException e) {
        String reason = e.getCode() == 403 ? "TokenRequestDenied" : "TokenRequestFailed";
        live.put(name, new ServiceAccountLive("Unknown", reason, "the operator could not get a token for the service account (Kubernetes answered "
            + e.getCode() + (e.getCode() == 403 ? "; grant serviceaccounts/token create, or accept that the live proof is off" : "") + ")"));
        continue;
      }
      if (token == null) {
        live.put(name, new ServiceAccountLive("Unknown", "TokenRequestFailed", "the TokenRequest answer carried no token"));
        continue;
      }
      try {
        stsCalls[0]++;
        SessionCredentials session = aws.sts().assumeRoleWithWebIdentity(irsa.getRoleArn(), token, sessionName(name), stsRegion(ai));
        live.put(name, new ServiceAccountLive("Verified", "Verified", "assumed " + session.identity().arn()));
        if (proven == null) {
          proven = session;
        }
      } catch (StsGateway.WebIdentityException e) {
        live.put(name, new ServiceAccountLive("Denied", e.reason(), e.getMessage()));
      }
    }
    return conclude(ai, serviceAccounts, live, proven, sessionKey,
        count -> count + " of " + serviceAccounts.size() + " service accounts assumed " + irsa.getRoleArn() + " with STS",
        "the credentials STS issued for " + irsa.getRoleArn());
  }

  /**
   * What the EKS Pod Identity Agent does for a pod: a token of the service account with audience
   * {@code pods.eks.amazonaws.com}, exchanged with EKS Auth AssumeRoleForPodIdentity (signed with
   * the operator's identity) for the credentials of the association's role.
   */
  private Outcome withPodIdentity(AwsIntegration ai, List<String> serviceAccounts, Function<String, ServiceAccount> lookup, String cluster,
      String eksRegion, String sessionKey) {
    PodIdentityAuth auth = ai.getSpec().getAuth().getPodIdentity();
    String ns = ai.getMetadata().getNamespace();
    Map<String, ServiceAccountLive> live = new LinkedHashMap<>();
    SessionCredentials proven = null;
    for (String name : serviceAccounts) {
      if (lookup.apply(name) == null) {
        live.put(name, new ServiceAccountLive("Skipped", "ServiceAccountNotFound", "the service account does not exist"));
        continue;
      }
      String token;
      try {
        token = ServiceAccountTokens.request(client, ns, name, EksAuthGateway.AUDIENCE);
      } catch (KubernetesClientException e) {
        String reason = e.getCode() == 403 ? "TokenRequestDenied" : "TokenRequestFailed";
        live.put(name, new ServiceAccountLive("Unknown", reason, "the operator could not get a token for the service account (Kubernetes answered "
            + e.getCode() + (e.getCode() == 403 ? "; grant serviceaccounts/token create, or accept that the live proof is off" : "") + ")"));
        continue;
      }
      if (token == null) {
        live.put(name, new ServiceAccountLive("Unknown", "TokenRequestFailed", "the TokenRequest answer carried no token"));
        continue;
      }
      try {
        EksAuthGateway.PodIdentitySession answer = aws.eksAuth().assumeRoleForPodIdentity(cluster, token, eksRegion);
        SessionCredentials session = answer.session();
        if (!sameRole(session.identity().arn(), auth.getRoleArn())) {
          live.put(name, new ServiceAccountLive("Denied", "PodIdentityOtherRole", "EKS Auth handed out " + session.identity().arn()
              + " (association " + answer.associationId() + "), not " + auth.getRoleArn()));
          continue;
        }
        live.put(name, new ServiceAccountLive("Verified", "Verified", "EKS Auth assumed " + session.identity().arn()));
        if (proven == null) {
          proven = session;
        }
      } catch (EksAuthGateway.PodIdentityException e) {
        live.put(name, new ServiceAccountLive("Denied", e.reason(), podIdentityAdvice(e, cluster, ns, name, auth.getRoleArn())));
      }
    }
    return conclude(ai, serviceAccounts, live, proven, sessionKey,
        count -> count + " of " + serviceAccounts.size() + " service accounts got " + auth.getRoleArn()
            + " from EKS Auth (AssumeRoleForPodIdentity in cluster " + cluster + ")",
        "the credentials EKS Auth issued for " + auth.getRoleArn());
  }

  /**
   * The CredentialsVerified verdict from each service account's live result (a denial first, then
   * an unknown, then none to test), and the bucket probed with the proven credentials if any.
   */
  private Outcome conclude(AwsIntegration ai, List<String> serviceAccounts, Map<String, ServiceAccountLive> live, SessionCredentials proven,
      String sessionKey, java.util.function.IntFunction<String> verifiedMessage, String probedWith) {
    List<String> verified = live.entrySet().stream().filter(e -> e.getValue().result().equals("Verified")).map(Map.Entry::getKey).toList();
    Map.Entry<String, ServiceAccountLive> firstDenied = live.entrySet().stream().filter(e -> e.getValue().result().equals("Denied")).findFirst().orElse(null);
    Map.Entry<String, ServiceAccountLive> firstUnknown = live.entrySet().stream().filter(e -> e.getValue().result().equals("Unknown")).findFirst().orElse(null);
    String status;
    String reason;
    String message;
    if (firstDenied != null) {
      status = "False";
      reason = firstDenied.getValue().reason();
      message = live.entrySet().stream().filter(e -> e.getValue().result().equals("Denied"))
          .map(e -> e.getKey() + ": " + e.getValue().reason() + " (" + e.getValue().message() + ")").collect(Collectors.joining("; "))
          + "; verified: " + (verified.isEmpty() ? "none" : String.join(", ", verified));
    } else if (firstUnknown != null) {
      status = "Unknown";
      reason = firstUnknown.getValue().reason();
      message = firstUnknown.getKey() + ": " + firstUnknown.getValue().message();
    } else if (verified.isEmpty()) {
      status = "Unknown";
      reason = "NoServiceAccountToTest";
      message = "none of the service accounts exists yet, so no token could be exchanged";
    } else {
      status = "True";
      reason = "CredentialsVerified";
      message = verifiedMessage.apply(verified.size());
    }
    if (proven == null) {
      sessions.remove(sessionKey);
      return new Outcome(status, reason, message, null, live, "Unknown", "CredentialsUnavailable",
          "no credentials were proven, so the bucket was not probed", null, clock.instant());
    }
    IntegrationSessions.Session session = sessions.open(proven.credentials(), proven.expiration(), proven.identity(),
        ai.getSpec().getBucket(), ai.getSpec().getBucketOwner(), ai.getSpec().getRegion(), ai.getMetadata().getGeneration());
    return probe(ai, session, sessionKey, status, reason, message, live, proven.identity(), probedWith);
  }

  /** Whether an assumed-role ARN (arn:P:sts::ACCOUNT:assumed-role/NAME/SESSION) is a session of the role. */
  static boolean sameRole(String assumedRoleArn, String roleArn) {
    String[] assumed = assumedRoleArn.split(":", 6);
    String[] role = roleArn.split(":", 6);
    if (assumed.length < 6 || role.length < 6 || !assumed[4].equals(role[4]) || !assumed[5].startsWith("assumed-role/")) {
      return false;
    }
    String name = assumed[5].substring("assumed-role/".length());
    name = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
    String roleName = role[5].substring(role[5].lastIndexOf('/') + 1);
    return name.equals(roleName);
  }

  private static String podIdentityAdvice(EksAuthGateway.PodIdentityException e, String cluster, String ns, String sa, String role) {
    return switch (e.reason()) {
      case "PodIdentityAssociationNotFound" -> "EKS Auth found no Pod Identity association for " + ns + "/" + sa + " in cluster " + cluster
          + " (" + e.getMessage() + ")";
      case "PodIdentityAccessDenied" -> "EKS Auth could not assume the association's role (" + e.getMessage()
          + "): its trust policy must allow the service principal pods.eks.amazonaws.com sts:AssumeRole and sts:TagSession, with"
          + " conditions on the session tags this service account gets; see TrustPolicyValid";
      case "PodIdentityTokenInvalid", "TokenExpired" -> "EKS Auth refused the service account token (" + e.getMessage()
          + "): the token's audience must be pods.eks.amazonaws.com and its issuer this cluster's";
      default -> e.getMessage();
    };
  }

  private Outcome probe(AwsIntegration ai, IntegrationSessions.Session session, String sessionKey, String credStatus, String credReason,
      String credMessage, Map<String, ServiceAccountLive> live, CallerIdentity identity, String whoseCredentials) {
    String writeKey = ai.getSpec().getAccess() == Access.ReadWrite
        ? PROBE_PREFIX + ai.getMetadata().getNamespace() + "/" + ai.getMetadata().getName() : null;
    BucketReport report;
    try {
      report = new S3Prober(session::s3).probe(new S3Prober.Probe(ai.getSpec().getBucket(), ai.getSpec().getBucketOwner(),
          ai.getSpec().getRegion(), ai.getSpec().getProbeKey(), writeKey));
    } catch (CredentialsRejectedException e) {
      // STS may accept what S3 refuses (an STS that does not check signatures, a key deactivated
      // meanwhile): the key pair is what is wrong, and no S3 answer says anything about access.
      sessions.remove(sessionKey);
      return new Outcome("False", e.reason(), "S3 refused " + whoseCredentials + " (" + e.code() + " on " + e.operation() + "): "
          + keyPairAdvice(e.reason(), ai.getSpec().getAuth().getAccessKey()), null, live, "Unknown", "CredentialsUnavailable",
          "the bucket was not probed: S3 refused the credentials themselves, so no answer would say what they may do", null, clock.instant());
    }
    sessions.put(sessionKey, session.withRegion(report.region() == null ? session.region() : report.region()));
    String bucketStatus = report.problem() == null ? "True" : "False";
    String bucketReason = report.problem() == null ? "BucketReachable" : report.problem();
    return new Outcome(credStatus, credReason, credMessage, identity, live, bucketStatus, bucketReason, report.message(), report, clock.instant());
  }

  private Outcome noCredentials(String status, String reason, String message) {
    return new Outcome(status, reason, message, null, Map.of(), "Unknown", "CredentialsUnavailable",
        "no credentials were proven, so the bucket was not probed", null, clock.instant());
  }

  /** What to do about a refused key pair, naming the Secret's entries and never their values. */
  private static String keyPairAdvice(String reason, AccessKeyAuth auth) {
    String entries = auth == null ? "the key pair"
        : "the key pair in " + AccessKeySecret.idKey(auth) + " / " + AccessKeySecret.secretKey(auth) + " of Secret " + auth.getSecretRef().getName();
    return switch (reason) {
      case AwsErrors.UNKNOWN_ACCESS_KEY_ID -> "AWS knows no such access key ID (deleted, deactivated, mistyped, or of another partition); put a valid "
          + entries.substring("the ".length());
      case AwsErrors.WRONG_SECRET_ACCESS_KEY -> "the secret access key does not belong to the access key ID (a wrong or stale secret, or stray "
          + "characters in it); fix " + entries;
      default -> "check " + entries + ", or whether it was deactivated";
    };
  }

  /** STS session names: 2 to 64 characters of [\w+=,.@-]. */
  static String sessionName(String serviceAccount) {
    String name = "aws-datastore-operator-" + serviceAccount.replaceAll("[^\\w+=,.@-]", "-");
    return name.length() > 64 ? name.substring(0, 64) : name;
  }

}
