package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The result of probing one S3 action. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AccessCheck {
  @JsonPropertyDescription("The action, e.g. s3:GetObject.")
  private String action;

  @JsonPropertyDescription("Allowed, Denied or Error.")
  private String result;

  @JsonPropertyDescription("The S3 error code, when not allowed.")
  private String code;

  @JsonPropertyDescription("S3 or KMS: which service denied the action.")
  private String cause;

  public String getAction() {
    return action;
  }

  public void setAction(String action) {
    this.action = action;
  }

  public String getResult() {
    return result;
  }

  public void setResult(String result) {
    this.result = result;
  }

  public String getCode() {
    return code;
  }

  public void setCode(String code) {
    this.code = code;
  }

  public String getCause() {
    return cause;
  }

  public void setCause(String cause) {
    this.cause = cause;
  }
}
