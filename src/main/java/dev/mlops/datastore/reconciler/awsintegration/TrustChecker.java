package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.IrsaAuth;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.aws.AwsCallException;
import dev.mlops.datastore.aws.RoleFacts;
import dev.mlops.datastore.trust.TrustPolicyEvaluator;
import dev.mlops.datastore.trust.TrustPolicyFix;
import dev.mlops.datastore.trust.TrustRequest;
import dev.mlops.datastore.trust.TrustVerdict;
import dev.mlops.datastore.trust.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The TrustPolicyValid link: the role exists, its account holds this cluster's OIDC provider with
 * the audience among its client IDs, and its trust policy admits each service account. IAM is
 * read through {@link RoleFactsCache}: at most GetRole and GetOpenIDConnectProvider per check
 * (plus ListAttachedRolePolicies for DataRobot).
 */
public final class TrustChecker {
  public static final String TRUST_POLICY_VALID = "TrustPolicyValid";
  public static final String ECR_POWER_USER = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser";
  public static final String MISSING_ECR_POLICY = "MissingEcrPowerUserPolicy";

  private static final int MAX_EXPLANATION = 600;

  private final OidcIssuerResolver issuers;
  private final RoleFactsCache roles;
  /** The generation each integration (by UID) was last checked for: a new one reads IAM afresh. */
  private final Map<String, Long> checkedGenerations = new java.util.concurrent.ConcurrentHashMap<>();

  public TrustChecker(OidcIssuerResolver issuers, RoleFactsCache roles) {
    this.issuers = issuers;
    this.roles = roles;
  }

  /** The link's state, and what to put on each service account row. */
  public record Outcome(
      String status,
      String reason,
      String message,
      String oidcIssuer,
      Map<String, TrustVerdict> verdicts,
      List<String> roleWarnings,
      Instant checkedAt,
      String suggestedPolicy) {
    public Outcome(String status, String reason, String message, String oidcIssuer, Map<String, TrustVerdict> verdicts,
        List<String> roleWarnings, Instant checkedAt) {
      this(status, reason, message, oidcIssuer, verdicts, roleWarnings, checkedAt, null);
    }
  }

  /** Forgets an integration that is gone, and what IAM said of its role. */
  public void forget(AwsIntegration ai) {
    checkedGenerations.remove(ai.getMetadata().getUid());
    IrsaAuth irsa = ai.getSpec() == null || ai.getSpec().getAuth() == null ? null : ai.getSpec().getAuth().getIrsa();
    if (irsa != null && irsa.getRoleArn() != null) {
      roles.forget(irsa.getRoleArn());
    }
    var podIdentity = ai.getSpec() == null || ai.getSpec().getAuth() == null ? null : ai.getSpec().getAuth().getPodIdentity();
    if (podIdentity != null && podIdentity.getRoleArn() != null) {
      roles.forget(podIdentity.getRoleArn());
    }
  }

  public Outcome check(AwsIntegration ai, List<String> serviceAccounts, Duration interval) {
    return check(ai, serviceAccounts, interval, false);
  }

