package dev.mlops.datastore.reconciler.modelartifact;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.ModelArtifact;
import dev.mlops.datastore.api.v1alpha1.ModelArtifactStatus;
import dev.mlops.datastore.aws.IntegrationSessions;
import dev.mlops.datastore.dataset.ObjectStore;
import dev.mlops.datastore.dataset.ObjectStoreException;
import dev.mlops.datastore.dataset.S3Path;
import dev.mlops.datastore.model.ModelInspection;
import dev.mlops.datastore.model.ModelInspector;
import dev.mlops.datastore.model.ModelRules;
import dev.mlops.datastore.reconciler.CheckMetrics;
import dev.mlops.datastore.reconciler.CheckRequests;
import dev.mlops.datastore.reconciler.CheckSchedule;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.reconciler.ErrorBackoff;
import dev.mlops.datastore.reconciler.DependentSpecRules;
import dev.mlops.datastore.reconciler.Failure;
import dev.mlops.datastore.reconciler.IntegrationScope;
import dev.mlops.datastore.reconciler.IntegrationStatuses;
import dev.mlops.datastore.reconciler.StatusWriter;
import dev.mlops.datastore.reconciler.TransitionEvents;
import dev.mlops.datastore.reconciler.awsintegration.IntegrationCredentials;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a ModelArtifact with its integration's proven identity, as {@code DatasetReconciler}
 * checks a Dataset: follows the AwsIntegration it references (an informer with a mapper), waits
 * with no S3 call while it is not Ready, then reads the model by its platform's rules (see {@link
 * ModelInspector}) through the bucket-owner-pinned store of the integration's session. When a
 * check is due is decided from the status alone ({@code lastCheckTime}, {@code
 * observedGeneration}), so a restarted operator reads nothing that is not due. At each {@code
 * checkInterval} a Robust Intelligence model file is HEADed, and read again only when its ETag
 * changed; a DataRobot folder (one listing page and a few kilobytes) is inspected again. No IAM
 * call, no finalizer.
 */
@ControllerConfiguration(
    name = ModelArtifactReconciler.NAME,
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = CheckRequests.UpdateFilter.class))
public class ModelArtifactReconciler implements Reconciler<ModelArtifact> {
  public static final String NAME = "modelartifact";
  static final String DEFAULT_INTERVAL = "1h";

  private static final Logger log = LoggerFactory.getLogger(ModelArtifactReconciler.class);

  private final ModelArtifactStatusFactory statusFactory;
  private final StatusWriter statusWriter;
  private final IntegrationCredentials credentials;
  private final Clock clock;
  private final CheckSchedule schedule;
  private final ErrorBackoff backoff;
  private final ModelInspector inspector;
  private InformerEventSource<AwsIntegration, ModelArtifact> integrations;

  public ModelArtifactReconciler(ModelArtifactStatusFactory statusFactory, TransitionEvents events, IntegrationCredentials credentials,
      Clock clock, CheckSchedule schedule, ErrorBackoff backoff, ModelInspector inspector) {
    this.statusFactory = statusFactory;
    this.statusWriter = new StatusWriter(events);
    this.credentials = credentials;
    this.clock = clock;
    this.schedule = schedule;
    this.backoff = backoff;
    this.inspector = inspector;
  }

  @Override
  public List<EventSource<?, ModelArtifact>> prepareEventSources(EventSourceContext<ModelArtifact> context) {
    ModelArtifactMappers.indexReferences(context.getPrimaryCache());
    var config = InformerEventSourceConfiguration.from(AwsIntegration.class, ModelArtifact.class)
        .withName("modelartifact-integrations")
        .withSecondaryToPrimaryMapper(ModelArtifactMappers.toModelArtifacts(context.getPrimaryCache()))
        .withNamespacesInheritedFromController()
        .build();
    integrations = new InformerEventSource<>(config, context);
    return List.of(integrations);
  }

