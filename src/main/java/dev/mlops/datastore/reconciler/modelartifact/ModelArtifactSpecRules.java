package dev.mlops.datastore.reconciler.modelartifact;

import dev.mlops.datastore.GoDuration;
import dev.mlops.datastore.api.v1alpha1.ModelArtifactSpec;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.dataset.S3Path;
import dev.mlops.datastore.model.ModelRules;
import dev.mlops.datastore.reconciler.Failure.NeedsSpecChange;
import dev.mlops.datastore.reconciler.ReferenceNames;

/**
 * A ModelArtifact spec that cannot work as written: no integration named, a path that is not an
 * {@code s3://} URL, a check interval that is not a duration, a Robust Intelligence model whose
 * path names only a bucket. Such a spec is {@code Stalled} at once, before any S3 call. Also
 * decides whose rules apply: {@code spec.platform}, else the integration's, else (Custom) the
 * path's shape.
 */
final class ModelArtifactSpecRules {
  private ModelArtifactSpecRules() {}

  /** The parsed path, or why the spec cannot be used. */
  record Checked(S3Path path, NeedsSpecChange problem) {}

  static Checked check(ModelArtifactSpec spec) {
    if (spec == null) {
      return bad(NeedsSpecChange.field("spec", "is missing"));
    }
    if (spec.getIntegrationRef() == null || spec.getIntegrationRef().getName() == null || spec.getIntegrationRef().getName().isEmpty()) {
      return bad(NeedsSpecChange.field("spec.integrationRef.name", "is required: the AwsIntegration in this namespace whose identity reads the model"));
    }
    var badRef = ReferenceNames.check("spec.integrationRef.name", spec.getIntegrationRef().getName());
    if (badRef.isPresent()) {
      return bad(badRef.get());
    }
    if (spec.getCheckInterval() != null) {
      try {
        GoDuration.parse(spec.getCheckInterval());
      } catch (IllegalArgumentException e) {
        return bad(NeedsSpecChange.field("spec.checkInterval", e.getMessage()));
      }
    }
    S3Path path;
    try {
      path = S3Path.parse(spec.getPath());
    } catch (IllegalArgumentException e) {
      return bad(NeedsSpecChange.field("spec.path", e.getMessage()));
    }
    if (spec.getPlatform() == Platform.RobustIntelligence && path.key().isEmpty()) {
      return bad(NeedsSpecChange.field("spec.path", "'" + path + "' names a bucket but no file; Robust Intelligence registers one Python file:"
          + " write s3://" + path.bucket() + "/PATH/TO/model.py"));
    }
    return new Checked(path, null);
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

  private static Checked bad(NeedsSpecChange problem) {
    return new Checked(null, problem);
  }
}
