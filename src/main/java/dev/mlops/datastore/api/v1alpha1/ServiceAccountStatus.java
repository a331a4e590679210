package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** What the operator found for one service account. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceAccountStatus {
  @JsonPropertyDescription("Service account name, in the integration's namespace.")
  private String name;

  @JsonPropertyDescription("Whether the service account carries the annotations this integration requires.")
  private Boolean annotated;

  @JsonPropertyDescription("Why the service account is not annotated, when it is not.")
  private String message;

  @JsonPropertyDescription("Trust-policy verdict for this service account: Allowed, Denied or Unknown.")
  private String trust;

  @JsonPropertyDescription("Trust reason codes when the verdict is not Allowed.")
  private List<String> reasons;

  @JsonPropertyDescription("Trust warning codes: the verdict stands, but the role is risky or fragile. Also IrsaTakesPrecedence: the service account carries an IRSA role annotation and has a Pod Identity association, and the AWS SDKs' default credential chains use the IRSA role (docs/eks.md).")
  private List<String> warnings;

  @JsonPropertyDescription("Live proof with a token of this service account: Verified, Denied, Unknown or Skipped.")
  private String live;

  @JsonPropertyDescription("Pod Identity: the ID of the EKS Pod Identity association of this service account (the one that counts, when there are several).")
  private String associationId;

  @JsonPropertyDescription("Pod Identity: the role the association names.")
  private String associatedRoleArn;

  @JsonPropertyDescription("Pod Identity: the role the association chains to in another account (targetRoleArn), when set.")
  private String targetRoleArn;

  @JsonPropertyDescription("Pod Identity: true when the association disables session tags, so no aws:RequestTag/kubernetes-* key reaches the trust policy.")
  private Boolean disableSessionTags;

  @JsonPropertyDescription("Pod Identity: whether this integration created the association (spec.auth.podIdentity.manageAssociations).")
  private Boolean associationManaged;

  @JsonPropertyDescription("Running pods of this service account that do not carry the annotated role (started before the annotation was set or changed, or edited by hand): the pod identity webhook injects the role only when a pod is created. Absent when there are none.")
  private StalePods stalePods;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Boolean getAnnotated() {
    return annotated;
  }

  public void setAnnotated(Boolean annotated) {
    this.annotated = annotated;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getTrust() {
    return trust;
  }

  public void setTrust(String trust) {
    this.trust = trust;
  }

  public List<String> getReasons() {
    return reasons;
  }

  public void setReasons(List<String> reasons) {
    this.reasons = reasons;
  }

  public List<String> getWarnings() {
    return warnings;
  }

  public void setWarnings(List<String> warnings) {
    this.warnings = warnings;
  }

  public String getLive() {
    return live;
  }

  public void setLive(String live) {
    this.live = live;
  }

  public StalePods getStalePods() {
    return stalePods;
  }

  public void setStalePods(StalePods stalePods) {
    this.stalePods = stalePods;
  }

  public String getAssociationId() {
    return associationId;
  }

  public void setAssociationId(String associationId) {
    this.associationId = associationId;
  }

  public String getAssociatedRoleArn() {
    return associatedRoleArn;
  }

  public void setAssociatedRoleArn(String associatedRoleArn) {
    this.associatedRoleArn = associatedRoleArn;
  }

  public String getTargetRoleArn() {
    return targetRoleArn;
  }

  public void setTargetRoleArn(String targetRoleArn) {
    this.targetRoleArn = targetRoleArn;
  }

  public Boolean getDisableSessionTags() {
    return disableSessionTags;
  }

  public void setDisableSessionTags(Boolean disableSessionTags) {
    this.disableSessionTags = disableSessionTags;
  }

  public Boolean getAssociationManaged() {
    return associationManaged;
  }

  public void setAssociationManaged(Boolean associationManaged) {
    this.associationManaged = associationManaged;
  }
}