  @Override
  public UpdateControl<ModelArtifact> reconcile(ModelArtifact ma, Context<ModelArtifact> context) {
    String[] doing = {"validating the spec"};
    CheckMetrics.Timing timing = null;
    try {
      DependentSpecRules.Checked spec = ModelArtifactSpecRules.check(ma.getSpec());
      if (spec.problem() != null) {
        return fail(ma, spec.problem(), context);
      }
      String ns = ma.getMetadata().getNamespace();
      String ref = ma.getSpec().getIntegrationRef().getName();
      AwsIntegration integration = integrations.get(new ResourceID(ref, ns)).orElse(null);
      if (integration == null && IntegrationStatuses.existsBeyondCache(context.getClient(), ns, ref)) {
        // Created with this object and not in the cache yet: its informer event brings this back.
        return UpdateControl.noUpdate();
      }
      if (integration != null && !IntegrationStatuses.current(integration)) {
        // The integration is being checked (first, or for a new spec): its verdict comes with its
        // next status, an informer event that brings this model back; nothing is written meanwhile.
        return UpdateControl.noUpdate();
      }
      if (!IntegrationStatuses.ready(integration)) {
        return write(ma, statusFactory.waiting(ma, integration), context);
      }
      // Before any credential or S3 call: the integration's identity may read more than its bucket.
      Failure.NeedsSpecChange outside = IntegrationScope.check(integration, spec.path());
      if (outside != null) {
        return fail(ma, outside, context);
      }
      Duration interval = schedule.interval(ma.getSpec().getCheckInterval(), DEFAULT_INTERVAL);
      Optional<Duration> notYet = notDue(ma, interval);
      if (notYet.isPresent()) {
        return UpdateControl.<ModelArtifact>noUpdate().rescheduleAfter(notYet.get());
      }
      timing = CheckMetrics.of(context).start(ma);
      doing[0] = "getting the integration's credentials";
      Optional<IntegrationSessions.Session> session = credentials.forDatasets(integration);
      if (session.isEmpty()) {
        return write(ma, statusFactory.credentialsPending(ma), context).rescheduleAfter(Duration.ofSeconds(20));
      }
      S3Path path = spec.path();
      ModelRules rules = ModelArtifactSpecRules.rules(ma.getSpec().getPlatform(),
          integration.getSpec() == null ? null : integration.getSpec().getPlatform(), path);
      ObjectStore store = session.get().objectStore(path.bucket());

      doing[0] = "checking whether the model changed";
      // "Check now" reads the model again even when its ETag says it is unchanged.
      String lastHandled = ma.getStatus() == null ? null : ma.getStatus().getLastHandledRequestedAt();
      if (!CheckRequests.pending(ma, lastHandled) && unchanged(ma, store, path.key(), rules)) {
        write(ma, statusFactory.rechecked(ma), context);
        return UpdateControl.<ModelArtifact>noUpdate().rescheduleAfter(interval);
      }
      doing[0] = "inspecting the model";
      ModelInspection inspection = inspector.inspect(store, path.key(), rules);
      CheckMetrics.of(context).inspected(ma, inspection.bytesRead());
      ModelArtifactStatus inspected = statusFactory.inspected(ma, inspection);
      inspected.setLastHandledRequestedAt(CheckRequests.handled(ma, lastHandled));
      write(ma, inspected, context);
      return UpdateControl.<ModelArtifact>noUpdate().rescheduleAfter(interval);
    } catch (RuntimeException e) {
      return fail(ma, Failure.classifyAndLog(e, doing[0], log), context);
    } finally {
      if (timing != null) {
        timing.stop();
      }
    }
  }

