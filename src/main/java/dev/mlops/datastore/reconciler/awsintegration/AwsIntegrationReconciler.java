package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.AccessKeyAuth;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationStatus;
import dev.mlops.datastore.api.v1alpha1.IrsaAuth;
import dev.mlops.datastore.api.v1alpha1.PodIdentityAuth;
import dev.mlops.datastore.api.v1alpha1.ServiceAccountStatus;
import dev.mlops.datastore.api.v1alpha1.WorkloadRestart;
import dev.mlops.datastore.reconciler.CheckMetrics;
import dev.mlops.datastore.reconciler.CheckRequests;
import dev.mlops.datastore.reconciler.CheckSchedule;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.reconciler.ErrorBackoff;
import dev.mlops.datastore.reconciler.Failure;
import dev.mlops.datastore.reconciler.StatusWriter;
import dev.mlops.datastore.reconciler.TransitionEvents;
import dev.mlops.datastore.reconciler.awsintegration.AnnotationPlanner.Plan;
import dev.mlops.datastore.reconciler.policy.PolicyDecision;
import dev.mlops.datastore.reconciler.policy.PolicyGate;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the service accounts of an AwsIntegration annotated for IRSA and reports, link by link,
 * whether the integration holds. Service accounts are watched through an informer, so one created
 * after its integration is annotated at once; the finalizer takes back exactly what was written.
 */
@ControllerConfiguration(
    name = AwsIntegrationReconciler.NAME,
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = CheckRequests.UpdateFilter.class))
public class AwsIntegrationReconciler implements Reconciler<AwsIntegration>, Cleaner<AwsIntegration> {
  public static final String NAME = "awsintegration";
  private static final Logger log = LoggerFactory.getLogger(AwsIntegrationReconciler.class);
  /** TrustPolicyValid reasons that are looked at again within a minute. */
  private static final Set<String> RECHECK_SOON = Set.of("RoleNotFound");

  private final ServiceAccountPatcher patcher;
  private final AwsIntegrationStatusFactory statusFactory;
  private final StatusWriter statusWriter;
  private final ErrorBackoff backoff;
  private final TrustChecker trust;
  private final LiveChecker live;
  private final CheckSchedule schedule;
  private final BiFunction<String, String, Secret> secrets;
  private final Clock clock;
  private final WorkloadRestarter restarter;
  private final PolicyGate policies;
  private final PodIdentityChecker podIdentity;
  private InformerEventSource<ServiceAccount, AwsIntegration> serviceAccounts;
  private PodInformer pods;
  private io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache<AwsIntegration> integrations;

  public AwsIntegrationReconciler(
      ServiceAccountPatcher patcher,
      AwsIntegrationStatusFactory statusFactory,
      TransitionEvents events,
      ErrorBackoff backoff,
      TrustChecker trust,
      LiveChecker live,
      CheckSchedule schedule,
      BiFunction<String, String, Secret> secrets,
      Clock clock,
      PolicyGate policies,
      PodIdentityChecker podIdentity) {
    this.podIdentity = podIdentity;
    this.live = live;
    this.policies = policies;
    this.patcher = patcher;
    this.statusFactory = statusFactory;
    this.statusWriter = new StatusWriter(events);
    this.backoff = backoff;
    this.trust = trust;
    this.schedule = schedule;
    this.secrets = secrets;
    this.clock = clock;
    this.restarter = new WorkloadRestarter(clock);
  }

  @Override
  public List<EventSource<?, AwsIntegration>> prepareEventSources(
      EventSourceContext<AwsIntegration> context) {
    ServiceAccountMappers.indexClaims(context.getPrimaryCache());
    var config =
        InformerEventSourceConfiguration.from(ServiceAccount.class, AwsIntegration.class)
            .withSecondaryToPrimaryMapper(
                ServiceAccountMappers.toIntegrations(context.getPrimaryCache()))
            .withNamespacesInheritedFromController()
            .build();
    serviceAccounts = new InformerEventSource<>(config, context);
    // Pods only wake the integrations that manage their service account, and only when what
    // decides staleness changes (not on every readiness flip).
    var podConfig =
        InformerEventSourceConfiguration.from(Pod.class, AwsIntegration.class)
            .withName("pods")
            .withSecondaryToPrimaryMapper(ServiceAccountMappers.podsToIntegrations(context.getPrimaryCache()))
            .withOnUpdateFilter((updated, old) -> StalePodFinder.running(updated) != StalePodFinder.running(old)
                || !Objects.equals(updated.getSpec(), old.getSpec())
                || !Objects.equals(updated.getMetadata().getOwnerReferences(), old.getMetadata().getOwnerReferences()));
    pods = PodInformer.create(podConfig, context);
    integrations = context.getPrimaryCache();
    ServiceAccountMappers.indexPods(pods);
    List<EventSource<?, AwsIntegration>> sources = new ArrayList<>(List.of(serviceAccounts, pods));
    sources.addAll(policies.eventSources(context));
    return sources;
  }

