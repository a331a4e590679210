package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationStatus;
import dev.mlops.datastore.api.v1alpha1.IrsaAuth;
import dev.mlops.datastore.reconciler.ErrorBackoff;
import dev.mlops.datastore.reconciler.StatusWriter;
import dev.mlops.datastore.reconciler.TransitionEvents;
import dev.mlops.datastore.reconciler.awsintegration.AnnotationPlanner.Plan;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the service accounts of an AwsIntegration annotated for IRSA and reports, link by link,
 * whether the integration holds. Service accounts are watched through an informer, so one created
 * after its integration is annotated at once; the finalizer takes back exactly what was written.
 */
@ControllerConfiguration(name = AwsIntegrationReconciler.NAME)
public class AwsIntegrationReconciler implements Reconciler<AwsIntegration>, Cleaner<AwsIntegration> {
  public static final String NAME = "awsintegration";
  private static final Logger log = LoggerFactory.getLogger(AwsIntegrationReconciler.class);

  private final ServiceAccountPatcher patcher;
  private final AwsIntegrationStatusFactory statusFactory;
  private final TransitionEvents events;
  private final StatusWriter statusWriter;
  private final ErrorBackoff backoff;
  private final TrustChecker trust;
  private final LiveChecker live;
  private final Duration minCheckInterval;
  private InformerEventSource<ServiceAccount, AwsIntegration> serviceAccounts;

  public AwsIntegrationReconciler(
      ServiceAccountPatcher patcher,
      AwsIntegrationStatusFactory statusFactory,
      TransitionEvents events,
      ErrorBackoff backoff,
      TrustChecker trust,
      LiveChecker live,
      Duration minCheckInterval) {
    this.live = live;
    this.patcher = patcher;
    this.statusFactory = statusFactory;
    this.events = events;
    this.statusWriter = new StatusWriter(events);
    this.backoff = backoff;
    this.trust = trust;
    this.minCheckInterval = minCheckInterval;
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
    return List.of(serviceAccounts);
  }

  @Override
  public UpdateControl<AwsIntegration> reconcile(AwsIntegration ai, Context<AwsIntegration> context) {
    if (Boolean.TRUE.equals(ai.getSpec().getSuspend())) {
      return write(ai, statusFactory.suspended(ai), context);
    }
    IrsaAuth irsa = ai.getSpec().getAuth() == null ? null : ai.getSpec().getAuth().getIrsa();
    List<String> wanted = irsa == null ? List.of() : PlatformPresets.serviceAccounts(ai.getSpec());
    List<ServiceAccountRow> rows = annotate(ai, irsa, wanted);
    releaseAllBut(ai, new HashSet<>(wanted));
    Duration interval = checkInterval(ai);
    TrustChecker.Outcome trusted = irsa == null ? null : trust.check(ai, wanted, interval);
    String ns = ai.getMetadata().getNamespace();
    LiveChecker.Outcome proven =
        live.check(ai, wanted, name -> serviceAccounts.get(new ResourceID(name, ns)).orElse(null), interval);
    UpdateControl<AwsIntegration> control = write(ai, statusFactory.build(ai, rows, irsa != null, trusted, proven), context);
    boolean soon = trusted != null && trusted.recheckSoon();
    Duration next = soon ? min(interval, Duration.ofMinutes(1)) : interval;
    return control.rescheduleAfter(jitter(next));
  }

  private Duration checkInterval(AwsIntegration ai) {
    return StatusWriter.interval(ai.getSpec().getCheckInterval(), "10m", minCheckInterval);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Up to 10% earlier, so integrations created together do not check together forever. */
  private static Duration jitter(Duration d) {
    long millis = d.toMillis();
    return Duration.ofMillis(millis - ThreadLocalRandom.current().nextLong(millis / 10 + 1));
  }

  @Override
  public DeleteControl cleanup(AwsIntegration ai, Context<AwsIntegration> context) {
    releaseAllBut(ai, Set.of());
    trust.forget(ai);
    live.forget(ai);
    return DeleteControl.defaultDelete();
  }

  @Override
  public ErrorStatusUpdateControl<AwsIntegration> updateErrorStatus(
      AwsIntegration ai, Context<AwsIntegration> context, Exception e) {
    String message = ErrorBackoff.describe(e);
    log.atWarn().addKeyValue("error", message).log("reconcile failed; retrying");
    AwsIntegrationStatus status = statusFactory.retrying(ai, message);
    events.emit(ai, previousConditions(ai), status.getConditions());
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
      // JOSDK stops retrying here; keep going, slowly, until the error passes.
      control.rescheduleAfter(backoff.afterRetriesExhausted());
    }
    return control;
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
