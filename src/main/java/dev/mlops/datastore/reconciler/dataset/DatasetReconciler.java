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
import dev.mlops.datastore.dataset.InspectionLimits;
import dev.mlops.datastore.dataset.ObjectStore;
import dev.mlops.datastore.dataset.ObjectStoreException;
import dev.mlops.datastore.dataset.S3ObjectStore;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.reconciler.StatusComparison;
import dev.mlops.datastore.reconciler.StatusWriter;
import dev.mlops.datastore.reconciler.TransitionEvents;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a Dataset with its integration's proven identity: follows the AwsIntegration it
 * references (an informer with a mapper, not a timer), waits with no S3 call while it is not
 * Ready, then reads as few bytes as the format allows. At each {@code checkInterval} a HEAD (or,
 * for a Delta table, its latest version) tells whether anything changed; when nothing did, nothing
 * is read again and nothing is written. Datasets never call STS or IAM, and carry no finalizer.
 */
@ControllerConfiguration(name = DatasetReconciler.NAME)
public class DatasetReconciler implements Reconciler<Dataset> {
  public static final String NAME = "dataset";

  /** When a dataset was last checked, and for which generation. */
  private record Checked(long generation, Instant at) {}

  private final DatasetStatusFactory statusFactory;
  private final StatusWriter statusWriter;
  private final IntegrationSessions sessions;
  private final Clock clock;
  private final Duration minCheckInterval;
  private final Map<String, Checked> checked = new ConcurrentHashMap<>();
  private final DatasetInspector inspector = new DatasetInspector(InspectionLimits.forThisJvm());
  private InformerEventSource<AwsIntegration, Dataset> integrations;

  public DatasetReconciler(DatasetStatusFactory statusFactory, TransitionEvents events, IntegrationSessions sessions, Clock clock,
      Duration minCheckInterval) {
    this.statusFactory = statusFactory;
    this.statusWriter = new StatusWriter(events);
    this.sessions = sessions;
    this.clock = clock;
    this.minCheckInterval = minCheckInterval;
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
    String ns = ds.getMetadata().getNamespace();
    String ref = ds.getSpec().getIntegrationRef().getName();
    AwsIntegration integration = integrations.get(new ResourceID(ref, ns)).orElse(null);
    if (!integrationReady(integration)) {
      checked.remove(ds.getMetadata().getUid());
      return write(ds, statusFactory.waiting(ds, integration), context);
    }
    Optional<IntegrationSessions.Session> session = sessions.get(IntegrationSessions.key(ns, ref), clock.instant());
    if (session.isEmpty()) {
      return write(ds, statusFactory.credentialsPending(ds), context).rescheduleAfter(Duration.ofSeconds(20));
    }
    Duration interval = interval(ds);
    Checked last = checked.get(ds.getMetadata().getUid());
    boolean sameGeneration = last != null && last.generation() == ds.getMetadata().getGeneration();
    boolean readyBefore = ds.getStatus() != null && Conditions.find(ds.getStatus().getConditions(), DatasetStatusFactory.INTEGRATION_READY)
        .map(c -> c.getStatus().equals(Conditions.TRUE)).orElse(false);
    if (sameGeneration && readyBefore && last.at().plus(interval).isAfter(clock.instant())) {
      return UpdateControl.<Dataset>noUpdate().rescheduleAfter(Duration.between(clock.instant(), last.at().plus(interval)));
    }
    String path = ds.getSpec().getPath();
    String rest = path.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    String owner = bucket.equals(session.get().bucket()) ? session.get().bucketOwner() : null;
    ObjectStore store = new S3ObjectStore(session.get().s3(), bucket, owner);
    boolean delta = ds.getSpec().getDataType() == DataType.DATA_TYPE_DELTA_TABLE;

    if (sameGeneration && readyBefore && unchanged(ds, store, key, delta)) {
      checked.put(ds.getMetadata().getUid(), new Checked(ds.getMetadata().getGeneration(), clock.instant()));
      return UpdateControl.<Dataset>noUpdate().rescheduleAfter(interval);
    }
    Inspection inspection = inspector.inspect(store, key, delta, ds.getSpec().getDataParams());
    checked.put(ds.getMetadata().getUid(), new Checked(ds.getMetadata().getGeneration(), clock.instant()));
    DatasetStatus status = statusFactory.inspected(ds, inspection);
    if (ds.getStatus() != null && !StatusComparison.differs(withoutCheckTime(ds.getStatus()), withoutCheckTime(status))) {
      return UpdateControl.<Dataset>noUpdate().rescheduleAfter(interval);
    }
    return write(ds, status, context).rescheduleAfter(interval);
  }

  /** A HEAD (or the Delta log's latest version) says whether the data changed since the status. */
  private static boolean unchanged(Dataset ds, ObjectStore store, String key, boolean delta) {
    DatasetStatus status = ds.getStatus();
    if (status == null || !Conditions.isTrue(status.getConditions(), DatasetStatusFactory.READABLE)) {
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

  private static DatasetStatus withoutCheckTime(DatasetStatus s) {
    DatasetStatus copy = io.fabric8.kubernetes.client.utils.Serialization.clone(s);
    copy.setLastCheckTime(null);
    return copy;
  }

  private Duration interval(Dataset ds) {
    return StatusWriter.interval(ds.getSpec().getCheckInterval(), "1h", minCheckInterval);
  }

  private static boolean integrationReady(AwsIntegration ai) {
    // A status computed for an older generation says nothing about the current spec.
    return ai != null
        && ai.getStatus() != null
        && ai.getStatus().getObservedGeneration() != null
        && ai.getStatus().getObservedGeneration().equals(ai.getMetadata().getGeneration())
        && Conditions.isTrue(ai.getStatus().getConditions(), Conditions.READY);
  }

  private UpdateControl<Dataset> write(Dataset ds, DatasetStatus status, Context<Dataset> context) {
    List<Condition> before = ds.getStatus() == null ? List.of() : ds.getStatus().getConditions();
    statusWriter.write(ds, ds.getStatus(), status, before, status.getConditions(), Dataset::new, Dataset::setStatus, context);
    return UpdateControl.noUpdate();
  }
}