  @Override
  public UpdateControl<AwsIntegration> reconcile(AwsIntegration ai, Context<AwsIntegration> context) {
    String[] doing = {"validating the spec"};
    CheckMetrics.Timing timing = null;
    try {
      Optional<Failure.NeedsSpecChange> invalid = AwsIntegrationSpecRules.check(ai.getSpec());
      if (invalid.isPresent()) {
        // Nothing is annotated and nothing is asked of AWS until the spec changes.
        return fail(ai, invalid.get(), context);
      }
      doing[0] = "applying the AwsIntegrationPolicies";
      PolicyDecision permitted = policies.decide(ai);
      if (!permitted.admitted()) {
        return refuse(ai, permitted, context);
      }
      if (Boolean.TRUE.equals(ai.getSpec().getSuspend())) {
        return write(ai, statusFactory.suspended(ai), context);
      }
      Duration interval = schedule.interval(ai.getSpec().getCheckInterval(), "10m");
      IrsaAuth irsa = ai.getSpec().getAuth().getIrsa();
      PodIdentityAuth podAuth = ai.getSpec().getAuth().getPodIdentity();
      if (podAuth != null && podIdentity.invalid(podAuth).isPresent()) {
        return fail(ai, podIdentity.invalid(podAuth).get(), context);
      }
      List<String> wanted = irsa == null ? List.of() : PlatformPresets.serviceAccounts(ai.getSpec());
      doing[0] = "annotating service accounts";
      List<ServiceAccountRow> rows = annotate(ai, irsa, wanted);
      releaseAllBut(ai, new HashSet<>(wanted));
      String ns = ai.getMetadata().getNamespace();
      Function<String, ServiceAccount> lookup = name -> serviceAccounts.get(new ResourceID(name, ns)).orElse(null);
      doing[0] = "reading the access key's Secret";
      String inputs = checkedInputs(ai, PlatformPresets.serviceAccounts(ai.getSpec()), lookup);
      doing[0] = "looking at the service accounts' pods";
      if (irsa != null) {
        pods.follow(integrations.list()
            .filter(i -> i.getSpec() != null && i.getSpec().getAuth() != null && i.getSpec().getAuth().getIrsa() != null)
            .map(i -> i.getMetadata().getNamespace())
            .collect(java.util.stream.Collectors.toSet()));
      }
      StalePodFinder.Report podReport = irsa == null
          ? new StalePodFinder.Report(List.of())
          : StalePodFinder.find(annotated(rows), irsa.getRoleArn(), name -> ServiceAccountMappers.podsOf(pods, ns, name));
      Optional<Duration> notYet = notDue(ai, interval, inputs, rows);
      if (notYet.isPresent()) {
        // Checked recently, for this spec and these inputs (perhaps by another process): nothing
        // is read from AWS before it is due. Pods are Kubernetes' news, not AWS's: what they say
        // is written at once, when it changed.
        if (irsa != null) {
          doing[0] = "restarting workloads with stale pods";
          List<WorkloadRestart> restarts = restarter.restart(context.getClient(), ai, irsa.getRoleArn(), podReport,
              ai.getStatus().getRestartedWorkloads(), false);
          AwsIntegrationStatus current = io.fabric8.kubernetes.client.utils.Serialization.clone(ai.getStatus());
          write(ai, statusFactory.withPods(ai, current, podReport, restarts), context);
        }
        return UpdateControl.<AwsIntegration>noUpdate().rescheduleAfter(notYet.get());
      }
      // "Check now": what IAM said recently is not trusted for a check the user asked for.
      boolean requested = CheckRequests.pending(ai, ai.getStatus() == null ? null : ai.getStatus().getLastHandledRequestedAt());
      timing = CheckMetrics.of(context).start(ai);
      doing[0] = "deleting the Pod Identity associations it no longer manages";
      podIdentity.releaseAfterOptOut(ai);
      PodIdentityChecker.Outcome associations = null;
      TrustChecker.Outcome trusted;
      LiveChecker.Outcome proven;
      if (podAuth != null) {
        // EKS Pod Identity: associations instead of annotations, EKS Auth instead of STS.
        List<String> subjects = PlatformPresets.serviceAccounts(ai.getSpec());
        doing[0] = "checking the Pod Identity associations";
        associations = podIdentity.check(ai, subjects, lookup);
        doing[0] = "checking the trust policy";
        Set<String> sessionTagRoles = new HashSet<>();
        trusted = trust.checkPodIdentity(ai, subjects, associations, interval, requested, sessionTagRoles);
        associations = PodIdentityChecker.withSessionTags(associations, sessionTagRoles);
        doing[0] = "proving the credentials live";
        proven = live.check(ai, subjects, lookup, associations.clusterName(), podIdentity.region());
      } else {
        doing[0] = "checking the trust policy";
        trusted = irsa == null ? null : trust.check(ai, wanted, interval, requested);
        doing[0] = "proving the credentials live";
        proven = live.check(ai, wanted, lookup);
      }
      AwsIntegrationStatus status = statusFactory.build(ai, rows, irsa != null, associations, trusted, proven);
      status.setCheckedInputs(inputs);
      if (irsa != null) {
        doing[0] = "restarting workloads with stale pods";
        List<WorkloadRestart> restarts = restarter.restart(context.getClient(), ai, irsa.getRoleArn(), podReport,
            ai.getStatus() == null ? null : ai.getStatus().getRestartedWorkloads(), requested);
        statusFactory.withPods(ai, status, podReport, restarts);
      }
      status.setLastHandledRequestedAt(
          CheckRequests.handled(ai, ai.getStatus() == null ? null : ai.getStatus().getLastHandledRequestedAt()));
      write(ai, status, context);
      Optional<Duration> next = schedule.dueIn(ai.getMetadata().getUid(), status.getObservedGeneration(),
          ai.getMetadata().getGeneration(), status.getLastCheckTime(), effectiveInterval(status, interval));
      return UpdateControl.<AwsIntegration>noUpdate().rescheduleAfter(next.orElse(Duration.ofSeconds(1)));
    } catch (RuntimeException e) {
      return fail(ai, Failure.classifyAndLog(e, doing[0], log), context);
    } finally {
      if (timing != null) {
        timing.stop();
      }
    }
  }

