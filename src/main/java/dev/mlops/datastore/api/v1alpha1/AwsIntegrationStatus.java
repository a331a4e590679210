package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * What the operator found, link by link. Conditions are a list map keyed on type, as {@code metav1.Condition} lists are, so
 * server-side apply merges them per type.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaMergePatch.class,
    input = "{\"properties\":{\"conditions\":{\"x-kubernetes-list-type\":\"map\","
        + "\"x-kubernetes-list-map-keys\":[\"type\"]}}}")
public class AwsIntegrationStatus {
  @JsonPropertyDescription("The metadata.generation this status was computed for; -1 (the schema default) until the operator has written a status, so that kstatus, Flux and kubectl wait read a new object as in progress.")
  private Long observedGeneration;

  @JsonPropertyDescription("Ready, Reconciling, Stalled and one condition per link: ServiceAccountsAnnotated, PodIdentityAssociated (Pod Identity only), TrustPolicyValid, CredentialsVerified, BucketReachable. Reasons are documented in docs/conditions.md.")
  private List<Condition> conditions;

  @JsonPropertyDescription("The cluster's OIDC issuer URL the trust policy is evaluated against.")
  private String oidcIssuer;

  @JsonPropertyDescription("Pod Identity: the ARN of the EKS cluster (from eks:DescribeCluster) the trust policy is evaluated against.")
  private String eksClusterArn;

  @JsonPropertyDescription("The AWS identity that was proven live.")
  private Identity identity;

  @JsonPropertyDescription("One row per service account the integration needs.")
  private List<ServiceAccountStatus> serviceAccounts;

  @JsonPropertyDescription("What was learned about the bucket.")
  private BucketStatus bucket;

  @JsonPropertyDescription("Findings about the IAM role itself, e.g. MissingEcrPowerUserPolicy for DataRobot.")
  private List<String> roleWarnings;

  @JsonPropertyDescription("When access was last proven (RFC 3339). The next check is due one checkInterval later; a restarted operator reads it from here.")
  private String lastCheckTime;

  @JsonPropertyDescription("A digest of what the last check depended on besides the spec: the Secret's version and which service accounts existed. When it no longer matches, the operator checks again before the interval ends.")
  private String checkedInputs;

  @JsonPropertyDescription("The last value of the annotation datastore.mlops.dev/requested-at that a full check handled (values over 256 characters as their sha256 digest). Set the annotation to a new value to check at once, and wait until this field shows it.")
  private String lastHandledRequestedAt;

  @JsonPropertyDescription("Workloads restarted because of spec.restartStalePods, at most once each per role: the record of what was done, so that a restarted operator does not restart them again.")
  @Size(max = 64)
  private List<WorkloadRestart> restartedWorkloads;

  @JsonPropertyDescription("What the operator suggests for the role's trust policy.")
  private TrustStatus trust;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public String getOidcIssuer() {
    return oidcIssuer;
  }

  public void setOidcIssuer(String oidcIssuer) {
    this.oidcIssuer = oidcIssuer;
  }

  public String getEksClusterArn() {
    return eksClusterArn;
  }

  public void setEksClusterArn(String eksClusterArn) {
    this.eksClusterArn = eksClusterArn;
  }

  public Identity getIdentity() {
    return identity;
  }

  public void setIdentity(Identity identity) {
    this.identity = identity;
  }

  public List<ServiceAccountStatus> getServiceAccounts() {
    return serviceAccounts;
  }

  public void setServiceAccounts(List<ServiceAccountStatus> serviceAccounts) {
    this.serviceAccounts = serviceAccounts;
  }

  public BucketStatus getBucket() {
    return bucket;
  }

  public void setBucket(BucketStatus bucket) {
    this.bucket = bucket;
  }

  public List<String> getRoleWarnings() {
    return roleWarnings;
  }

  public void setRoleWarnings(List<String> roleWarnings) {
    this.roleWarnings = roleWarnings;
  }

  public String getLastCheckTime() {
    return lastCheckTime;
  }

  public void setLastCheckTime(String lastCheckTime) {
    this.lastCheckTime = lastCheckTime;
  }

  public String getCheckedInputs() {
    return checkedInputs;
  }

  public void setCheckedInputs(String checkedInputs) {
    this.checkedInputs = checkedInputs;
  }

  public String getLastHandledRequestedAt() {
    return lastHandledRequestedAt;
  }

  public void setLastHandledRequestedAt(String lastHandledRequestedAt) {
    this.lastHandledRequestedAt = lastHandledRequestedAt;
  }

  public TrustStatus getTrust() {
    return trust;
  }

  public void setTrust(TrustStatus trust) {
    this.trust = trust;
  }

  public List<WorkloadRestart> getRestartedWorkloads() {
    return restartedWorkloads;
  }

  public void setRestartedWorkloads(List<WorkloadRestart> restartedWorkloads) {
    this.restartedWorkloads = restartedWorkloads;
  }
}
