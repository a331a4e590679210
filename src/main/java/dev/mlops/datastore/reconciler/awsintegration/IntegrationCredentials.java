package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.AccessKeyAuth;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationStatus;
import dev.mlops.datastore.api.v1alpha1.IrsaAuth;
import dev.mlops.datastore.api.v1alpha1.ServiceAccountStatus;
import dev.mlops.datastore.aws.AwsCallException;
import dev.mlops.datastore.aws.AwsServices;
import dev.mlops.datastore.aws.CallerIdentity;
import dev.mlops.datastore.aws.EksAuthGateway;
import dev.mlops.datastore.api.v1alpha1.PodIdentityAuth;
import dev.mlops.datastore.aws.IntegrationSessions;
import dev.mlops.datastore.aws.SessionCredentials;
import dev.mlops.datastore.aws.StsGateway;
import dev.mlops.datastore.reconciler.Conditions;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials an integration's Datasets read with. The integration's check proves them and
 * leaves its session in {@link IntegrationSessions}; when this process has none (after a restart
 * or a leader failover) or it is near its expiry (STS sessions last 15 minutes, check intervals
 * are often longer), a session is renewed here the way the integration proved it, without a full
 * check: for IRSA a TokenRequest for a service account whose status row says {@code
 * live=Verified} then {@code sts:AssumeRoleWithWebIdentity}; for an access key the Secret's key
 * pair, which needs no AWS call; for Pod Identity a token with audience pods.eks.amazonaws.com
 * exchanged with EKS Auth. The integration's status is what vouches for the identity, so
 * nothing is renewed for an integration whose status proves no credentials.
 */
public final class IntegrationCredentials {
  private static final Logger log = LoggerFactory.getLogger(IntegrationCredentials.class);
  private static final String VERIFIED = "Verified";

  private final KubernetesClient client;
  private final AwsServices aws;
  private final IntegrationSessions sessions;
  private final Clock clock;

  private final Optional<String> defaultCluster;
  private final String eksRegion;

  public IntegrationCredentials(KubernetesClient client, AwsServices aws, IntegrationSessions sessions, Clock clock) {
    this(client, aws, sessions, clock, Optional.empty(), "us-east-1");
  }

  /**
   * @param defaultCluster the operator's EKS cluster, for Pod Identity specs that name none
   * @param eksRegion where EKS Auth is called
   */
  public IntegrationCredentials(KubernetesClient client, AwsServices aws, IntegrationSessions sessions, Clock clock,
      Optional<String> defaultCluster, String eksRegion) {
    this.client = client;
    this.aws = aws;
    this.sessions = sessions;
    this.clock = clock;
    this.defaultCluster = defaultCluster;
    this.eksRegion = eksRegion;
  }

  /**
   * A live session of this integration for its Datasets: the proven one, or — when there is none
   * in this process (restart, leader failover) or it is near expiry — a renewed one, made the way
   * the integration proved it. Single-flight per integration: 50 Datasets asking at once cost one
   * STS call. Empty when the integration's status proves no credentials (for its current
   * generation).
   *
   * @throws AwsCallException of kind TRANSIENT when STS or the Kubernetes API fails transiently
   */
  public Optional<IntegrationSessions.Session> forDatasets(AwsIntegration ai) {
    String key = IntegrationSessions.key(ai.getMetadata().getNamespace(), ai.getMetadata().getName());
    Long generation = ai.getMetadata().getGeneration();
    return sessions.renewIfNeeded(key, clock.instant(), s -> Objects.equals(s.generation(), generation), () -> renew(ai));
  }

  private Optional<IntegrationSessions.Session> renew(AwsIntegration ai) {
    AwsIntegrationStatus status = ai.getStatus();
    if (status == null || !Objects.equals(status.getObservedGeneration(), ai.getMetadata().getGeneration()) || ai.getSpec().getAuth() == null) {
      return Optional.empty();
    }
    AccessKeyAuth accessKey = ai.getSpec().getAuth().getAccessKey();
    IrsaAuth irsa = ai.getSpec().getAuth().getIrsa();
    Optional<IntegrationSessions.Session> renewed;
    if (accessKey != null) {
      renewed = fromSecret(ai, accessKey, status);
    } else if (irsa != null) {
      renewed = fromServiceAccount(ai, irsa, status);
    } else if (ai.getSpec().getAuth().getPodIdentity() != null) {
      renewed = fromPodIdentity(ai, ai.getSpec().getAuth().getPodIdentity(), status);
    } else {
      renewed = Optional.empty();
    }
    renewed.ifPresent(s -> log.atInfo()
        .addKeyValue("integration", ai.getMetadata().getNamespace() + "/" + ai.getMetadata().getName())
        .addKeyValue("identity", s.identity().arn())
        .addKeyValue("expiresAt", s.expiresAt())
        .log("renewed the credentials Datasets read with"));
    return renewed;
  }

