package dev.mlops.datastore.reconciler.awsintegration;

import static dev.mlops.datastore.reconciler.Conditions.READY;
import static dev.mlops.datastore.reconciler.Conditions.RECONCILING;
import static dev.mlops.datastore.reconciler.Conditions.STALLED;

import dev.mlops.datastore.api.v1alpha1.AccessCheck;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.BucketStatus;
import dev.mlops.datastore.api.v1alpha1.Encryption;
import dev.mlops.datastore.api.v1alpha1.Identity;
import dev.mlops.datastore.aws.BucketReport;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationStatus;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.ServiceAccountStatus;
import dev.mlops.datastore.api.v1alpha1.TrustStatus;
import dev.mlops.datastore.api.v1alpha1.WorkloadRestart;
import dev.mlops.datastore.trust.TrustPolicyFix;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.reconciler.Failure;
import dev.mlops.datastore.reconciler.awsintegration.AnnotationPlanner.Outcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds a fresh AwsIntegration status from what the reconciler observed. Each link gets its own
 * condition; {@code Ready} is the conjunction of the links, and names the first broken one.
 */
public final class AwsIntegrationStatusFactory {
  public static final String SERVICE_ACCOUNTS_ANNOTATED = "ServiceAccountsAnnotated";

  /** Reasons; every one is documented in docs/conditions.md. */
  public static final String ANNOTATED = "Annotated";
  public static final String NOT_REQUIRED = "NotRequired";
  public static final String SERVICE_ACCOUNT_NOT_FOUND = "ServiceAccountNotFound";
  public static final String ANNOTATION_CONFLICT = "AnnotationConflict";
  public static final String CLAIMED_BY_OTHER_INTEGRATION = "ClaimedByOtherIntegration";
  public static final String NO_SERVICE_ACCOUNTS = "NoServiceAccounts";
  public static final String SUSPENDED = "Suspended";
  public static final String READY_REASON = "Ready";
  public static final String PODS_CURRENT = "PodsCurrent";
  public static final String PODS_HAVE_ROLE = "PodsHaveRole";
  public static final String PODS_PREDATE_ROLE = "PodsPredateRole";

  /** Reasons that only a person can clear (a spec change, or an edit of a service account). */
  private static final Set<String> NEEDS_A_PERSON =
      Set.of(ANNOTATION_CONFLICT, CLAIMED_BY_OTHER_INTEGRATION, NO_SERVICE_ACCOUNTS, PodIdentityChecker.ASSOCIATION_NOT_OWNED);

  private final Clock clock;

  public AwsIntegrationStatusFactory(Clock clock) {
    this.clock = clock;
  }

  /**
   * @param trust the trust-policy link for IRSA integrations; null for access-key auth
   */
  public AwsIntegrationStatus build(
      AwsIntegration ai, List<ServiceAccountRow> rows, boolean irsa, TrustChecker.Outcome trust, LiveChecker.Outcome live) {
    return build(ai, rows, irsa, null, trust, live);
  }