  /**
   * Empty when a check is due; otherwise how long until it is. A check is due when the status is
   * for another generation or older than the interval, when an input changed (the Secret, which
   * service accounts exist), when the annotation rows no longer read as the status says, when the
   * user asked for a check ({@link CheckRequests}), or while the last attempt failed.
   */
  private Optional<Duration> notDue(AwsIntegration ai, Duration interval, String inputs, List<ServiceAccountRow> rows) {
    AwsIntegrationStatus status = ai.getStatus();
    if (status == null || !inputs.equals(status.getCheckedInputs())
        || CheckRequests.pending(ai, status.getLastHandledRequestedAt())
        || Conditions.find(status.getConditions(), Conditions.RECONCILING).isPresent()
        || Conditions.find(status.getConditions(), Conditions.READY)
            .map(c -> Failure.INTERNAL_ERROR.equals(c.getReason()) || AwsIntegrationStatusFactory.SUSPENDED.equals(c.getReason()))
            .orElse(true)
        || !sameRows(status.getServiceAccounts(), rows)) {
      return Optional.empty();
    }
    return schedule.dueIn(ai.getMetadata().getUid(), status.getObservedGeneration(), ai.getMetadata().getGeneration(),
        status.getLastCheckTime(), effectiveInterval(status, interval));
  }

  /** A role that does not exist yet is looked for again within a minute: IAM is eventually consistent. */
  private static Duration effectiveInterval(AwsIntegrationStatus status, Duration interval) {
    boolean soon = Conditions.find(status.getConditions(), TrustChecker.TRUST_POLICY_VALID)
        .map(c -> RECHECK_SOON.contains(c.getReason()))
        .orElse(false);
    return soon && interval.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : interval;
  }

