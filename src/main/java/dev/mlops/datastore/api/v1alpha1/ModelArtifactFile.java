package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One artifact file of a model folder, with the format its content shows. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelArtifactFile {
  @JsonPropertyDescription("Name of the file, relative to the model's folder.")
  private String name;

  @JsonPropertyDescription("Size of the file in bytes.")
  private Long sizeBytes;

  @JsonPropertyDescription("Format its first bytes show: PICKLE, ZLIB, ZIP, HDF5, ONNX, PMML, XML, GZIP, BZIP2, XZ, RDS, TEXT, BINARY or EMPTY; unset when it was not read.")
  private String format;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Long getSizeBytes() {
    return sizeBytes;
  }

  public void setSizeBytes(Long sizeBytes) {
    this.sizeBytes = sizeBytes;
  }

  public String getFormat() {
    return format;
  }

  public void setFormat(String format) {
    this.format = format;
  }
}
