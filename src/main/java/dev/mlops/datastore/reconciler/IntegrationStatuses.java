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

  /**
   * Whether an integration the informer's cache does not hold exists on the API server: created
   * together with the Dataset (one {@code kubectl apply}), it can reach the Dataset's informer
   * before the integrations' one. Its informer event will bring the Dataset back, so "not found"
   * written now would be false (and a failure and a recovery Event besides). One GET, only for a
   * reference the cache misses.
   */
  public static boolean existsBeyondCache(io.fabric8.kubernetes.client.KubernetesClient client, String namespace, String name) {
    return client.resources(AwsIntegration.class).inNamespace(namespace).withName(name).get() != null;
  }

  /** The integration exists and is Ready for its current generation. */
  public static boolean ready(AwsIntegration ai) {
    return ai != null && current(ai) && Conditions.isTrue(ai.getStatus().getConditions(), Conditions.READY);
  }
}
