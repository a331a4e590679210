package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.dataset.S3Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Confines a Dataset's or ModelArtifact's path to what its integration declares: the integration's
 * bucket and, when {@code spec.prefixes} is set, one of those key prefixes.
 *
 * <p>Why: the integration's identity may read more than its bucket (another workload's role, an
 * access key with wide grants). Without this check anyone who may create a Dataset in the
 * namespace could make the operator read any object that identity can read and publish its first
 * line as "columns" in a status that {@code view} can read: a confused deputy. The check is pure
 * code, made before any credential is fetched, so a refused path costs no AWS call.
 */
public final class IntegrationScope {
  private IntegrationScope() {}

  /** Null when the path lies inside the integration's scope; else the Stalled failure saying what is allowed. */
  public static Failure.NeedsSpecChange check(AwsIntegration integration, S3Path path) {
    String bucket = integration.getSpec() == null ? null : integration.getSpec().getBucket();
    List<String> prefixes = integration.getSpec() == null || integration.getSpec().getPrefixes() == null
        ? List.of() : integration.getSpec().getPrefixes();
    String name = integration.getMetadata().getName();
    if (bucket == null || !bucket.equals(path.bucket())) {
      return new Failure.NeedsSpecChange(Failure.PATH_OUTSIDE_INTEGRATION,
          "spec.path: bucket '" + path.bucket() + "' is not the bucket of AwsIntegration '" + name + "'; the path must lie in "
              + allowed(bucket, prefixes));
    }
    if (!prefixes.isEmpty() && prefixes.stream().noneMatch(p -> p != null && path.key().startsWith(p))) {
      return new Failure.NeedsSpecChange(Failure.PATH_OUTSIDE_INTEGRATION,
          "spec.path: the key is under none of the prefixes of AwsIntegration '" + name + "'; the path must lie in "
              + allowed(bucket, prefixes));
    }
    return null;
  }

  private static String allowed(String bucket, List<String> prefixes) {
    if (prefixes.isEmpty()) {
      return "s3://" + bucket + "/";
    }
    return prefixes.stream().limit(5).map(p -> "s3://" + bucket + "/" + p).collect(Collectors.joining(", "))
        + (prefixes.size() > 5 ? " (and " + (prefixes.size() - 5) + " more prefixes)" : "");
  }
}