  /**
   * @param fresh read IAM afresh whatever was read recently (a check the user asked for)
   */
  public Outcome check(AwsIntegration ai, List<String> serviceAccounts, Duration interval, boolean fresh) {
    String uid = ai.getMetadata().getUid();
    Long generation = ai.getMetadata().getGeneration();
    // A spec this integration was not checked for deserves a fresh look at IAM; retries and
    // reconciles woken by service accounts of the same generation use what IAM said last.
    boolean refresh = fresh || uid == null || !Objects.equals(checkedGenerations.get(uid), generation);
    IrsaAuth irsa = ai.getSpec().getAuth().getIrsa();
    String audience = irsa.getAudience() == null ? TrustRequest.DEFAULT_AUDIENCE : irsa.getAudience();
    String ns = ai.getMetadata().getNamespace();
    Optional<String> issuer = issuers.issuer(ns, serviceAccounts, audience);
    if (issuer.isEmpty()) {
      return new Outcome("Unknown", "OidcIssuerUnknown",
          "cannot learn this cluster's OIDC issuer (no discovery document, no TokenRequest answer); set OPERATOR_OIDC_ISSUER",
          null, Map.of(), List.of(), null);
    }
    Map<String, TrustRequest> requests = new LinkedHashMap<>();
    for (String sa : serviceAccounts) {
      requests.put(sa, new TrustRequest(irsa.getRoleArn(), issuer.get(), ns, sa, audience));
    }
    TrustRequest any = new TrustRequest(irsa.getRoleArn(), issuer.get(), ns, "any", audience);
    boolean dataRobot = ai.getSpec().getPlatform() == Platform.DataRobot;
    // The reconciler calls this only when a check is due; what IAM said within half an interval
    // (for another integration of the same role, or before a retry) is recent enough.
    RoleFactsCache.Entry entry = roles.get(irsa.getRoleArn(), any.providerArn(), dataRobot, interval.dividedBy(2), refresh);
    if (uid != null && generation != null) {
      checkedGenerations.put(uid, generation);
    }

    if (entry.failure() != null) {
      AwsCallException f = entry.failure();
      return switch (f.kind()) {
        case ACCESS_DENIED -> new Outcome("Unknown", "IamReadDenied",
            "the operator may not read the role (" + f.getMessage() + "); grant its own role iam:GetRole and iam:GetOpenIDConnectProvider. The other links are still checked",
            issuer.get(), Map.of(), List.of(), entry.fetchedAt());
        case NOT_FOUND -> new Outcome("False", "RoleNotFound",
            "role " + irsa.getRoleArn() + " does not exist (" + f.getMessage() + "); checked again shortly, in case it was just created",
            issuer.get(), Map.of(), List.of(), entry.fetchedAt());
        default -> new Outcome("False", "IamRequestRejected", f.getMessage(), issuer.get(), Map.of(), List.of(), entry.fetchedAt());
      };
    }

    RoleFacts facts = entry.facts();
    Map<String, TrustVerdict> verdicts = new LinkedHashMap<>();
    requests.forEach((sa, request) -> verdicts.put(sa, TrustPolicyEvaluator.evaluate(facts.trustPolicy(), request)));
    List<String> roleWarnings = new ArrayList<>();
    String ecrNote = "";
    if (dataRobot && facts.attachedPolicyArns() != null && !facts.attachedPolicyArns().contains(ECR_POWER_USER)) {
      roleWarnings.add(MISSING_ECR_POLICY);
      ecrNote = "; warning: the role lacks " + ECR_POWER_USER + ", which DataRobot's build service needs to push custom-model images to ECR";
    }

    String providerNote = "";
    if (facts.provider() instanceof RoleFacts.Missing) {
      return new Outcome("False", "OidcProviderNotFound",
          "account " + any.account() + " has no IAM OIDC provider " + any.providerArn()
              + " for this cluster's issuer; STS will answer InvalidIdentityToken. Create it (eksctl utils associate-iam-oidc-provider) in the role's account" + ecrNote,
          issuer.get(), verdicts, roleWarnings, entry.fetchedAt());
    }
    if (facts.provider() instanceof RoleFacts.Found found && !found.clientIds().contains(audience)) {
      return new Outcome("False", "AudienceNotInProvider",
          "the OIDC provider " + any.providerArn() + " lists client IDs " + found.clientIds() + " but not the token audience " + audience
              + "; add it as an audience of the provider" + ecrNote,
          issuer.get(), verdicts, roleWarnings, entry.fetchedAt());
    }
    if (facts.provider() instanceof RoleFacts.Unreadable u) {
      providerNote = "; the OIDC provider could not be checked (" + u.message() + ")";
    }

    List<String> denied = new ArrayList<>();
    List<String> undetermined = new ArrayList<>();
    verdicts.forEach((sa, v) -> {
      String line = sa + ": " + v.reasons().stream().map(Enum::name).collect(Collectors.joining(",")) + " (" + shorten(v.explanation()) + ")";
      if (v.verdict() == Verdict.DENIED) {
        denied.add(line);
      } else if (v.verdict() == Verdict.UNDETERMINED) {
        undetermined.add(line);
      }
    });
    String status;
    String reason;
    String message;
    if (!denied.isEmpty()) {
      status = "False";
      reason = "TrustPolicyDenies";
      message = "the trust policy of " + irsa.getRoleArn() + " does not admit " + String.join("; ", denied);
    } else if (!undetermined.isEmpty()) {
      status = "Unknown";
      reason = "TrustPolicyUndetermined";
      message = "the trust policy of " + irsa.getRoleArn() + " may or may not admit " + String.join("; ", undetermined);
    } else {
      status = "True";
      reason = "TrustPolicyAllows";
      message = "the trust policy of " + irsa.getRoleArn() + " admits " + verdicts.size() + " of " + verdicts.size() + " service accounts";
    }
    // The fix, verified by the same evaluator, while some service account is not admitted.
    String suggested = verdicts.values().stream().allMatch(TrustVerdict::allowed)
        ? null
        : TrustPolicyFix.suggest(facts.trustPolicy(), List.copyOf(requests.values())).orElse(null);
    if (suggested != null) {
      message += "; status.trust.suggestedPolicy admits exactly these service accounts";
    }
    return new Outcome(status, reason, message + providerNote + ecrNote, issuer.get(), verdicts, roleWarnings, entry.fetchedAt(), suggested);
  }

