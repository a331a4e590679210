package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** EKS Pod Identity settings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodIdentityAuth {
  @JsonPropertyDescription("ARN of the IAM role the service accounts' EKS Pod Identity associations must name, e.g. arn:aws:iam::111122223333:role/rime-s3. For a cross-account association, the association's targetRoleArn may name it instead. Its trust policy must allow the service principal pods.eks.amazonaws.com sts:AssumeRole and sts:TagSession.")
  @Required
  @Pattern("^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$")
  private String roleArn;

  @JsonPropertyDescription("Name of the EKS cluster that holds the associations (and that this operator runs in). When absent, the operator's configuration (chart value eks.clusterName, environment variable OPERATOR_EKS_CLUSTER_NAME).")
  @Size(min = 1, max = 100)
  @Pattern("^[0-9A-Za-z][A-Za-z0-9_-]*$")
  private String clusterName;

  @JsonPropertyDescription("When true, the operator creates, updates and deletes the Pod Identity associations of the service accounts itself, tagged datastore.mlops.dev/owner with this integration, and never touches one it did not create. Needs eks:CreatePodIdentityAssociation, eks:UpdatePodIdentityAssociation, eks:DeletePodIdentityAssociation and eks:TagResource for the operator (docs/eks.md).")
  @Default("false")
  private Boolean manageAssociations;

  public String getRoleArn() {
    return roleArn;
  }

  public void setRoleArn(String roleArn) {
    this.roleArn = roleArn;
  }

  public String getClusterName() {
    return clusterName;
  }

  public void setClusterName(String clusterName) {
    this.clusterName = clusterName;
  }

  public Boolean getManageAssociations() {
    return manageAssociations;
  }

  public void setManageAssociations(Boolean manageAssociations) {
    this.manageAssociations = manageAssociations;
  }
}
