package dev.mlops.datastore.reconciler.modelartifact;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.ModelArtifact;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Relates an AwsIntegration to the ModelArtifacts of its namespace that reference it. */
public final class ModelArtifactMappers {
  static final String REFERENCE_INDEX = "integrationRef";

  private ModelArtifactMappers() {}

  public static void indexReferences(IndexerResourceCache<ModelArtifact> models) {
    models.addIndexers(Map.of(REFERENCE_INDEX, ma -> ma.getSpec() == null || ma.getSpec().getIntegrationRef() == null
        ? List.of()
        : List.of(ma.getMetadata().getNamespace() + "/" + ma.getSpec().getIntegrationRef().getName())));
  }

  public static SecondaryToPrimaryMapper<AwsIntegration> toModelArtifacts(IndexerResourceCache<ModelArtifact> models) {
    return ai -> models.byIndex(REFERENCE_INDEX, ai.getMetadata().getNamespace() + "/" + ai.getMetadata().getName()).stream()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }
}
