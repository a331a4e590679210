package dev.mlops.datastore.reconciler.dataset;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.DataType;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.DatasetStatus;
import dev.mlops.datastore.aws.IntegrationSessions;
import dev.mlops.datastore.dataset.DatasetInspector;
import dev.mlops.datastore.dataset.DeltaLogReader;
import dev.mlops.datastore.dataset.Inspection;
import dev.mlops.datastore.dataset.ObjectStore;
import dev.mlops.datastore.dataset.ObjectStoreException;
import dev.mlops.datastore.dataset.S3Path;
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
 * Checks a Dataset with its integration's proven identity: follows the AwsIntegration it
 * references (an informer with a mapper, not a timer), waits with no S3 call while it is not
 * Ready, then reads as few bytes as the format allows. When a check is due is decided from the
 * status alone ({@code lastCheckTime}, {@code observedGeneration}), so a restarted operator reads
 * nothing that is not due. At each {@code checkInterval} a HEAD (or, for a Delta table, its latest
 * version) tells whether anything changed; when nothing did, nothing is read again and only the
 * check time is written. Datasets never call IAM, and carry no finalizer.
 */
@ControllerConfiguration(
    name = DatasetReconciler.NAME,
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = CheckRequests.UpdateFilter.class))
public class DatasetReconciler implements Reconciler<Dataset> {
  public static final String NAME = "dataset";

  private static final Logger log = LoggerFactory.getLogger(DatasetReconciler.class);

  private final DatasetStatusFactory statusFactory;
  private final StatusWriter statusWriter;
  private final IntegrationCredentials credentials;
  private final Clock clock;
  private final CheckSchedule schedule;
  private final ErrorBackoff backoff;
  private final DatasetInspector inspector;
  private InformerEventSource<AwsIntegration, Dataset> integrations;

  public DatasetReconciler(DatasetStatusFactory statusFactory, TransitionEvents events, IntegrationCredentials credentials, Clock clock,
      CheckSchedule schedule, ErrorBackoff backoff, DatasetInspector inspector) {
    this.statusFactory = statusFactory;
    this.statusWriter = new StatusWriter(events);
    this.credentials = credentials;
    this.clock = clock;
    this.schedule = schedule;
    this.backoff = backoff;
    this.inspector = inspector;
  }

  @Override
  public List<EventSource<?, Dataset>> prepareEventSources(EventSourceContext<Dataset> context) {
    IntegrationMappers.indexReferences(context.getPrimaryCache());
    var config =
        InformerEventSourceConfiguration.from(AwsIntegration.class, Dataset.class)
            .withSecondaryToPrimaryMapper(IntegrationMappers.toDatasets(context.getPrimaryCache()))
            .withNamespacesInheritedFromController()
            .build();
    integrations = new InformerEventSource<>(config, context);
    return List.of(integrations);
  }

