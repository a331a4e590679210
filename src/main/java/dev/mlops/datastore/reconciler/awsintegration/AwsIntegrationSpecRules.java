package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.GoDuration;
import dev.mlops.datastore.api.v1alpha1.Auth;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationSpec;
import dev.mlops.datastore.dataset.S3Path;
import dev.mlops.datastore.reconciler.Failure.NeedsSpecChange;
import dev.mlops.datastore.reconciler.ReferenceNames;
import dev.mlops.datastore.trust.RoleArn;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules of the CRD schema, checked again in code: where admission did not run (an API server
 * without our CRD's validation, an object written before a rule existed) a spec that cannot work is
 * {@code Stalled} before any annotation is written or any AWS call is made, with a message naming the
 * field and the form it expects. Parsing uses the same value types as the rest of the operator.
 */
final class AwsIntegrationSpecRules {
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");
  private static final Pattern ACCOUNT = Pattern.compile("^[0-9]{12}$");
  private static final Pattern EKS_CLUSTER = Pattern.compile("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$");
  private static final Pattern REGION = Pattern.compile("^[a-z]{2}(-[a-z]+)+-[0-9]+$");

  private AwsIntegrationSpecRules() {}

  static Optional<NeedsSpecChange> check(AwsIntegrationSpec spec) {
    if (spec == null) {
      return Optional.of(NeedsSpecChange.field("spec", "is missing"));
    }
    if (spec.getBucket() == null || spec.getBucket().isEmpty()) {
      return Optional.of(NeedsSpecChange.field("spec.bucket", "is required, e.g. rime-blob-integration"));
    }
    try {
      S3Path.parse("s3://" + spec.getBucket());
    } catch (IllegalArgumentException e) {
      return Optional.of(NeedsSpecChange.field("spec.bucket", e.getMessage()));
    }
    if (spec.getBucket().contains("..")) {
      return Optional.of(NeedsSpecChange.field("spec.bucket", "must not contain two adjacent periods"));
    }
    if (spec.getBucketOwner() != null && !ACCOUNT.matcher(spec.getBucketOwner()).matches()) {
      return Optional.of(NeedsSpecChange.field("spec.bucketOwner", "must be a 12-digit AWS account ID"));
    }
    if (spec.getRegion() != null && !REGION.matcher(spec.getRegion()).matches()) {
      return Optional.of(NeedsSpecChange.field("spec.region", "must be an AWS region such as us-east-1"));
    }
    List<String> names = spec.getServiceAccounts() == null ? List.of() : spec.getServiceAccounts();
    for (String name : names) {
      if (name == null || !DNS_SUBDOMAIN.matcher(name).matches()) {
        return Optional.of(NeedsSpecChange.field("spec.serviceAccounts",
            "'" + shorten(name) + "' is not a service account name (a lowercase DNS subdomain)"));
      }
    }
    if (spec.getCheckInterval() != null) {
      try {
        GoDuration.parse(spec.getCheckInterval());
      } catch (IllegalArgumentException e) {
        return Optional.of(NeedsSpecChange.field("spec.checkInterval", e.getMessage()));
      }
    }
    Auth auth = spec.getAuth();
    boolean accessKey = auth != null && auth.getAccessKey() != null;
    boolean irsa = auth != null && auth.getIrsa() != null;
    boolean podIdentity = auth != null && auth.getPodIdentity() != null;
    int modes = (accessKey ? 1 : 0) + (irsa ? 1 : 0) + (podIdentity ? 1 : 0);
    if (modes != 1) {
      List<String> set = new java.util.ArrayList<>();
      if (accessKey) {
        set.add("accessKey");
      }
      if (irsa) {
        set.add("irsa");
      }
      if (podIdentity) {
        set.add("podIdentity");
      }
      return Optional.of(NeedsSpecChange.field("spec.auth", modes > 1
          ? (modes == 2 ? "both " + set.get(0) + " and " + set.get(1) + " are set" : "accessKey, irsa and podIdentity are all set") + "; keep exactly one"
          : "set exactly one of accessKey (a Secret with an access key), irsa (an IAM role through IRSA) or podIdentity (an IAM role through EKS Pod Identity)"));
    }
    if (podIdentity) {
      try {
        RoleArn.parse(auth.getPodIdentity().getRoleArn());
      } catch (IllegalArgumentException e) {
        return Optional.of(NeedsSpecChange.field("spec.auth.podIdentity.roleArn", e.getMessage()));
      }
      String cluster = auth.getPodIdentity().getClusterName();
      if (cluster != null && !EKS_CLUSTER.matcher(cluster).matches()) {
        return Optional.of(NeedsSpecChange.field("spec.auth.podIdentity.clusterName",
            "'" + shorten(cluster) + "' is not an EKS cluster name (1-100 letters, digits, - and _, starting with a letter or digit)"));
      }
    }
    if (irsa) {
      try {
        RoleArn.parse(auth.getIrsa().getRoleArn());
      } catch (IllegalArgumentException e) {
        return Optional.of(NeedsSpecChange.field("spec.auth.irsa.roleArn", e.getMessage()));
      }
    }
    if (accessKey && (auth.getAccessKey().getSecretRef() == null || auth.getAccessKey().getSecretRef().getName() == null
        || auth.getAccessKey().getSecretRef().getName().isEmpty())) {
      return Optional.of(NeedsSpecChange.field("spec.auth.accessKey.secretRef.name", "is required: the Secret holding the access key"));
    }
    if (accessKey) {
      return ReferenceNames.check("spec.auth.accessKey.secretRef.name", auth.getAccessKey().getSecretRef().getName());
    }
    return Optional.empty();
  }

  private static String shorten(String text) {
    return text == null ? "null" : text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
