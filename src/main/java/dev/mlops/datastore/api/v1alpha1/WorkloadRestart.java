package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A workload the operator restarted so that its pods get the annotated role. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkloadRestart {
  @JsonPropertyDescription("The workload, as Kind/name (Deployment, StatefulSet or DaemonSet).")
  private String workload;

  @JsonPropertyDescription("The role its service account was annotated with when it was restarted: it is not restarted again for this role.")
  private String roleArn;

  @JsonPropertyDescription("When it was restarted (RFC 3339), the value of its pod template's kubectl.kubernetes.io/restartedAt annotation.")
  private String restartedAt;

  @JsonPropertyDescription("Why the restart did not happen, when it did not (e.g. the operator may not patch workloads).")
  private String message;

  public String getWorkload() {
    return workload;
  }

  public void setWorkload(String workload) {
    this.workload = workload;
  }

  public String getRoleArn() {
    return roleArn;
  }

  public void setRoleArn(String roleArn) {
    this.roleArn = roleArn;
  }

  public String getRestartedAt() {
    return restartedAt;
  }

  public void setRestartedAt(String restartedAt) {
    this.restartedAt = restartedAt;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