  @Override
  public UpdateControl<Dataset> reconcile(Dataset ds, Context<Dataset> context) {
    String[] doing = {"validating the spec"};
    CheckMetrics.Timing timing = null;
    try {
      DependentSpecRules.Checked spec = DatasetSpecRules.check(ds.getSpec());
      if (spec.problem() != null) {
        return fail(ds, spec.problem(), context);
      }
      String ns = ds.getMetadata().getNamespace();
      String ref = ds.getSpec().getIntegrationRef().getName();
      AwsIntegration integration = integrations.get(new ResourceID(ref, ns)).orElse(null);
      if (integration == null && IntegrationStatuses.existsBeyondCache(context.getClient(), ns, ref)) {
        // Created with this object and not in the cache yet: its informer event brings this back.
        return UpdateControl.noUpdate();
      }
      if (integration != null && !IntegrationStatuses.current(integration)) {
        // The integration is being checked (first, or for a new spec): its verdict comes with its
        // next status, an informer event that brings this Dataset back. Writing "not checked yet"
        // meanwhile doubled the writes of every new Dataset; it keeps what it last knew, or nothing.
        return UpdateControl.noUpdate();
      }
      if (!IntegrationStatuses.ready(integration)) {
        return write(ds, statusFactory.waiting(ds, integration), context);
      }
      // Before any credential or S3 call: the integration's identity may read more than its bucket.
      Failure.NeedsSpecChange outside = IntegrationScope.check(integration, spec.path());
      if (outside != null) {
        return fail(ds, outside, context);
      }
      Duration interval = schedule.interval(ds.getSpec().getCheckInterval(), "1h");
      Optional<Duration> notYet = notDue(ds, interval);
      if (notYet.isPresent()) {
        return UpdateControl.<Dataset>noUpdate().rescheduleAfter(notYet.get());
      }
      timing = CheckMetrics.of(context).start(ds);
      doing[0] = "getting the integration's credentials";
      Optional<IntegrationSessions.Session> session = credentials.forDatasets(integration);
      if (session.isEmpty()) {
        return write(ds, statusFactory.credentialsPending(ds), context).rescheduleAfter(Duration.ofSeconds(20));
      }
      S3Path path = spec.path();
      ObjectStore store = session.get().objectStore(path.bucket());
      boolean delta = ds.getSpec().getDataType() == DataType.DATA_TYPE_DELTA_TABLE;
      String key = path.key();

      doing[0] = "checking whether the dataset changed";
      // "Check now" reads the data again even when the ETag (or Delta version) says it is unchanged.
      boolean requested = CheckRequests.pending(ds, ds.getStatus() == null ? null : ds.getStatus().getLastHandledRequestedAt());
      if (!requested && unchanged(ds, store, key, delta)) {
        write(ds, statusFactory.rechecked(ds), context);
        return UpdateControl.<Dataset>noUpdate().rescheduleAfter(interval);
      }
      doing[0] = "inspecting the dataset";
      Inspection inspection = inspector.inspect(store, key, delta, ds.getSpec().getDataParams());
      CheckMetrics.of(context).inspected(ds, inspection.bytesRead());
      DatasetStatus inspected = statusFactory.inspected(ds, inspection);
      inspected.setLastHandledRequestedAt(
          CheckRequests.handled(ds, ds.getStatus() == null ? null : ds.getStatus().getLastHandledRequestedAt()));
      write(ds, inspected, context);
      return UpdateControl.<Dataset>noUpdate().rescheduleAfter(interval);
    } catch (RuntimeException e) {
      return fail(ds, Failure.classifyAndLog(e, doing[0], log), context);
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
  private Optional<Duration> notDue(Dataset ds, Duration interval) {
    DatasetStatus status = ds.getStatus();
    if (status == null
        || CheckRequests.pending(ds, status.getLastHandledRequestedAt())
        || !Conditions.isTrue(status.getConditions(), DatasetStatusFactory.INTEGRATION_READY)
        || Conditions.find(status.getConditions(), Conditions.RECONCILING).isPresent()
        || Conditions.find(status.getConditions(), Conditions.STALLED).isPresent()
        || Conditions.find(status.getConditions(), Conditions.READY)
            .map(c -> Failure.INTERNAL_ERROR.equals(c.getReason()) || DatasetStatusFactory.CREDENTIALS_PENDING.equals(c.getReason()))
            .orElse(true)) {
      return Optional.empty();
    }
    return schedule.dueIn(ds.getMetadata().getUid(), status.getObservedGeneration(), ds.getMetadata().getGeneration(),
        status.getLastCheckTime(), interval);
  }

  /**
   * Reached only when writing the failure itself failed: the status is patched once more, and
   * after JOSDK's own retries the operator keeps retrying at the capped backoff.
   */
  @Override
  public ErrorStatusUpdateControl<Dataset> updateErrorStatus(Dataset ds, Context<Dataset> context, Exception e) {
    Failure failure = Failure.classify(e, "writing the status");
    log.atWarn().addKeyValue("reason", failure.reason()).addKeyValue("error", failure.message()).log("status write failed; retrying");
    // Only the status, by name (see AwsIntegrationReconciler#updateErrorStatus).
    Dataset patch = new Dataset();
    patch.setMetadata(new ObjectMetaBuilder().withName(ds.getMetadata().getName()).withNamespace(ds.getMetadata().getNamespace()).build());
    patch.setStatus(statusFactory.failed(ds, failure));
    statusWriter.errorStatus(ds, ds.getStatus() == null ? null : ds.getStatus().getConditions(), patch.getStatus().getConditions(), context);
    var control = ErrorStatusUpdateControl.patchStatus(patch);
    if (context.getRetryInfo().map(r -> r.isLastAttempt()).orElse(false)) {
      control.rescheduleAfter(backoff.afterRetriesExhausted());
    }
    return control;
  }

  private UpdateControl<Dataset> fail(Dataset ds, Failure failure, Context<Dataset> context) {
    DatasetStatus status = statusFactory.failed(ds, failure);
    write(ds, status, context);
    if (failure instanceof Failure.NeedsSpecChange) {
      return UpdateControl.noUpdate();
    }
    return UpdateControl.<Dataset>noUpdate().rescheduleAfter(backoff.next(Conditions.failingSince(status.getConditions()), clock.instant()));
  }

  /**
   * A HEAD (or the Delta log's latest version) says whether the data changed since a status that
   * was computed for this generation and found the data readable.
   */
  private static boolean unchanged(Dataset ds, ObjectStore store, String key, boolean delta) {
    DatasetStatus status = ds.getStatus();
    if (status == null || !Objects.equals(status.getObservedGeneration(), ds.getMetadata().getGeneration())
        || !Conditions.isTrue(status.getConditions(), DatasetStatusFactory.READABLE)) {
      return false;
    }
    try {
      if (delta) {
        return status.getDelta() != null && Objects.equals(status.getDelta().getVersion(), DeltaLogReader.latestVersion(store, key));
      }
      return status.getEtag() != null && status.getEtag().equals(store.head(key).etag());
    } catch (ObjectStoreException e) {
      if (e.kind() == ObjectStoreException.Kind.TRANSIENT) {
        throw e;
      }
      return false;
    }
  }



  private UpdateControl<Dataset> write(Dataset ds, DatasetStatus status, Context<Dataset> context) {
    if (status.getLastHandledRequestedAt() == null && ds.getStatus() != null) {
      // A status that handled no request (waiting, pending credentials) keeps the last echo.
      status.setLastHandledRequestedAt(ds.getStatus().getLastHandledRequestedAt());
    }
    List<Condition> before = ds.getStatus() == null ? List.of() : ds.getStatus().getConditions();
    statusWriter.write(ds, ds.getStatus(), status, before, status.getConditions(), Dataset::new, Dataset::setStatus, context);
    return UpdateControl.noUpdate();
  }
}
