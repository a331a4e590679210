package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Relates service accounts to the AwsIntegrations that need them: by name, through an index on
 * the integrations' preset and listed names, and by the owner annotation, so that a service account
 * an integration no longer lists still wakes it up to be released.
 */
public final class ServiceAccountMappers {
  static final String CLAIM_INDEX = "serviceAccountClaims";

  private ServiceAccountMappers() {}

  /** Registers the index that {@link #toIntegrations} reads. */
  public static void indexClaims(IndexerResourceCache<AwsIntegration> integrations) {
    integrations.addIndexers(
        Map.of(
            CLAIM_INDEX,
            ai ->
                PlatformPresets.serviceAccounts(ai.getSpec()).stream()
                    .map(sa -> key(ai.getMetadata().getNamespace(), sa))
                    .toList()));
  }

  public static SecondaryToPrimaryMapper<ServiceAccount> toIntegrations(
      IndexerResourceCache<AwsIntegration> integrations) {
    return sa -> {
      String ns = sa.getMetadata().getNamespace();
      Set<ResourceID> ids = new HashSet<>();
      for (AwsIntegration ai : integrations.byIndex(CLAIM_INDEX, key(ns, sa.getMetadata().getName()))) {
        ids.add(ResourceID.fromResource(ai));
      }
      Map<String, String> annotations = sa.getMetadata().getAnnotations();
      if (annotations != null && annotations.get(IrsaAnnotations.OWNER) != null) {
        ids.add(new ResourceID(annotations.get(IrsaAnnotations.OWNER), ns));
      }
      return ids;
    };
  }

  /** The index of pods by their namespace and service account, for {@link #podsToIntegrations}'s reverse. */
  public static final String PODS_BY_SERVICE_ACCOUNT = "podsByServiceAccount";

  /** Registers the index the reconciler reads a service account's pods from. */
  public static void indexPods(IndexerResourceCache<Pod> pods) {
    pods.addIndexers(Map.of(PODS_BY_SERVICE_ACCOUNT, pod -> List.of(key(pod.getMetadata().getNamespace(), serviceAccountOf(pod)))));
  }

  /** The pods of one service account, from the informer's cache. */
  public static List<Pod> podsOf(IndexerResourceCache<Pod> pods, String namespace, String serviceAccount) {
    return pods.byIndex(PODS_BY_SERVICE_ACCOUNT, key(namespace, serviceAccount));
  }

  /**
   * A pod wakes the integrations that need its service account, and no other: a pod of a service
   * account no integration manages maps to nothing and costs no reconcile.
   */
  public static SecondaryToPrimaryMapper<Pod> podsToIntegrations(IndexerResourceCache<AwsIntegration> integrations) {
    return pod -> {
      Set<ResourceID> ids = new HashSet<>();
      for (AwsIntegration ai : integrations.byIndex(CLAIM_INDEX, key(pod.getMetadata().getNamespace(), serviceAccountOf(pod)))) {
        ids.add(ResourceID.fromResource(ai));
      }
      return ids;
    };
  }

  private static String serviceAccountOf(Pod pod) {
    String sa = pod.getSpec() == null ? null : pod.getSpec().getServiceAccountName();
    return sa == null || sa.isEmpty() ? "default" : sa;
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
