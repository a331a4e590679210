package dev.mlops.datastore.reconciler.dataset;

import static dev.mlops.datastore.reconciler.Conditions.READY;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.DatasetStatus;
import dev.mlops.datastore.reconciler.Conditions;
import java.time.Clock;
import java.util.List;

/**
 * Builds a fresh Dataset status. In this version only the first link, the integration, is
 * checked: Readable, FormatValid and SchemaValid arrive with dataset inspection.
 */
public final class DatasetStatusFactory {
  public static final String INTEGRATION_READY = "IntegrationReady";

  public static final String INTEGRATION_NOT_FOUND = "IntegrationNotFound";
  public static final String INTEGRATION_NOT_READY = "IntegrationNotReady";
  public static final String INTEGRATION_READY_REASON = "IntegrationReady";
  public static final String NOT_INSPECTED = "NotInspected";

  private final Clock clock;

  public DatasetStatusFactory(Clock clock) {
    this.clock = clock;
  }

  public DatasetStatus build(Dataset ds, AwsIntegration integration) {
    List<Condition> previous = ds.getStatus() == null ? null : ds.getStatus().getConditions();
    Conditions conditions = Conditions.after(previous, ds.getMetadata().getGeneration(), clock);
    String ref = ds.getSpec().getIntegrationRef().getName();
    if (integration == null) {
      String message =
          "AwsIntegration "
              + ref
              + " does not exist in namespace "
              + ds.getMetadata().getNamespace()
              + "; the dataset is checked once it is created";
      conditions.set(INTEGRATION_READY, false, INTEGRATION_NOT_FOUND, message);
      conditions.set(READY, false, INTEGRATION_NOT_FOUND, message);
    } else if (!integrationReady(integration)) {
      String why =
          Conditions.find(conditionsOf(integration), READY)
              .map(c -> c.getReason() + ": " + c.getMessage())
              .orElse("it has not been checked yet");
      String message = "AwsIntegration " + ref + " is not Ready (" + why + ")";
      conditions.set(INTEGRATION_READY, false, INTEGRATION_NOT_READY, message);
      conditions.set(READY, false, INTEGRATION_NOT_READY, message);
    } else {
      conditions.set(
          INTEGRATION_READY, true, INTEGRATION_READY_REASON, "AwsIntegration " + ref + " is Ready");
      conditions.set(
          READY,
          Conditions.UNKNOWN,
          NOT_INSPECTED,
          "the integration is Ready; this operator version does not inspect dataset contents yet");
    }
    DatasetStatus status = new DatasetStatus();
    status.setObservedGeneration(ds.getMetadata().getGeneration());
    status.setConditions(conditions.build());
    return status;
  }

  private static boolean integrationReady(AwsIntegration ai) {
    // A status computed for an older generation says nothing about the current spec.
    return ai.getStatus() != null
        && ai.getStatus().getObservedGeneration() != null
        && ai.getStatus().getObservedGeneration().equals(ai.getMetadata().getGeneration())
        && Conditions.isTrue(ai.getStatus().getConditions(), READY);
  }

  private static List<Condition> conditionsOf(AwsIntegration ai) {
    return ai.getStatus() == null ? null : ai.getStatus().getConditions();
  }
}
