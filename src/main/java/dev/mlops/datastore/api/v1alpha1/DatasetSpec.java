package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Map;

/** A dataset in S3 registered for an ML platform. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatasetSpec {
  @JsonPropertyDescription("The AwsIntegration, in this namespace, whose identity reads the dataset.")
  @Required
  private IntegrationRef integrationRef;

  @JsonPropertyDescription("s3:// URL of the object, or of the table folder for DATA_TYPE_DELTA_TABLE.")
  @Required
  @Size(max = 1100)
  @Pattern("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$")
  private String path;

  @JsonPropertyDescription("DATA_TYPE_UNSPECIFIED: a single object whose format (csv, Parquet, jsonl, jsonl.gz, json.gz) is read from its content. DATA_TYPE_DELTA_TABLE: path is a Delta Lake table folder.")
  @Default("DATA_TYPE_UNSPECIFIED")
  private DataType dataType;

  @JsonPropertyDescription("Passed through as the platform's data_params. Keys that name columns (label_col, timestamp_col, ...) are checked against the dataset's columns.")
  private Map<String, String> dataParams;

  @JsonPropertyDescription("How often the dataset is checked again, as a duration such as 30m or 1h.")
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

  public DataType getDataType() {
    return dataType;
  }

  public void setDataType(DataType dataType) {
    this.dataType = dataType;
  }

  public Map<String, String> getDataParams() {
    return dataParams;
  }

  public void setDataParams(Map<String, String> dataParams) {
    this.dataParams = dataParams;
  }

  public String getCheckInterval() {
    return checkInterval;
  }

  public void setCheckInterval(String checkInterval) {
    this.checkInterval = checkInterval;
  }
}
