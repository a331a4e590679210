package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Authentication mode; exactly one field is set. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Auth {
  @JsonPropertyDescription("Static access key read from a Secret in this namespace. Service accounts are not annotated.")
  private AccessKeyAuth accessKey;

  @JsonPropertyDescription("IAM role assumed through IAM Roles for Service Accounts (IRSA): the service accounts are annotated with the role.")
  private IrsaAuth irsa;

  @JsonPropertyDescription("IAM role assumed through EKS Pod Identity: each service account needs a Pod Identity association to the role (made by you, or by the operator with manageAssociations). Service accounts are not annotated.")
  private PodIdentityAuth podIdentity;

  public AccessKeyAuth getAccessKey() {
    return accessKey;
  }

  public void setAccessKey(AccessKeyAuth accessKey) {
    this.accessKey = accessKey;
  }

  public IrsaAuth getIrsa() {
    return irsa;
  }

  public void setIrsa(IrsaAuth irsa) {
    this.irsa = irsa;
  }

  public PodIdentityAuth getPodIdentity() {
    return podIdentity;
  }

  public void setPodIdentity(PodIdentityAuth podIdentity) {
    this.podIdentity = podIdentity;
  }
}