  /**
   * @param pods the PodIdentityAssociated link for Pod Identity integrations; null otherwise
   */
  public AwsIntegrationStatus build(AwsIntegration ai, List<ServiceAccountRow> rows, boolean irsa, PodIdentityChecker.Outcome pods,
      TrustChecker.Outcome trust, LiveChecker.Outcome live) {
    AwsIntegrationStatus status = new AwsIntegrationStatus();
    status.setObservedGeneration(ai.getMetadata().getGeneration());
    status.setServiceAccounts(rows.stream().map(r -> withAssociation(row(r, trust, live), pods)).toList());

    Conditions conditions = start(ai);
    Link annotated = (pods != null
        ? new Link(null, Conditions.TRUE, NOT_REQUIRED, "EKS Pod Identity: service accounts need no annotation")
        : annotationLink(rows, irsa)).named(SERVICE_ACCOUNTS_ANNOTATED);
    conditions.set(SERVICE_ACCOUNTS_ANNOTATED, annotated.status(), annotated.reason(), annotated.message());
    Link associated = null;
    if (pods != null) {
      associated = new Link(PodIdentityChecker.POD_IDENTITY_ASSOCIATED, pods.status(), pods.reason(), pods.message());
      conditions.set(associated.type(), associated.status(), associated.reason(), associated.message());
      status.setEksClusterArn(pods.clusterArn());
    }
    Link trusted =
        trust == null
            ? new Link(TrustChecker.TRUST_POLICY_VALID, Conditions.TRUE, NOT_REQUIRED, "access-key auth: no role to trust")
            : new Link(TrustChecker.TRUST_POLICY_VALID, trust.status(), trust.reason(), trust.message());
    conditions.set(trusted.type(), trusted.status(), trusted.reason(), trusted.message());
    Link credentials = new Link(LiveChecker.CREDENTIALS_VERIFIED, live.credentialsStatus(), live.credentialsReason(), live.credentialsMessage());
    conditions.set(credentials.type(), credentials.status(), credentials.reason(), credentials.message());
    Link bucket = new Link(LiveChecker.BUCKET_REACHABLE, live.bucketStatus(), live.bucketReason(), live.bucketMessage());
    conditions.set(bucket.type(), bucket.status(), bucket.reason(), bucket.message());
    java.time.Instant checked = live.checkedAt();
    if (trust != null) {
      status.setOidcIssuer(trust.oidcIssuer());
      status.setRoleWarnings(trust.roleWarnings().isEmpty() ? null : trust.roleWarnings());
      if (trust.suggestedPolicy() != null) {
        TrustStatus fix = new TrustStatus();
        fix.setSuggestedPolicy(trust.suggestedPolicy());
        String role = ai.getSpec().getAuth().getIrsa() != null ? ai.getSpec().getAuth().getIrsa().getRoleArn()
            : ai.getSpec().getAuth().getPodIdentity().getRoleArn();
        fix.setSuggestedCommand(TrustPolicyFix.command(role, trust.suggestedPolicy()));
        status.setTrust(fix);
      }
      if (trust.checkedAt() != null && trust.checkedAt().isAfter(checked)) {
        checked = trust.checkedAt();
      }
    }
    status.setLastCheckTime(checked.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    if (live.identity() != null) {
      Identity identity = new Identity();
      identity.setArn(live.identity().arn());
      identity.setAccount(live.identity().account());
      status.setIdentity(identity);
    }
    if (live.bucket() != null) {
      status.setBucket(bucketStatus(live.bucket()));
    }

    List<Link> links = associated == null ? List.of(annotated, trusted, credentials, bucket)
        : List.of(annotated, associated, trusted, credentials, bucket);
    Link broken = links.stream().filter(l -> l.status().equals(Conditions.FALSE)).findFirst().orElse(null);
    List<Link> unverified = links.stream().filter(l -> l.status().equals(Conditions.UNKNOWN)).toList();
    if (broken == null) {
      String message =
          "every checked link holds: "
              + links.stream().filter(l -> l.status().equals(Conditions.TRUE)).map(Link::type).collect(Collectors.joining(", "));
      if (!unverified.isEmpty()) {
        // The operator's own blind spots (its IAM permissions, an undecidable policy) do not
        // block the workloads; they are named so nobody mistakes them for proof.
        message +=
            "; not verified: "
                + unverified.stream().map(l -> l.type() + " (" + l.reason() + ")").collect(Collectors.joining(", "));
      }
      conditions.set(READY, true, READY_REASON, message);
    } else {
      conditions.set(READY, false, broken.reason(), broken.type() + ": " + broken.message());
      if (NEEDS_A_PERSON.contains(broken.reason())) {
        conditions.set(STALLED, true, broken.reason(), broken.message());
      }
    }
    status.setConditions(conditions.build());
    return status;
  }

  /**
   * Adds what the pods say to {@code status} (a fresh or copied one): each row's stale pods, the
   * {@code PodsCurrent} condition (IRSA only; it does not decide Ready: the integration holds, the
   * workloads have not picked it up yet) and the restarts done. Counts of current pods are not in
   * the message, so pods coming and going cause no write.
   */
  public AwsIntegrationStatus withPods(AwsIntegration ai, AwsIntegrationStatus status, StalePodFinder.Report pods,
      List<WorkloadRestart> restarts) {
    if (status.getServiceAccounts() != null) {
      for (ServiceAccountStatus row : status.getServiceAccounts()) {
        StalePodFinder.Row stale = pods.row(row.getName());
        row.setStalePods(stale == null ? null : stalePods(stale));
      }
    }
    status.setRestartedWorkloads(restarts == null || restarts.isEmpty() ? null : restarts);
    List<Condition> previous = status.getConditions() == null ? List.of() : status.getConditions();
    // A freshly built status has no PodsCurrent yet: its transition time comes from the stored one.
    List<Condition> prior = new java.util.ArrayList<>(previous);
    if (Conditions.find(previous, PODS_CURRENT).isEmpty() && ai.getStatus() != null) {
      Conditions.find(ai.getStatus().getConditions(), PODS_CURRENT).ifPresent(prior::add);
    }
    Conditions conditions = Conditions.after(prior, ai.getMetadata().getGeneration(), clock);
    for (Condition c : previous) {
      if (!c.getType().equals(PODS_CURRENT)) {
        conditions.set(c.getType(), c.getStatus(), c.getReason(), c.getMessage());
      }
    }
    if (pods.current()) {
      conditions.set(PODS_CURRENT, true, PODS_HAVE_ROLE, "every running pod of the annotated service accounts carries the role");
    } else {
      conditions.set(PODS_CURRENT, false, PODS_PREDATE_ROLE, podsMessage(ai, pods, restarts));
    }
    status.setConditions(conditions.build());
    return status;
  }

  private static dev.mlops.datastore.api.v1alpha1.StalePods stalePods(StalePodFinder.Row row) {
    var out = new dev.mlops.datastore.api.v1alpha1.StalePods();
    out.setCount(row.count());
    out.setPods(row.pods().stream().limit(StalePodFinder.MAX_NAMED).map(p -> {
      var pod = new dev.mlops.datastore.api.v1alpha1.StalePod();
      pod.setName(p.name());
      pod.setOwner(p.owner());
      pod.setRoleArn(p.roleArn());
      return pod;
    }).toList());
    return out;
  }

  private static String podsMessage(AwsIntegration ai, StalePodFinder.Report pods, List<WorkloadRestart> restarts) {
    String ns = ai.getMetadata().getNamespace();
    StringBuilder sb = new StringBuilder();
    sb.append(pods.rows().stream()
        .map(r -> r.count() + " pod" + (r.count() == 1 ? "" : "s") + " of " + r.serviceAccount() + " ("
            + r.pods().stream().limit(StalePodFinder.MAX_NAMED).map(p -> p.name() + (p.roleArn() == null ? "" : " with role " + p.roleArn())).collect(Collectors.joining(", "))
            + (r.count() > StalePodFinder.MAX_NAMED ? ", ..." : "") + ")")
        .collect(Collectors.joining("; ")));
    sb.append(" started before the service account was annotated with the role, or run with another role; the pod identity webhook injects it only into new pods");
    List<String> commands = new java.util.ArrayList<>();
    List<String> restarted = new java.util.ArrayList<>();
    for (String workload : pods.owners().keySet()) {
      WorkloadRestart done = restarts == null ? null
          : restarts.stream().filter(r -> r.getWorkload().equals(workload)).findFirst().orElse(null);
      String kind = workload.substring(0, workload.indexOf('/'));
      if (done != null && done.getMessage() == null) {
        restarted.add(workload + " at " + done.getRestartedAt());
      } else if (WorkloadRestarter.RESTARTABLE.contains(kind)) {
        commands.add("kubectl rollout restart -n " + ns + " " + kind.toLowerCase(java.util.Locale.ROOT) + "/" + workload.substring(kind.length() + 1)
            + (done != null ? " (" + done.getMessage() + ")" : ""));
      } else {
        commands.add("recreate the pods of " + workload + " (" + kind + "s are not restarted)");
      }
    }
    for (String bare : pods.barePods()) {
      commands.add("kubectl delete pod -n " + ns + " " + bare + " and create it again (a bare pod is not restarted)");
    }
    if (!restarted.isEmpty()) {
      sb.append("; restarted (spec.restartStalePods): ").append(String.join(", ", restarted)).append(", waiting for the new pods");
    }
    if (!commands.isEmpty()) {
      sb.append("; to fix: ").append(String.join("; ", commands));
    }
    return sb.toString();
  }

  public AwsIntegrationStatus suspended(AwsIntegration ai) {
    AwsIntegrationStatus status = copyOfPrevious(ai);
    status.setObservedGeneration(ai.getMetadata().getGeneration());
    status.setConditions(
        start(ai)
            .set(
                READY,
                false,
                SUSPENDED,
                "spec.suspend is true: nothing is checked and service accounts are left as they are")
            .build());
    return status;
  }

  /**
   * The status after a failure: what was last known stays visible, with {@code Reconciling},
   * {@code Stalled} or {@code Ready=Unknown} naming the failure (see {@link Failure}). A spec that
   * needs a change was observed, so its generation is recorded; other failures leave
   * observedGeneration as it was, so a new generation reads as still in progress.
   */
  public AwsIntegrationStatus failed(AwsIntegration ai, Failure failure) {
    AwsIntegrationStatus status = copyOfPrevious(ai);
    status.setConditions(Conditions.afterFailure(status.getConditions(), ai.getMetadata().getGeneration(), clock, failure));
    if (failure instanceof Failure.NeedsSpecChange) {
      status.setObservedGeneration(ai.getMetadata().getGeneration());
    }
    return status;
  }

  private Conditions start(AwsIntegration ai) {
    List<Condition> previous = ai.getStatus() == null ? null : ai.getStatus().getConditions();
    return Conditions.after(previous, ai.getMetadata().getGeneration(), clock);
  }

  private static BucketStatus bucketStatus(BucketReport report) {
    BucketStatus b = new BucketStatus();
    b.setRegion(report.region());
    if (report.encryption() != null) {
      Encryption e = new Encryption();
      e.setType(report.encryption());
      e.setKmsKeyId(report.kmsKeyId());
      b.setEncryption(e);
    }
    b.setAccess(report.rows().stream().map(r -> {
      AccessCheck c = new AccessCheck();
      c.setAction(r.action());
      c.setResult(r.result());
      c.setCode(r.code());
      c.setCause(r.cause());
      return c;
    }).toList());
    return b;
  }

  private static ServiceAccountStatus row(ServiceAccountRow r, TrustChecker.Outcome trust, LiveChecker.Outcome live) {
    ServiceAccountStatus s = row(r);
    LiveChecker.ServiceAccountLive proof = live.serviceAccounts().get(r.name());
    if (proof != null) {
      s.setLive(proof.result());
      if (!proof.result().equals("Verified") && s.getMessage() == null) {
        s.setMessage(proof.reason() + ": " + proof.message());
      }
    }
    if (trust != null) {
      var verdict = trust.verdicts().get(r.name());
      if (verdict == null) {
        s.setTrust("Unknown");
      } else {
        s.setTrust(switch (verdict.verdict()) {
          case ALLOWED -> "Allowed";
          case DENIED -> "Denied";
          case UNDETERMINED -> "Unknown";
        });
        if (!verdict.allowed()) {
          s.setReasons(verdict.reasons().stream().map(Enum::name).toList());
        }
        if (!verdict.warnings().isEmpty()) {
          s.setWarnings(verdict.warnings().stream().map(Enum::name).toList());
        }
      }
    }
    return s;
  }

  /** A row with what the Pod Identity link found for its service account. */
  private static ServiceAccountStatus withAssociation(ServiceAccountStatus s, PodIdentityChecker.Outcome pods) {
    PodIdentityChecker.Row row = pods == null ? null : pods.rows().get(s.getName());
    if (row == null) {
      return s;
    }
    if (row.association() != null) {
      s.setAssociationId(row.association().associationId());
      s.setAssociatedRoleArn(row.association().roleArn());
      s.setTargetRoleArn(row.association().targetRoleArn());
      s.setDisableSessionTags(row.association().disableSessionTags() ? Boolean.TRUE : null);
      s.setAssociationManaged(row.managed() ? Boolean.TRUE : null);
    }
    if (row.problem() != null) {
      // the association is the first thing to fix: its message comes before the live proof's
      s.setMessage(row.problem() + ": " + row.message());
    }
    if (row.irsaAnnotated() && row.association() != null) {
      List<String> warnings = new ArrayList<>(s.getWarnings() == null ? List.of() : s.getWarnings());
      warnings.add(PodIdentityChecker.IRSA_TAKES_PRECEDENCE);
      s.setWarnings(warnings);
      if (s.getMessage() == null) {
        s.setMessage(PodIdentityChecker.IRSA_TAKES_PRECEDENCE + ": the service account also carries " + IrsaAnnotations.ROLE_ARN
            + "; the AWS SDKs' default credential chains try the web identity token (IRSA) before Pod Identity's container"
            + " credentials, so its pods use the IRSA role");
      }
    }
    return s;
  }

  private static AwsIntegrationStatus copyOfPrevious(AwsIntegration ai) {
    AwsIntegrationStatus previous = ai.getStatus();
    if (previous == null) {
      return new AwsIntegrationStatus();
    }
    return io.fabric8.kubernetes.client.utils.Serialization.clone(previous);
  }

  private static Link annotationLink(List<ServiceAccountRow> rows, boolean irsa) {
    if (!irsa) {
      return new Link(
          null, Conditions.TRUE, NOT_REQUIRED, "access-key auth: service accounts need no annotation");
    }
    if (rows.isEmpty()) {
      return new Link(
          null,
          Conditions.FALSE,
          NO_SERVICE_ACCOUNTS,
          "no service accounts: set spec.platform to a preset or list spec.serviceAccounts");
    }
    for (Outcome worst : List.of(Outcome.CLAIMED_BY_OTHER, Outcome.CONFLICT, Outcome.NOT_FOUND)) {
      List<ServiceAccountRow> hit = rows.stream().filter(r -> r.outcome() == worst).toList();
      if (!hit.isEmpty()) {
        String reason =
            switch (worst) {
              case CLAIMED_BY_OTHER -> CLAIMED_BY_OTHER_INTEGRATION;
              case CONFLICT -> ANNOTATION_CONFLICT;
              default -> SERVICE_ACCOUNT_NOT_FOUND;
            };
        String message =
            hit.stream().map(r -> r.name() + ": " + r.message()).collect(Collectors.joining("; "));
        return new Link(null, Conditions.FALSE, reason, message);
      }
    }
    return new Link(null, Conditions.TRUE, ANNOTATED, rows.size() + " of " + rows.size() + " service accounts annotated");
  }

  private static ServiceAccountStatus row(ServiceAccountRow r) {
    ServiceAccountStatus s = new ServiceAccountStatus();
    s.setName(r.name());
    if (r.outcome() != null) {
      s.setAnnotated(r.outcome() == Outcome.ANNOTATED);
      if (r.outcome() != Outcome.ANNOTATED) {
        s.setMessage(r.message());
      }
    }
    return s;
  }

  private record Link(String type, String status, String reason, String message) {
    Link named(String name) {
      return new Link(name, status, reason, message);
    }
  }
}
