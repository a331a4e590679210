package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** IRSA settings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IrsaAuth {
  @JsonPropertyDescription("ARN of the IAM role the service accounts assume, e.g. arn:aws:iam::111122223333:role/rime-s3. The role may live in another account than the bucket.")
  @Required
  @Pattern("^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$")
  private String roleArn;

  @JsonPropertyDescription("Audience of the service account token. When not the default, service accounts get the eks.amazonaws.com/audience annotation.")
  @Default("sts.amazonaws.com")
  @Size(min = 1, max = 255)
  private String audience;

  @JsonPropertyDescription("Annotate service accounts with eks.amazonaws.com/sts-regional-endpoints: \"true\" so pods use the regional STS endpoint.")
  @Default("true")
  private Boolean stsRegionalEndpoints;

  public String getRoleArn() {
    return roleArn;
  }

  public void setRoleArn(String roleArn) {
    this.roleArn = roleArn;
  }

  public String getAudience() {
    return audience;
  }

  public void setAudience(String audience) {
    this.audience = audience;
  }

  public Boolean getStsRegionalEndpoints() {
    return stsRegionalEndpoints;
  }

  public void setStsRegionalEndpoints(Boolean stsRegionalEndpoints) {
    this.stsRegionalEndpoints = stsRegionalEndpoints;
  }
}
