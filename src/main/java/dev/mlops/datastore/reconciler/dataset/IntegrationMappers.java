package dev.mlops.datastore.reconciler.dataset;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Relates an AwsIntegration to the Datasets of its namespace that reference it. */
public final class IntegrationMappers {
  static final String REFERENCE_INDEX = "integrationRef";

  private IntegrationMappers() {}

  public static void indexReferences(IndexerResourceCache<Dataset> datasets) {
    datasets.addIndexers(
        Map.of(
            REFERENCE_INDEX,
            ds ->
                ds.getSpec() == null || ds.getSpec().getIntegrationRef() == null
                    ? List.of()
                    : List.of(
                        ds.getMetadata().getNamespace()
                            + "/"
                            + ds.getSpec().getIntegrationRef().getName())));
  }

  public static SecondaryToPrimaryMapper<AwsIntegration> toDatasets(
      IndexerResourceCache<Dataset> datasets) {
    return ai -> {
      String key = ai.getMetadata().getNamespace() + "/" + ai.getMetadata().getName();
      Set<ResourceID> ids =
          datasets.byIndex(REFERENCE_INDEX, key).stream()
              .map(ResourceID::fromResource)
              .collect(Collectors.toSet());
      return ids;
    };
  }
}
