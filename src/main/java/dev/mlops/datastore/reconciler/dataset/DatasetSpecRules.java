package dev.mlops.datastore.reconciler.dataset;

import dev.mlops.datastore.GoDuration;
import dev.mlops.datastore.api.v1alpha1.DataType;
import dev.mlops.datastore.api.v1alpha1.DatasetSpec;
import dev.mlops.datastore.dataset.S3Path;
import dev.mlops.datastore.reconciler.Failure.NeedsSpecChange;
import dev.mlops.datastore.reconciler.ReferenceNames;

/**
 * A Dataset spec that cannot work as written: no integration named, a path that is not an
 * {@code s3://} URL of an object (or of a table folder), a check interval that is not a duration.
 * Such a spec is {@code Stalled} at once, before any S3 call, and is not retried until it changes.
 */
final class DatasetSpecRules {
  private DatasetSpecRules() {}

  /** The parsed path, or why the spec cannot be used. */
  record Checked(S3Path path, NeedsSpecChange problem) {}

  static Checked check(DatasetSpec spec) {
    if (spec == null) {
      return bad(NeedsSpecChange.field("spec", "is missing"));
    }
    if (spec.getIntegrationRef() == null || spec.getIntegrationRef().getName() == null || spec.getIntegrationRef().getName().isEmpty()) {
      return bad(NeedsSpecChange.field("spec.integrationRef.name", "is required: the AwsIntegration in this namespace whose identity reads the dataset"));
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
    boolean delta = spec.getDataType() == DataType.DATA_TYPE_DELTA_TABLE;
    if (!delta && path.key().isEmpty()) {
      return bad(NeedsSpecChange.field("spec.path", "'" + path + "' names a bucket but no object; write s3://" + path.bucket()
          + "/KEY, or set dataType: DATA_TYPE_DELTA_TABLE for a table folder"));
    }
    if (!delta && path.key().endsWith("/")) {
      return bad(NeedsSpecChange.field("spec.path", "'" + shorten(path.toString()) + "' names a folder; name the object (a file), or set"
          + " dataType: DATA_TYPE_DELTA_TABLE for a Delta table folder"));
    }
    return new Checked(path, null);
  }

  private static Checked bad(NeedsSpecChange problem) {
    return new Checked(null, problem);
  }

  private static String shorten(String text) {
    return text.length() > 120 ? text.substring(0, 120) + "..." : text;
  }
}
