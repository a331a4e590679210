package dev.mlops.datastore.reconciler.dataset;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.DatasetStatus;
import dev.mlops.datastore.reconciler.StatusComparison;
import dev.mlops.datastore.reconciler.TransitionEvents;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;

/**
 * Follows the AwsIntegration a Dataset references (an informer with a mapper, not a timer) and
 * reports {@code IntegrationReady}. Datasets carry no finalizer: they own nothing outside
 * themselves.
 */
@ControllerConfiguration(name = DatasetReconciler.NAME)
public class DatasetReconciler implements Reconciler<Dataset> {
  public static final String NAME = "dataset";

  private final DatasetStatusFactory statusFactory;
  private final TransitionEvents events;
  private InformerEventSource<AwsIntegration, Dataset> integrations;

  public DatasetReconciler(DatasetStatusFactory statusFactory, TransitionEvents events) {
    this.statusFactory = statusFactory;
    this.events = events;
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
    AwsIntegration integration =
        integrations
            .get(
                new ResourceID(
                    ds.getSpec().getIntegrationRef().getName(), ds.getMetadata().getNamespace()))
            .orElse(null);
    DatasetStatus status = statusFactory.build(ds, integration);
    if (!StatusComparison.differs(ds.getStatus(), status)) {
      return UpdateControl.noUpdate();
    }
    List<Condition> before = ds.getStatus() == null ? List.of() : ds.getStatus().getConditions();
    events.emit(ds, before, status.getConditions());
    Dataset fresh = new Dataset();
    fresh.setMetadata(
        new ObjectMetaBuilder()
            .withName(ds.getMetadata().getName())
            .withNamespace(ds.getMetadata().getNamespace())
            .build());
    fresh.setStatus(status);
    PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(ds, fresh, context);
    return UpdateControl.noUpdate();
  }
}
