package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One pod that runs without the annotated role. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StalePod {
  @JsonPropertyDescription("Pod name.")
  private String name;

  @JsonPropertyDescription("The workload that owns the pod, as Kind/name (Deployment/x for a ReplicaSet of a Deployment); absent for a bare pod.")
  private String owner;

  @JsonPropertyDescription("The role the pod runs with (AWS_ROLE_ARN), when it names one other than the annotation's; absent when it has none.")
  private String roleArn;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getOwner() {
    return owner;
  }

  public void setOwner(String owner) {
    this.owner = owner;
  }

  public String getRoleArn() {
    return roleArn;
  }

  public void setRoleArn(String roleArn) {
    this.roleArn = roleArn;
  }
}