  /**
   * Empty when a check is due: never checked for this generation, checked longer than the
   * interval ago, never checked with a Ready integration, asked for ({@link CheckRequests}), or the
   * last attempt failed.
   */
  private Optional<Duration> notDue(ModelArtifact ma, Duration interval) {
    ModelArtifactStatus status = ma.getStatus();
    if (status == null
        || CheckRequests.pending(ma, status.getLastHandledRequestedAt())
        || !Conditions.isTrue(status.getConditions(), ModelArtifactStatusFactory.INTEGRATION_READY)
        || Conditions.find(status.getConditions(), Conditions.RECONCILING).isPresent()
        || Conditions.find(status.getConditions(), Conditions.STALLED).isPresent()
        || Conditions.find(status.getConditions(), Conditions.READY)
            .map(c -> Failure.INTERNAL_ERROR.equals(c.getReason()) || ModelArtifactStatusFactory.CREDENTIALS_PENDING.equals(c.getReason()))
            .orElse(true)) {
      return Optional.empty();
    }
    return schedule.dueIn(ma.getMetadata().getUid(), status.getObservedGeneration(), ma.getMetadata().getGeneration(),
        status.getLastCheckTime(), interval);
  }

  /** Reached only when writing the failure itself failed (see DatasetReconciler#updateErrorStatus). */
  @Override
  public ErrorStatusUpdateControl<ModelArtifact> updateErrorStatus(ModelArtifact ma, Context<ModelArtifact> context, Exception e) {
    Failure failure = Failure.classify(e, "writing the status");
    log.atWarn().addKeyValue("reason", failure.reason()).addKeyValue("error", failure.message()).log("status write failed; retrying");
    ModelArtifact patch = new ModelArtifact();
    patch.setMetadata(new ObjectMetaBuilder().withName(ma.getMetadata().getName()).withNamespace(ma.getMetadata().getNamespace()).build());
    patch.setStatus(statusFactory.failed(ma, failure));
    statusWriter.errorStatus(ma, ma.getStatus() == null ? null : ma.getStatus().getConditions(), patch.getStatus().getConditions(), context);
    var control = ErrorStatusUpdateControl.patchStatus(patch);
    if (context.getRetryInfo().map(r -> r.isLastAttempt()).orElse(false)) {
      control.rescheduleAfter(backoff.afterRetriesExhausted());
    }
    return control;
  }

  private UpdateControl<ModelArtifact> fail(ModelArtifact ma, Failure failure, Context<ModelArtifact> context) {
    ModelArtifactStatus status = statusFactory.failed(ma, failure);
    write(ma, status, context);
    if (failure instanceof Failure.NeedsSpecChange) {
      return UpdateControl.noUpdate();
    }
    return UpdateControl.<ModelArtifact>noUpdate().rescheduleAfter(backoff.next(Conditions.failingSince(status.getConditions()), clock.instant()));
  }

  /**
   * A HEAD says whether a Robust Intelligence model file changed since a status that was computed
   * for this generation, by the same rules, and found it readable. A folder is always read again.
   */
  private static boolean unchanged(ModelArtifact ma, ObjectStore store, String key, ModelRules rules) {
    ModelArtifactStatus status = ma.getStatus();
    if (rules != ModelRules.ROBUST_INTELLIGENCE || key.isEmpty() || key.endsWith("/") || status == null
        || !Objects.equals(status.getObservedGeneration(), ma.getMetadata().getGeneration())
        || !rules.platform().equals(status.getPlatform())
        || !Conditions.isTrue(status.getConditions(), ModelArtifactStatusFactory.READABLE)
        || status.getEtag() == null) {
      return false;
    }
    try {
      return status.getEtag().equals(store.head(key).etag());
    } catch (ObjectStoreException e) {
      if (e.kind() == ObjectStoreException.Kind.TRANSIENT) {
        throw e;
      }
      return false;
    }
  }



  private UpdateControl<ModelArtifact> write(ModelArtifact ma, ModelArtifactStatus status, Context<ModelArtifact> context) {
    List<Condition> before = ma.getStatus() == null ? List.of() : ma.getStatus().getConditions();
    statusWriter.write(ma, ma.getStatus(), status, before, status.getConditions(), ModelArtifact::new, ModelArtifact::setStatus, context);
    return UpdateControl.noUpdate();
  }
}
