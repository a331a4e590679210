package dev.mlops.datastore.reconciler.modelartifact;

import dev.mlops.datastore.api.v1alpha1.ModelArtifactSpec;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.dataset.S3Path;
import dev.mlops.datastore.model.ModelRules;
import dev.mlops.datastore.reconciler.DependentSpecRules;
import dev.mlops.datastore.reconciler.DependentSpecRules.Checked;
import dev.mlops.datastore.reconciler.Failure.NeedsSpecChange;

/**
 * A ModelArtifact spec that cannot work as written: no integration named, a path that is not an
 * {@code s3://} URL, a check interval that is not a duration, a Robust Intelligence model whose
 * path names only a bucket. Such a spec is {@code Stalled} at once, before any S3 call. Also
 * decides whose rules apply: {@code spec.platform}, else the integration's, else (Custom) the
 * path's shape.
 */
final class ModelArtifactSpecRules {
  private ModelArtifactSpecRules() {}

  static Checked check(ModelArtifactSpec spec) {
    if (spec == null) {
      return Checked.bad(NeedsSpecChange.field("spec", "is missing"));
    }
    Checked common = DependentSpecRules.check(spec.getIntegrationRef(), spec.getCheckInterval(), spec.getPath(), "the model");
    if (common.problem() != null) {
      return common;
    }
    S3Path path = common.path();
    if (spec.getPlatform() == Platform.RobustIntelligence && path.key().isEmpty()) {
      return Checked.bad(NeedsSpecChange.field("spec.path", "'" + path + "' names a bucket but no file; Robust Intelligence registers one Python file:"
          + " write s3://" + path.bucket() + "/PATH/TO/model.py"));
    }
    return common;
  }

  /** Whose rules the model is checked by. */
  static ModelRules rules(Platform specPlatform, Platform integrationPlatform, S3Path path) {
    Platform p = specPlatform != null && specPlatform != Platform.Custom ? specPlatform : integrationPlatform;
    if (p == Platform.RobustIntelligence) {
      return ModelRules.ROBUST_INTELLIGENCE;
    }
    if (p == Platform.DataRobot) {
      return ModelRules.DATAROBOT;
    }
    return ModelRules.forPath(path.key());
  }

}
