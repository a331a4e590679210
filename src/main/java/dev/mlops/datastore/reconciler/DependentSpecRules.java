package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.GoDuration;
import dev.mlops.datastore.api.v1alpha1.IntegrationRef;
import dev.mlops.datastore.dataset.S3Path;
import dev.mlops.datastore.reconciler.Failure.NeedsSpecChange;

/**
 * The rules every resource read with an integration's identity shares (Datasets, ModelArtifacts):
 * an integration named by a DNS-1123 name, a check interval that is a duration, an {@code s3://}
 * path. Each kind adds its own rules to the parsed path.
 */
public final class DependentSpecRules {
  private DependentSpecRules() {}

  /** The parsed path, or why the spec cannot be used. */
  public record Checked(S3Path path, NeedsSpecChange problem) {
    public static Checked bad(NeedsSpecChange problem) {
      return new Checked(null, problem);
    }
  }

  /**
   * @param reads what the integration's identity reads, for the message ("the dataset", "the model")
   */
  public static Checked check(IntegrationRef ref, String checkInterval, String path, String reads) {
    if (ref == null || ref.getName() == null || ref.getName().isEmpty()) {
      return Checked.bad(NeedsSpecChange.field("spec.integrationRef.name",
          "is required: the AwsIntegration in this namespace whose identity reads " + reads));
    }
    var badRef = ReferenceNames.check("spec.integrationRef.name", ref.getName());
    if (badRef.isPresent()) {
      return Checked.bad(badRef.get());
    }
    if (checkInterval != null) {
      try {
        GoDuration.parse(checkInterval);
      } catch (IllegalArgumentException e) {
        return Checked.bad(NeedsSpecChange.field("spec.checkInterval", e.getMessage()));
      }
    }
    try {
      return new Checked(S3Path.parse(path), null);
    } catch (IllegalArgumentException e) {
      return Checked.bad(NeedsSpecChange.field("spec.path", e.getMessage()));
    }
  }
}
