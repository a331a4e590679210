package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A model artifact in S3 registered for an ML platform. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelArtifactSpec {
  @JsonPropertyDescription("The AwsIntegration, in this namespace, whose identity reads the model.")
  @Required
  private IntegrationRef integrationRef;

  @JsonPropertyDescription("s3:// URL of the model: for RobustIntelligence the Python file (.py) that defines predict_dict or predict_df; for DataRobot the custom-model folder holding the artifact (.pkl, .pth, .h5, .onnx, .pmml, .rds, .jar, .zip, .mojo) and/or custom.py.")
  @Required
  @Size(max = 1100)
  @Pattern("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$")
  private String path;

  @JsonPropertyDescription("Whose rules the model is checked by: RobustIntelligence or DataRobot. Defaults to the integration's platform; for Custom, a .py path is checked as Robust Intelligence's and anything else as DataRobot's.")
  private Platform platform;

  @JsonPropertyDescription("How often the model is checked again, as a duration such as 30m or 1h.")
  @Default("1h")
  @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
  private String checkInterval;

  public IntegrationRef getIntegrationRef() {
    return integrationRef;
  }

  public void setIntegrationRef(IntegrationRef integrationRef) {
    this.integrationRef = integrationRef;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public Platform getPlatform() {
    return platform;
  }

  public void setPlatform(Platform platform) {
    this.platform = platform;
  }

  public String getCheckInterval() {
    return checkInterval;
  }

  public void setCheckInterval(String checkInterval) {
    this.checkInterval = checkInterval;
  }
}
