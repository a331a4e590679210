package dev.mlops.datastore.reconciler.modelartifact;

import dev.mlops.datastore.api.v1alpha1.IntegrationRef;
import dev.mlops.datastore.api.v1alpha1.ModelArtifact;
import dev.mlops.datastore.api.v1alpha1.ModelArtifactSpec;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Valid ModelArtifacts, built in one place. */
final class ModelArtifacts {
  private ModelArtifacts() {}

  static ModelArtifact model(String name, String integration, String path, Platform platform) {
    IntegrationRef ref = new IntegrationRef();
    ref.setName(integration);
    ModelArtifactSpec spec = new ModelArtifactSpec();
    spec.setIntegrationRef(ref);
    spec.setPath(path);
    spec.setPlatform(platform);
    ModelArtifact ma = new ModelArtifact();
    ma.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(Resources.NAMESPACE).withGeneration(1L).withUid("uid-" + name).build());
    ma.setSpec(spec);
    return ma;
  }
}
