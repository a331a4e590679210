package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** An AWS identity. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Identity {
  @JsonPropertyDescription("ARN of the caller, e.g. arn:aws:sts::111122223333:assumed-role/rime-s3/session.")
  private String arn;

  @JsonPropertyDescription("AWS account ID of the caller.")
  private String account;

  public String getArn() {
    return arn;
  }

  public void setArn(String arn) {
    this.arn = arn;
  }

  public String getAccount() {
    return account;
  }

  public void setAccount(String account) {
    this.account = account;
  }
}
