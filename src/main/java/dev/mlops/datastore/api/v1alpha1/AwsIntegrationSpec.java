package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * What the integration connects: the bucket, how to authenticate, and which service accounts need it.
 *
 * <p>The service account names are checked by a pattern and a length on each item rather than by a
 * CEL {@code matches} over the list: the API server estimates a CEL rule's cost from the largest
 * strings and lists the schema allows, and a regex rule over unbounded items is refused at install.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaMergePatch.class,
    input = "{\"properties\":{\"serviceAccounts\":{\"items\":{\"maxLength\":253,"
        + "\"pattern\":\"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$\"}},"
        + "\"prefixes\":{\"items\":{\"maxLength\":1024}}}}")
public class AwsIntegrationSpec {
  @JsonPropertyDescription("ML platform whose service accounts are preset. RobustIntelligence: rime-agent-model-tester, rime-agent-rime-cross-plane-server. DataRobot: datarobot-storage-access, build-service, build-service-image-builder, dr-lrs-operator. Custom: none, list them in serviceAccounts.")
  @Default("Custom")
  private Platform platform;

  @JsonPropertyDescription("Names of service accounts in this namespace that need the bucket, added to the platform preset (lowercase DNS subdomains, at most 253 characters).")
  @Size(max = 64)
  private List<String> serviceAccounts;

  @JsonPropertyDescription("S3 bucket name (3-63 characters of lowercase letters, digits, periods and hyphens; S3 bucket naming rules apply).")
  @Required
  @Size(min = 3, max = 63)
  @Pattern("^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
  @ValidationRule(value = "!self.contains('..')", message = "bucket must not contain two adjacent periods")
  @ValidationRule(value = "!self.matches('^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$')", message = "bucket must not be formatted as an IP address")
  @ValidationRule(value = "!self.startsWith('xn--') && !self.startsWith('sthree-') && !self.endsWith('-s3alias') && !self.endsWith('--ol-s3')", message = "bucket uses a prefix or suffix reserved by S3")
  private String bucket;

  @JsonPropertyDescription("Optional key prefixes of the bucket (e.g. team-a/ or datasets/train/) to which the Datasets and ModelArtifacts of this integration are confined: a path outside every one is refused as PathOutsideIntegration, with no S3 call. When absent, the whole bucket. At most 32 prefixes of at most 1024 characters each.")
  @Size(max = 32)
  private List<String> prefixes;

  @JsonPropertyDescription("Optional 12-digit AWS account ID that must own the bucket; sent as ExpectedBucketOwner on every S3 call so a bucket re-created by another account is never used.")
  @Pattern("^[0-9]{12}$")
  private String bucketOwner;

  @JsonPropertyDescription("AWS region of the bucket, e.g. us-east-1. Detected from the bucket when absent.")
  @Pattern("^[a-z]{2}(-[a-z]+)+-[0-9]+$")
  private String region;

  @JsonPropertyDescription("Which S3 actions must work. ReadOnly: GetBucketLocation, ListBucket, GetObject. ReadWrite: also PutObject and DeleteObject.")
  @Default("ReadOnly")
  private Access access;

  @JsonPropertyDescription("Object key on which GetObject is probed. When absent, the first listed key is used.")
  @Size(min = 1, max = 1024)
  private String probeKey;

  @JsonPropertyDescription("How the workloads authenticate to AWS: exactly one of accessKey, irsa or podIdentity.")
  @Required
  @ValidationRule(value = "[has(self.accessKey), has(self.irsa), has(self.podIdentity)].filter(x, x).size() == 1",
      message = "exactly one of auth.accessKey, auth.irsa and auth.podIdentity must be set")
  private Auth auth;

  @JsonPropertyDescription("How often access is proven again, as a duration such as 90s, 10m or 1h30m.")
  @Default("10m")
  @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
  private String checkInterval;

  @JsonPropertyDescription("When true, the operator stops checking this integration and leaves service accounts as they are.")
  @Default("false")
  private Boolean suspend;

  @JsonPropertyDescription("When true, the operator restarts the Deployments, StatefulSets and DaemonSets whose pods started before their service account got this integration's role (as kubectl rollout restart does), at most once per annotation change. Bare pods and Jobs are never restarted. The operator's chart must grant the patch (restartStalePods.enabled).")
  @Default("false")
  private Boolean restartStalePods;

  public Platform getPlatform() {
    return platform;
  }

  public void setPlatform(Platform platform) {
    this.platform = platform;
  }

  public List<String> getServiceAccounts() {
    return serviceAccounts;
  }

  public void setServiceAccounts(List<String> serviceAccounts) {
    this.serviceAccounts = serviceAccounts;
  }

  public String getBucket() {
    return bucket;
  }

  public void setBucket(String bucket) {
    this.bucket = bucket;
  }

  public List<String> getPrefixes() {
    return prefixes;
  }

  public void setPrefixes(List<String> prefixes) {
    this.prefixes = prefixes;
  }

  public String getBucketOwner() {
    return bucketOwner;
  }

  public void setBucketOwner(String bucketOwner) {
    this.bucketOwner = bucketOwner;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public Access getAccess() {
    return access;
  }

  public void setAccess(Access access) {
    this.access = access;
  }

  public String getProbeKey() {
    return probeKey;
  }

  public void setProbeKey(String probeKey) {
    this.probeKey = probeKey;
  }

  public Auth getAuth() {
    return auth;
  }

  public void setAuth(Auth auth) {
    this.auth = auth;
  }

  public String getCheckInterval() {
    return checkInterval;
  }

  public void setCheckInterval(String checkInterval) {
    this.checkInterval = checkInterval;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  public Boolean getRestartStalePods() {
    return restartStalePods;
  }

  public void setRestartStalePods(Boolean restartStalePods) {
    this.restartStalePods = restartStalePods;
  }
}
