package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;

/**
 * How a Dataset or a ModelArtifact reads the AwsIntegration it depends on: a status computed for
 * an older generation says nothing about the current spec.
 */
public final class IntegrationStatuses {
  private IntegrationStatuses() {}

  /** The integration has a status for its current generation. */
  public static boolean current(AwsIntegration ai) {
    return ai.getStatus() != null
        && ai.getStatus().getObservedGeneration() != null
        && ai.getStatus().getObservedGeneration().equals(ai.getMetadata().getGeneration());
  }

  /** The integration exists and is Ready for its current generation. */
  public static boolean ready(AwsIntegration ai) {
    return ai != null && current(ai) && Conditions.isTrue(ai.getStatus().getConditions(), Conditions.READY);
  }
}
