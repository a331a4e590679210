package dev.mlops.datastore.reconciler.dataset;

import dev.mlops.datastore.api.v1alpha1.DataType;
import dev.mlops.datastore.api.v1alpha1.DatasetSpec;
import dev.mlops.datastore.dataset.S3Path;
import dev.mlops.datastore.reconciler.Failure.NeedsSpecChange;
import dev.mlops.datastore.reconciler.DependentSpecRules;
import dev.mlops.datastore.reconciler.DependentSpecRules.Checked;

/**
 * A Dataset spec that cannot work as written: no integration named, a path that is not an
 * {@code s3://} URL of an object (or of a table folder), a check interval that is not a duration.
 * Such a spec is {@code Stalled} at once, before any S3 call, and is not retried until it changes.
 */
final class DatasetSpecRules {
  private DatasetSpecRules() {}

  static Checked check(DatasetSpec spec) {
    if (spec == null) {
      return Checked.bad(NeedsSpecChange.field("spec", "is missing"));
    }
    Checked common = DependentSpecRules.check(spec.getIntegrationRef(), spec.getCheckInterval(), spec.getPath(), "the dataset");
    if (common.problem() != null) {
      return common;
    }
    S3Path path = common.path();
    boolean delta = spec.getDataType() == DataType.DATA_TYPE_DELTA_TABLE;
    if (!delta && path.key().isEmpty()) {
      return Checked.bad(NeedsSpecChange.field("spec.path", "'" + path + "' names a bucket but no object; write s3://" + path.bucket()
          + "/KEY, or set dataType: DATA_TYPE_DELTA_TABLE for a table folder"));
    }
    if (!delta && path.key().endsWith("/")) {
      return Checked.bad(NeedsSpecChange.field("spec.path", "'" + shorten(path.toString()) + "' names a folder; name the object (a file), or set"
          + " dataType: DATA_TYPE_DELTA_TABLE for a Delta table folder"));
    }
    return common;
  }

  private static String shorten(String text) {
    return text.length() > 120 ? text.substring(0, 120) + "..." : text;
  }
}