  /** The Secret's key pair, when the status says STS accepted it: no AWS call. */
  private Optional<IntegrationSessions.Session> fromSecret(AwsIntegration ai, AccessKeyAuth auth, AwsIntegrationStatus status) {
    if (!Conditions.isTrue(status.getConditions(), LiveChecker.CREDENTIALS_VERIFIED) || status.getIdentity() == null) {
      return Optional.empty();
    }
    Secret secret;
    try {
      secret = client.secrets().inNamespace(ai.getMetadata().getNamespace()).withName(auth.getSecretRef().getName()).get();
    } catch (KubernetesClientException e) {
      throw kubernetesFailure("get Secret", e);
    }
    if (secret == null) {
      return Optional.empty();
    }
    AccessKeySecret.KeyPair pair = AccessKeySecret.read(secret, auth);
    if (pair.credentials() == null) {
      return Optional.empty();
    }
    CallerIdentity identity = new CallerIdentity(status.getIdentity().getArn(), status.getIdentity().getAccount());
    return Optional.of(sessions.open(pair.credentials(), null, identity, ai.getSpec().getBucket(), ai.getSpec().getBucketOwner(),
        region(ai), ai.getMetadata().getGeneration()));
  }

  /**
   * A fresh token of a service account the status shows verified, exchanged with STS. The first
   * one STS still accepts wins; none means the status no longer holds, and the integration's next
   * check will say why.
   */
  private Optional<IntegrationSessions.Session> fromServiceAccount(AwsIntegration ai, IrsaAuth irsa, AwsIntegrationStatus status) {
    List<String> verified = status.getServiceAccounts() == null ? List.of()
        : status.getServiceAccounts().stream().filter(r -> VERIFIED.equals(r.getLive())).map(ServiceAccountStatus::getName).toList();
    String ns = ai.getMetadata().getNamespace();
    String audience = irsa.getAudience() == null ? "sts.amazonaws.com" : irsa.getAudience();
    for (String name : verified) {
      String token;
      try {
        token = ServiceAccountTokens.request(client, ns, name, audience);
      } catch (KubernetesClientException e) {
        if (e.getCode() >= 500 || e.getCode() == 0 || e.getCode() == 429) {
          throw kubernetesFailure("create TokenRequest", e);
        }
        continue; // this service account is gone or refused: try the next verified one
      }
      if (token == null) {
        continue;
      }
      try {
        SessionCredentials proven = aws.sts().assumeRoleWithWebIdentity(irsa.getRoleArn(), token, LiveChecker.sessionName(name), stsRegion(ai));
        return Optional.of(sessions.open(proven.credentials(), proven.expiration(), proven.identity(), ai.getSpec().getBucket(),
            ai.getSpec().getBucketOwner(), region(ai), ai.getMetadata().getGeneration()));
      } catch (StsGateway.WebIdentityException e) {
        log.atInfo().addKeyValue("serviceAccount", name).addKeyValue("reason", e.reason())
            .log("STS no longer accepts a service account the status shows verified");
      }
    }
    return Optional.empty();
  }

  /**
   * A fresh token (audience pods.eks.amazonaws.com) of a service account the status shows
   * verified, exchanged with EKS Auth, as the Pod Identity Agent would for a pod.
   */
  private Optional<IntegrationSessions.Session> fromPodIdentity(AwsIntegration ai, PodIdentityAuth auth, AwsIntegrationStatus status) {
    Optional<String> cluster = Optional.ofNullable(auth.getClusterName()).filter(c -> !c.isEmpty()).or(() -> defaultCluster);
    if (cluster.isEmpty()) {
      return Optional.empty();
    }
    List<String> verified = status.getServiceAccounts() == null ? List.of()
        : status.getServiceAccounts().stream().filter(r -> VERIFIED.equals(r.getLive())).map(ServiceAccountStatus::getName).toList();
    String ns = ai.getMetadata().getNamespace();
    for (String name : verified) {
      String token;
      try {
        token = ServiceAccountTokens.request(client, ns, name, EksAuthGateway.AUDIENCE);
      } catch (KubernetesClientException e) {
        if (e.getCode() >= 500 || e.getCode() == 0 || e.getCode() == 429) {
          throw kubernetesFailure("create TokenRequest", e);
        }
        continue;
      }
      if (token == null) {
        continue;
      }
      try {
        SessionCredentials proven = aws.eksAuth().assumeRoleForPodIdentity(cluster.get(), token, eksRegion).session();
        if (!LiveChecker.sameRole(proven.identity().arn(), auth.getRoleArn())) {
          continue;
        }
        return Optional.of(sessions.open(proven.credentials(), proven.expiration(), proven.identity(), ai.getSpec().getBucket(),
            ai.getSpec().getBucketOwner(), region(ai), ai.getMetadata().getGeneration()));
      } catch (EksAuthGateway.PodIdentityException e) {
        log.atInfo().addKeyValue("serviceAccount", name).addKeyValue("reason", e.reason())
            .log("EKS Auth no longer accepts a service account the status shows verified");
      }
    }
    return Optional.empty();
  }

  private static AwsCallException kubernetesFailure(String operation, KubernetesClientException e) {
    return new AwsCallException(AwsCallException.Kind.TRANSIENT, "kubernetes:" + operation, String.valueOf(e.getCode()),
        "the Kubernetes API failed (HTTP " + e.getCode() + ")", e);
  }

  /** Where the bucket is: as S3 reported it at the last check, else as the spec says. */
  private static String region(AwsIntegration ai) {
    if (ai.getStatus() != null && ai.getStatus().getBucket() != null && ai.getStatus().getBucket().getRegion() != null) {
      return ai.getStatus().getBucket().getRegion();
    }
    return stsRegion(ai);
  }

  private static String stsRegion(AwsIntegration ai) {
    return ai.getSpec().getRegion() == null ? "us-east-1" : ai.getSpec().getRegion();
  }
}