  private static List<String> annotated(List<ServiceAccountRow> rows) {
    return rows.stream().filter(r -> r.outcome() == AnnotationPlanner.Outcome.ANNOTATED).map(ServiceAccountRow::name).toList();
  }

  private static boolean sameRows(List<ServiceAccountStatus> shown, List<ServiceAccountRow> rows) {
    List<ServiceAccountStatus> before = shown == null ? List.of() : shown;
    if (before.size() != rows.size()) {
      return false;
    }
    for (int i = 0; i < rows.size(); i++) {
      ServiceAccountRow row = rows.get(i);
      ServiceAccountStatus old = before.get(i);
      Boolean annotated = row.outcome() == null ? null : row.outcome() == AnnotationPlanner.Outcome.ANNOTATED;
      if (!row.name().equals(old.getName()) || !Objects.equals(annotated, old.getAnnotated())) {
        return false;
      }
    }
    return true;
  }

  /**
   * What a check depends on besides the spec, as a digest (it names nothing a namespace user
   * could not see otherwise): the Secret's UID and version, and the UID of each service account.
   */
  private String checkedInputs(AwsIntegration ai, List<String> names, Function<String, ServiceAccount> lookup) {
    StringBuilder sb = new StringBuilder();
    AccessKeyAuth accessKey = ai.getSpec().getAuth().getAccessKey();
    if (accessKey != null) {
      Secret secret = secrets.apply(ai.getMetadata().getNamespace(), accessKey.getSecretRef().getName());
      sb.append("secret:").append(secret == null ? "-" : secret.getMetadata().getUid() + "@" + secret.getMetadata().getResourceVersion());
    }
    for (String name : names) {
      ServiceAccount sa = lookup.apply(name);
      sb.append('|').append(name).append(':').append(sa == null ? "-" : sa.getMetadata().getUid());
      if (sa != null && ai.getSpec().getAuth().getPodIdentity() != null && sa.getMetadata().getAnnotations() != null
          && sa.getMetadata().getAnnotations().containsKey(IrsaAnnotations.ROLE_ARN)) {
        sb.append(":irsa"); // Pod Identity: an IRSA annotation added or removed changes which role the pods get
      }
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public DeleteControl cleanup(AwsIntegration ai, Context<AwsIntegration> context) {
    releaseAllBut(ai, Set.of());
    try {
      podIdentity.release(ai, Set.of());
    } catch (dev.mlops.datastore.aws.AwsCallException e) {
      if (e.kind() == dev.mlops.datastore.aws.AwsCallException.Kind.TRANSIENT) {
        throw e; // retried: the associations it created go with it
      }
      // Denied or rejected: the deletion is not held hostage; what is left is named in the log.
      log.atWarn().addKeyValue("error", e.getMessage()).log("could not delete the Pod Identity associations this integration created");
    }
    trust.forget(ai);
    live.forget(ai);
    return DeleteControl.defaultDelete();
  }

  /**
   * Reached only when writing the failure itself failed (the reconcile handles every failure it
   * can classify): the status is patched once more, and after JOSDK's own retries the operator
   * keeps retrying at the capped backoff.
   */
  @Override
  public ErrorStatusUpdateControl<AwsIntegration> updateErrorStatus(
      AwsIntegration ai, Context<AwsIntegration> context, Exception e) {
    Failure failure = Failure.classify(e, "writing the status");
    log.atWarn().addKeyValue("reason", failure.reason()).addKeyValue("error", failure.message()).log("status write failed; retrying");
    AwsIntegrationStatus status = statusFactory.failed(ai, failure);
    statusWriter.errorStatus(ai, previousConditions(ai), status.getConditions(), context);
    // Only the status, by name: JOSDK applies what it is given to /status, and the resource as read
    // would carry its spec, labels and a resourceVersion that a concurrent edit has made stale.
    AwsIntegration patch = new AwsIntegration();
    patch.setMetadata(new ObjectMetaBuilder()
        .withName(ai.getMetadata().getName())
        .withNamespace(ai.getMetadata().getNamespace())
        .build());
    patch.setStatus(status);
    var control = ErrorStatusUpdateControl.patchStatus(patch);
    boolean lastAttempt = context.getRetryInfo().map(r -> r.isLastAttempt()).orElse(false);
    if (lastAttempt) {
      control.rescheduleAfter(backoff.afterRetriesExhausted());
    }
    return control;
  }

  private UpdateControl<AwsIntegration> fail(AwsIntegration ai, Failure failure, Context<AwsIntegration> context) {
    AwsIntegrationStatus status = statusFactory.failed(ai, failure);
    write(ai, status, context);
    if (failure instanceof Failure.NeedsSpecChange) {
      return UpdateControl.noUpdate(); // a new generation wakes the reconciler; nothing else can help
    }
    return UpdateControl.<AwsIntegration>noUpdate()
        .rescheduleAfter(backoff.next(Conditions.failingSince(status.getConditions()), clock.instant()));
  }

  /**
   * An integration no AwsIntegrationPolicy admits: before any AWS call, Secret read or annotation
   * write, what it annotated is taken back and its session dropped. A policy or namespace change
   * wakes it again ({@link PolicyGate#eventSources}).
   */
  private UpdateControl<AwsIntegration> refuse(AwsIntegration ai, PolicyDecision decision, Context<AwsIntegration> context) {
    boolean already = ai.getStatus() != null && Conditions.find(ai.getStatus().getConditions(), Conditions.STALLED)
        .map(c -> PolicyGate.NOT_PERMITTED.equals(c.getReason())).orElse(false);
    (already ? log.atDebug() : log.atInfo()).addKeyValue("reason", decision.message()).log("integration not permitted by policy");
    releaseAllBut(ai, Set.of());
    trust.forget(ai);
    live.forget(ai);
    return write(ai, PolicyGate.refusedStatus(ai, decision, clock), context);
  }

  private List<ServiceAccountRow> annotate(AwsIntegration ai, IrsaAuth irsa, List<String> wanted) {
    List<ServiceAccountRow> rows = new ArrayList<>();
    if (irsa == null) {
      for (String name : PlatformPresets.serviceAccounts(ai.getSpec())) {
        rows.add(new ServiceAccountRow(name, null, null));
      }
      return rows;
    }
    String ns = ai.getMetadata().getNamespace();
    String me = ai.getMetadata().getName();
    Map<String, String> desired = IrsaAnnotations.desired(irsa);
    for (String name : wanted) {
      ServiceAccount sa = serviceAccounts.get(new ResourceID(name, ns)).orElse(null);
      Plan plan = AnnotationPlanner.claim(me, desired, sa);
      if (!plan.changes().isEmpty()) {
        apply(sa, plan.changes());
        log.atInfo()
            .addKeyValue("serviceAccount", name)
            .addKeyValue("changes", plan.changes().keySet())
            .log("annotated service account");
      }
      rows.add(new ServiceAccountRow(name, plan.outcome(), plan.message()));
    }
    return rows;
  }

  /** Hands back every service account this integration owns but no longer needs. */
  private void releaseAllBut(AwsIntegration ai, Set<String> keep) {
    String me = ai.getMetadata().getName();
    List<ServiceAccount> owned =
        serviceAccounts
            .list(ai.getMetadata().getNamespace(), sa -> AnnotationPlanner.ownedBy(me, sa))
            .filter(sa -> !keep.contains(sa.getMetadata().getName()))
            .toList();
    for (ServiceAccount sa : owned) {
      Map<String, String> changes = AnnotationPlanner.release(me, sa);
      if (!changes.isEmpty()) {
        apply(sa, changes);
        log.atInfo()
            .addKeyValue("serviceAccount", sa.getMetadata().getName())
            .log("released service account");
      }
    }
  }

  private void apply(ServiceAccount sa, Map<String, String> changes) {
    try {
      ServiceAccount updated = patcher.patch(sa, changes);
      serviceAccounts.handleRecentResourceUpdate(ResourceID.fromResource(updated), updated, sa);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return; // deleted meanwhile: the informer will tell us, and there is nothing to annotate
      }
      throw e;
    }
  }

  private UpdateControl<AwsIntegration> write(
      AwsIntegration ai, AwsIntegrationStatus status, Context<AwsIntegration> context) {
    statusWriter.write(ai, ai.getStatus(), status, previousConditions(ai), status.getConditions(),
        AwsIntegration::new, AwsIntegration::setStatus, context);
    return UpdateControl.noUpdate();
  }

  private static List<dev.mlops.datastore.api.v1alpha1.Condition> previousConditions(
      AwsIntegration ai) {
    return ai.getStatus() == null ? List.of() : ai.getStatus().getConditions();
  }
}
