package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Delta Lake table details. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DeltaInfo {
  @JsonPropertyDescription("Current table version.")
  private Long version;

  @JsonPropertyDescription("Number of data files in the current version.")
  private Integer files;

  @JsonPropertyDescription("Partition columns.")
  private List<String> partitionColumns;

  public Long getVersion() {
    return version;
  }

  public void setVersion(Long version) {
    this.version = version;
  }

  public Integer getFiles() {
    return files;
  }

  public void setFiles(Integer files) {
    this.files = files;
  }

  public List<String> getPartitionColumns() {
    return partitionColumns;
  }

  public void setPartitionColumns(List<String> partitionColumns) {
    this.partitionColumns = partitionColumns;
  }
}