  /** TrustPolicyValid reason: the role's trust policy is written for IRSA, and the integration uses Pod Identity. */
  public static final String IRSA_TRUST_POLICY = "IrsaTrustPolicy";

  /**
   * The TrustPolicyValid link for EKS Pod Identity: each service account's first role (the one its
   * association names; for a cross-account association whose targetRoleArn is the integration's
   * role, the association's own role, which EKS assumes first) is read through the same cache and
   * judged with {@link TrustPolicyEvaluator#evaluatePodIdentity} for this cluster's name and ARN.
   * The target role's trust of the first role is proven live, not evaluated here.
   *
   * @param sessionTagRoles filled with the roles whose trust policy conditions on session tags
   */
  public Outcome checkPodIdentity(AwsIntegration ai, List<String> serviceAccounts, PodIdentityChecker.Outcome associations, Duration interval,
      boolean fresh, java.util.Set<String> sessionTagRoles) {
    String uid = ai.getMetadata().getUid();
    Long generation = ai.getMetadata().getGeneration();
    boolean refresh = fresh || uid == null || !Objects.equals(checkedGenerations.get(uid), generation);
    String specRole = ai.getSpec().getAuth().getPodIdentity().getRoleArn();
    String ns = ai.getMetadata().getNamespace();
    Map<String, String> firstRoles = new LinkedHashMap<>();
    for (String sa : serviceAccounts) {
      PodIdentityChecker.Row row = associations.rows().get(sa);
      firstRoles.put(sa, row != null && row.association() != null && row.association().targetRoleArn() != null
          && specRole.equals(row.association().targetRoleArn()) ? row.association().roleArn() : specRole);
    }
    Map<String, RoleFactsCache.Entry> entries = new LinkedHashMap<>();
    for (String role : new java.util.LinkedHashSet<>(firstRoles.values())) {
      entries.put(role, roles.get(role, null, false, interval.dividedBy(2), refresh));
    }
    if (uid != null && generation != null) {
      checkedGenerations.put(uid, generation);
    }
    Instant fetchedAt = entries.values().stream().map(RoleFactsCache.Entry::fetchedAt).max(Instant::compareTo).orElse(null);
    for (Map.Entry<String, RoleFactsCache.Entry> e : entries.entrySet()) {
      AwsCallException f = e.getValue().failure();
      if (f != null) {
        return switch (f.kind()) {
          case ACCESS_DENIED -> new Outcome("Unknown", "IamReadDenied",
              "the operator may not read the role " + e.getKey() + " (" + f.getMessage() + "); grant its own role iam:GetRole. The other links are still checked",
              null, Map.of(), List.of(), fetchedAt);
          case NOT_FOUND -> new Outcome("False", "RoleNotFound",
              "role " + e.getKey() + " does not exist (" + f.getMessage() + "); checked again shortly, in case it was just created",
              null, Map.of(), List.of(), fetchedAt);
          default -> new Outcome("False", "IamRequestRejected", f.getMessage(), null, Map.of(), List.of(), fetchedAt);
        };
      }
      if (usesSessionTags(e.getValue().facts().trustPolicy())) {
        sessionTagRoles.add(e.getKey());
      }
    }
    Map<String, TrustVerdict> verdicts = new LinkedHashMap<>();
    firstRoles.forEach((sa, role) -> verdicts.put(sa, TrustPolicyEvaluator.evaluatePodIdentity(entries.get(role).facts().trustPolicy(),
        new dev.mlops.datastore.trust.PodIdentityRequest(role, associations.clusterName(), associations.clusterArn(), ns, sa))));
    List<String> denied = new ArrayList<>();
    List<String> undetermined = new ArrayList<>();
    boolean allIrsa = true;
    for (Map.Entry<String, TrustVerdict> e : verdicts.entrySet()) {
      TrustVerdict v = e.getValue();
      String line = e.getKey() + " (role " + firstRoles.get(e.getKey()) + "): " + v.reasons().stream().map(Enum::name).collect(Collectors.joining(","))
          + " (" + shorten(v.explanation()) + ")";
      if (v.verdict() == Verdict.DENIED) {
        denied.add(line);
        allIrsa &= v.reasons().contains(dev.mlops.datastore.trust.TrustReason.IrsaTrustPolicy);
      } else if (v.verdict() == Verdict.UNDETERMINED) {
        undetermined.add(line);
      }
    }
    String cluster = "cluster " + associations.clusterName() + (associations.clusterArn() == null ? "" : " (" + associations.clusterArn() + ")");
    boolean chained = !firstRoles.values().stream().allMatch(specRole::equals);
    // The fix, verified by the same evaluator, for the integration's own role (not a first role of a chain).
    String suggested = chained || verdicts.values().stream().allMatch(TrustVerdict::allowed) ? null
        : TrustPolicyFix.suggestPodIdentity(entries.get(specRole).facts().trustPolicy(), firstRoles.keySet().stream()
            .map(sa -> new dev.mlops.datastore.trust.PodIdentityRequest(specRole, associations.clusterName(), associations.clusterArn(), ns, sa))
            .toList()).orElse(null);
    String fixNote = suggested == null ? "" : "; status.trust.suggestedPolicy admits exactly these service accounts";
    String chainNote = chained ? "; the target role's trust of the first role is proven live, not evaluated here" : "";
    if (!denied.isEmpty()) {
      if (allIrsa) {
        return new Outcome("False", IRSA_TRUST_POLICY, "the trust policy is written for IRSA (it trusts an OIDC provider with"
            + " sts:AssumeRoleWithWebIdentity), but this integration uses EKS Pod Identity, which needs the service principal"
            + " pods.eks.amazonaws.com allowed sts:AssumeRole and sts:TagSession: " + String.join("; ", denied) + chainNote + fixNote,
            null, verdicts, List.of(), fetchedAt, suggested);
      }
      return new Outcome("False", "TrustPolicyDenies", "for EKS Pod Identity in " + cluster + ", the trust policy does not admit "
          + String.join("; ", denied) + chainNote + fixNote, null, verdicts, List.of(), fetchedAt, suggested);
    }
    if (!undetermined.isEmpty()) {
      return new Outcome("Unknown", "TrustPolicyUndetermined", "for EKS Pod Identity in " + cluster + ", the trust policy may or may not admit "
          + String.join("; ", undetermined) + chainNote + fixNote, null, verdicts, List.of(), fetchedAt, suggested);
    }
    return new Outcome("True", "TrustPolicyAllows", "for EKS Pod Identity in " + cluster + ", the trust policy of "
        + String.join(", ", new java.util.LinkedHashSet<>(firstRoles.values())) + " admits " + verdicts.size() + " of " + verdicts.size()
        + " service accounts" + chainNote, null, verdicts, List.of(), fetchedAt);
  }

  /** Whether a trust policy has conditions on the session tags EKS Pod Identity sends (aws:RequestTag/...). */
  static boolean usesSessionTags(String policy) {
    return policy != null && policy.toLowerCase(java.util.Locale.ROOT).contains("aws:requesttag/");
  }

  private static String shorten(String text) {
    return text.length() <= MAX_EXPLANATION ? text : text.substring(0, MAX_EXPLANATION) + "...";
  }
}
