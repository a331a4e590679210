package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.HashSet;
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

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
