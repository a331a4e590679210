package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.PodIdentityAuth;
import dev.mlops.datastore.aws.AwsCallException;
import dev.mlops.datastore.aws.EksGateway;
import dev.mlops.datastore.aws.EksGateway.Association;
import dev.mlops.datastore.reconciler.Failure;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PodIdentityAssociated link: for each service account, the EKS Pod Identity association
 * ({@code eks:ListPodIdentityAssociations} filtered on the namespace and service account, then
 * {@code eks:DescribePodIdentityAssociation}) and whether it names the integration's role, directly
 * or, across accounts, as its {@code targetRoleArn}. With {@code manageAssociations} the
 * associations this integration owns (tag {@value #OWNER_TAG}) are created, pointed at the role and
 * deleted; one it did not create is reported, never changed — the counterpart of the annotation
 * ownership of IRSA.
 */
public final class PodIdentityChecker {
  public static final String POD_IDENTITY_ASSOCIATED = "PodIdentityAssociated";
  /** The tag an association the operator created carries: NAMESPACE/NAME/UID of its integration. */
  public static final String OWNER_TAG = "datastore.mlops.dev/owner";

  /** Reasons of PodIdentityAssociated; each is documented in docs/conditions.md. */
  public static final String ASSOCIATED = "Associated";
  public static final String ASSOCIATION_MISSING = "AssociationMissing";
  public static final String ASSOCIATED_WITH_OTHER_ROLE = "AssociatedWithOtherRole";
  public static final String ASSOCIATION_NOT_OWNED = "AssociationNotOwned";
  public static final String SESSION_TAGS_DISABLED = "SessionTagsDisabled";
  public static final String EKS_CLUSTER_NOT_FOUND = "EksClusterNotFound";
  public static final String EKS_READ_DENIED = "EksReadDenied";
  public static final String EKS_WRITE_DENIED = "EksWriteDenied";
  public static final String EKS_REQUEST_REJECTED = "EksRequestRejected";
  /** A service account warning: an IRSA annotation and a Pod Identity association at once. */
  public static final String IRSA_TAKES_PRECEDENCE = "IrsaTakesPrecedence";

  private static final Logger log = LoggerFactory.getLogger(PodIdentityChecker.class);
  private static final int MAX_TAG_VALUE = 256;

  private final EksGateway eks;
  private final Optional<String> defaultCluster;
  private final String region;
  private final Clock clock;
  /** Cluster ARNs by name: a cluster's ARN never changes, so DescribeCluster is asked once. */
  private final Map<String, String> clusterArns = new ConcurrentHashMap<>();

  /**
   * @param defaultCluster the operator's cluster (OPERATOR_EKS_CLUSTER_NAME), for specs that name none
   * @param region where EKS is called
   */
  public PodIdentityChecker(EksGateway eks, Optional<String> defaultCluster, String region, Clock clock) {
    this.eks = eks;
    this.defaultCluster = defaultCluster;
    this.region = region;
    this.clock = clock;
  }

  /** What was found for one service account. */
  public record Row(
      String serviceAccount, Association association, boolean managed, String problem, String message, boolean irsaAnnotated) {
    /** The role STS is asked for first: the association's role (the target role is chained from it). */
    public String firstRole() {
      return association == null ? null : association.roleArn();
    }
  }

  /** The link, and each service account's row. */
  public record Outcome(
      String clusterName, String clusterArn, String status, String reason, String message, Map<String, Row> rows, Instant checkedAt) {}

  /** The cluster the spec names, else the operator's; empty when neither is set. */
  public Optional<String> clusterName(PodIdentityAuth auth) {
    return Optional.ofNullable(auth.getClusterName()).filter(s -> !s.isEmpty()).or(() -> defaultCluster);
  }

  /** The region of EKS and EKS Auth calls. */
  public String region() {
    return region;
  }

  /** Stalled, with what to set, when no cluster is known. */
  public Optional<Failure.NeedsSpecChange> invalid(PodIdentityAuth auth) {
    if (clusterName(auth).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(Failure.NeedsSpecChange.field("spec.auth.podIdentity.clusterName",
        "is not set and the operator has no default EKS cluster; set it to the name of the EKS cluster that holds the Pod Identity"
            + " associations, or install the operator with the chart value eks.clusterName (OPERATOR_EKS_CLUSTER_NAME)"));
  }

  /**
   * Reads (and with manageAssociations, writes) the associations of {@code wanted}.
   *
   * @throws AwsCallException of kind TRANSIENT when EKS throttles or fails
   */
  public Outcome check(AwsIntegration ai, List<String> wanted, Function<String, ServiceAccount> lookup) {
    PodIdentityAuth auth = ai.getSpec().getAuth().getPodIdentity();
    String cluster = clusterName(auth).orElseThrow();
    String role = auth.getRoleArn();
    String ns = ai.getMetadata().getNamespace();
    boolean manage = Boolean.TRUE.equals(auth.getManageAssociations());
    String clusterArn;
    try {
      clusterArn = clusterArn(cluster);
    } catch (AwsCallException e) {
      switch (e.kind()) {
        case TRANSIENT -> throw e;
        case NOT_FOUND -> {
          return new Outcome(cluster, null, "False", EKS_CLUSTER_NOT_FOUND, "EKS has no cluster " + cluster + " in " + region + " (" + e.getMessage()
              + "); set spec.auth.podIdentity.clusterName (or the chart value eks.clusterName) to the cluster the pods run in", Map.of(),
              clock.instant());
        }
        default -> clusterArn = null; // denied: the associations may still be readable; conditions on the ARN stay undetermined
      }
    }
    Map<String, Row> rows = new LinkedHashMap<>();
    try {
      for (String sa : wanted) {
        rows.put(sa, row(ai, cluster, role, ns, sa, manage, lookup.apply(sa)));
      }
      if (manage) {
        release(ai, cluster, Set.copyOf(wanted));
      }
    } catch (AwsCallException e) {
      if (e.kind() == AwsCallException.Kind.TRANSIENT) {
        throw e;
      }
      boolean write = !e.operation().endsWith("ListPodIdentityAssociations") && !e.operation().endsWith("DescribePodIdentityAssociation");
      if (e.kind() == AwsCallException.Kind.ACCESS_DENIED) {
        return new Outcome(cluster, clusterArn, write ? "False" : "Unknown", write ? EKS_WRITE_DENIED : EKS_READ_DENIED,
            "the operator may not " + e.operation() + " (" + e.getMessage() + "); grant its role "
                + (write ? "eks:CreatePodIdentityAssociation, eks:UpdatePodIdentityAssociation, eks:DeletePodIdentityAssociation and eks:TagResource (manageAssociations)"
                    : "eks:ListPodIdentityAssociations and eks:DescribePodIdentityAssociation")
                + " on cluster " + cluster + " (docs/eks.md). The other links are still checked",
            rows, clock.instant());
      }
      if (e.kind() == AwsCallException.Kind.NOT_FOUND) {
        clusterArns.remove(cluster);
        return new Outcome(cluster, clusterArn, "False", EKS_CLUSTER_NOT_FOUND, "EKS has no cluster " + cluster + " in " + region
            + " (" + e.getMessage() + ")", rows, clock.instant());
      }
      return new Outcome(cluster, clusterArn, "False", EKS_REQUEST_REJECTED, e.getMessage(), rows, clock.instant());
    }
    return summarize(cluster, clusterArn, role, rows);
  }

  private String clusterArn(String cluster) {
    String known = clusterArns.get(cluster);
    if (known != null) {
      return known;
    }
    String arn = eks.clusterArn(cluster, region);
    if (arn != null) {
      clusterArns.put(cluster, arn);
    }
    return arn;
  }

  private Row row(AwsIntegration ai, String cluster, String role, String ns, String sa, boolean manage, ServiceAccount account) {
    boolean irsaAnnotated = account != null && account.getMetadata().getAnnotations() != null
        && Optional.ofNullable(account.getMetadata().getAnnotations().get(IrsaAnnotations.ROLE_ARN)).filter(s -> !s.isBlank()).isPresent();
    List<Association> found = eks.associations(cluster, ns, sa, region);
    // EKS keeps one association per service account; should there be more, the one that fits counts.
    Association current = found.stream().filter(a -> grants(a, role)).findFirst().orElse(found.isEmpty() ? null : found.get(0));
    String owner = ownerValue(ai);
    if (manage) {
      if (current == null) {
        Association created = eks.create(cluster, ns, sa, role, Map.of(OWNER_TAG, owner), region);
        log.atInfo().addKeyValue("serviceAccount", sa).addKeyValue("associationId", created.associationId())
            .log("created Pod Identity association");
        return new Row(sa, created, true, null, null, irsaAnnotated);
      }
      if (ownedBy(current, ai) && !grants(current, role)) {
        Association updated = eks.update(cluster, current.associationId(), role, region);
        log.atInfo().addKeyValue("serviceAccount", sa).addKeyValue("associationId", current.associationId())
            .log("pointed Pod Identity association at the role");
        return new Row(sa, updated, true, null, null, irsaAnnotated);
      }
    }
    boolean managed = current != null && ownedBy(current, ai);
    if (current == null) {
      return new Row(sa, null, false, ASSOCIATION_MISSING, "no Pod Identity association in cluster " + cluster
          + "; create one: aws eks create-pod-identity-association --cluster-name " + cluster + " --namespace " + ns
          + " --service-account " + sa + " --role-arn " + role + " (or set spec.auth.podIdentity.manageAssociations)", irsaAnnotated);
    }
    if (!grants(current, role)) {
      String names = current.targetRoleArn() == null ? "names role " + current.roleArn()
          : "names role " + current.roleArn() + " chained to " + current.targetRoleArn() + ": pods get " + current.targetRoleArn();
      if (manage && !managed) {
        return new Row(sa, current, false, ASSOCIATION_NOT_OWNED, "association " + current.associationId() + " " + names
            + ", and this integration did not create it (no " + OWNER_TAG + " tag of its own): it is left as is; delete it, or point it at "
            + role + ", by hand", irsaAnnotated);
      }
      return new Row(sa, current, managed, ASSOCIATED_WITH_OTHER_ROLE, "association " + current.associationId() + " " + names + ", not "
          + role, irsaAnnotated);
    }
    return new Row(sa, current, managed, null, null, irsaAnnotated);
  }

  /** Whether pods of the association end up with {@code role}: as its role (no chaining), or as its target role. */
  static boolean grants(Association a, String role) {
    return a.targetRoleArn() == null ? role.equals(a.roleArn()) : role.equals(a.targetRoleArn());
  }

  private Outcome summarize(String cluster, String clusterArn, String role, Map<String, Row> rows) {
    if (rows.isEmpty()) {
      return new Outcome(cluster, clusterArn, "False", AwsIntegrationStatusFactory.NO_SERVICE_ACCOUNTS,
          "no service accounts: set spec.platform to a preset or list spec.serviceAccounts", rows, clock.instant());
    }
    for (String worst : List.of(ASSOCIATION_NOT_OWNED, ASSOCIATED_WITH_OTHER_ROLE, ASSOCIATION_MISSING)) {
      List<Row> hit = rows.values().stream().filter(r -> worst.equals(r.problem())).toList();
      if (!hit.isEmpty()) {
        return new Outcome(cluster, clusterArn, "False", worst,
            hit.stream().map(r -> r.serviceAccount() + ": " + r.message()).collect(Collectors.joining("; ")) + bothNote(rows), rows,
            clock.instant());
      }
    }
    long chained = rows.values().stream().filter(r -> r.association().targetRoleArn() != null).count();
    String message = rows.size() + " of " + rows.size() + " service accounts have a Pod Identity association to " + role + " in cluster "
        + cluster + (chained == 0 ? "" : " (" + chained + " across accounts through targetRoleArn; the target role's trust of the first role"
        + " is proven live, not evaluated here)");
    return new Outcome(cluster, clusterArn, "True", ASSOCIATED, message + bothNote(rows), rows, clock.instant());
  }

  /**
   * The both-configured warning: the AWS SDKs' default credential chains try the web identity
   * token (IRSA) before the container credentials (Pod Identity), so such pods use the IRSA role.
   */
  private static String bothNote(Map<String, Row> rows) {
    List<String> both = rows.values().stream().filter(r -> r.irsaAnnotated() && r.association() != null).map(Row::serviceAccount).toList();
    if (both.isEmpty()) {
      return "";
    }
    return "; warning: " + String.join(", ", both) + " also carr" + (both.size() == 1 ? "ies" : "y") + " the IRSA annotation "
        + IrsaAnnotations.ROLE_ARN + ", and the AWS SDKs' default credential chains (Java v2, Python/botocore) try the web identity token"
        + " before the container credentials of Pod Identity: their pods use the IRSA role; remove the annotation to use Pod Identity";
  }

  /**
   * Deletes the associations this integration created for service accounts it no longer needs
   * (all of them when {@code keep} is empty: the integration is being deleted).
   */
  public void release(AwsIntegration ai, Set<String> keep) {
    PodIdentityAuth auth = ai.getSpec() == null || ai.getSpec().getAuth() == null ? null : ai.getSpec().getAuth().getPodIdentity();
    if (auth == null || !Boolean.TRUE.equals(auth.getManageAssociations())) {
      return;
    }
    clusterName(auth).ifPresent(cluster -> release(ai, cluster, keep));
  }

  /**
   * After {@code manageAssociations} was turned off or the integration left Pod Identity: the
   * associations its last status shows as created by it are deleted (once: the next status shows
   * none). The cluster is the one the last status names.
   */
  public void releaseAfterOptOut(AwsIntegration ai) {
    PodIdentityAuth auth = ai.getSpec().getAuth() == null ? null : ai.getSpec().getAuth().getPodIdentity();
    if (auth != null && Boolean.TRUE.equals(auth.getManageAssociations()) || ai.getStatus() == null
        || ai.getStatus().getServiceAccounts() == null
        || ai.getStatus().getServiceAccounts().stream().noneMatch(r -> Boolean.TRUE.equals(r.getAssociationManaged()))) {
      return;
    }
    String arn = ai.getStatus().getEksClusterArn();
    Optional<String> cluster = arn != null && arn.contains(":cluster/")
        ? Optional.of(arn.substring(arn.indexOf(":cluster/") + ":cluster/".length()))
        : auth == null ? defaultCluster : clusterName(auth);
    try {
      cluster.ifPresent(c -> release(ai, c, Set.of()));
    } catch (AwsCallException e) {
      if (e.kind() == AwsCallException.Kind.TRANSIENT) {
        throw e;
      }
      // Denied or gone: nothing more this integration may do about them; the log names the failure.
      log.atWarn().addKeyValue("error", e.getMessage()).log("could not delete the Pod Identity associations this integration created");
    }
  }

  private void release(AwsIntegration ai, String cluster, Set<String> keep) {
    for (Association a : eks.associations(cluster, ai.getMetadata().getNamespace(), null, region)) {
      if (ownedBy(a, ai) && !keep.contains(a.serviceAccount())) {
        eks.delete(cluster, a.associationId(), region);
        log.atInfo().addKeyValue("serviceAccount", a.serviceAccount()).addKeyValue("associationId", a.associationId())
            .log("deleted Pod Identity association");
      }
    }
  }

  /** NAMESPACE/NAME/UID, or NAMESPACE/UID when that is longer than a tag value may be. */
  static String ownerValue(AwsIntegration ai) {
    String ns = ai.getMetadata().getNamespace();
    String full = ns + "/" + ai.getMetadata().getName() + "/" + ai.getMetadata().getUid();
    return full.length() <= MAX_TAG_VALUE ? full : ns + "/" + ai.getMetadata().getUid();
  }

  /** Created by this very integration: its namespace and UID in the owner tag (a re-created namesake is another owner). */
  static boolean ownedBy(Association a, AwsIntegration ai) {
    String value = a.tags().get(OWNER_TAG);
    String uid = ai.getMetadata().getUid();
    return value != null && uid != null && value.startsWith(ai.getMetadata().getNamespace() + "/") && value.endsWith("/" + uid);
  }

  /**
   * The outcome once the trust policies are known: an association that disables session tags,
   * for a role whose trust policy conditions on them ({@code aws:RequestTag/...}), cannot work:
   * EKS sends no tags, so the conditions never match.
   */
  static Outcome withSessionTags(Outcome outcome, Set<String> rolesUsingSessionTags) {
    if (outcome == null || rolesUsingSessionTags.isEmpty()) {
      return outcome;
    }
    Map<String, Row> rows = new LinkedHashMap<>();
    List<String> hit = new ArrayList<>();
    outcome.rows().forEach((sa, r) -> {
      if (r.problem() == null && r.association() != null && r.association().disableSessionTags()
          && rolesUsingSessionTags.contains(r.firstRole())) {
        String message = "association " + r.association().associationId() + " disables session tags, but the trust policy of " + r.firstRole()
            + " has conditions on aws:RequestTag/ keys: EKS sends no tags, so they never match; enable session tags (aws eks"
            + " update-pod-identity-association --association-id " + r.association().associationId() + " --no-disable-session-tags) or drop"
            + " those conditions";
        rows.put(sa, new Row(sa, r.association(), r.managed(), SESSION_TAGS_DISABLED, message, r.irsaAnnotated()));
        hit.add(sa + ": " + message);
      } else {
        rows.put(sa, r);
      }
    });
    if (hit.isEmpty() || "False".equals(outcome.status())) {
      return new Outcome(outcome.clusterName(), outcome.clusterArn(), outcome.status(), outcome.reason(), outcome.message(), rows,
          outcome.checkedAt());
    }
    return new Outcome(outcome.clusterName(), outcome.clusterArn(), "False", SESSION_TAGS_DISABLED, String.join("; ", hit) + bothNote(rows),
        rows, outcome.checkedAt());
  }
}
