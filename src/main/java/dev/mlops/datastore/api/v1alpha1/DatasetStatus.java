package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import java.util.List;

/**
 * What the operator found about the dataset. Conditions are a list map keyed on type, as {@code metav1.Condition} lists are, so
 * server-side apply merges them per type.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaMergePatch.class,
    input = "{\"properties\":{\"conditions\":{\"x-kubernetes-list-type\":\"map\","
        + "\"x-kubernetes-list-map-keys\":[\"type\"]}}}")
public class DatasetStatus {
  @JsonPropertyDescription("The metadata.generation this status was computed for; -1 (the schema default) until the operator has written a status, so that kstatus, Flux and kubectl wait read a new object as in progress.")
  private Long observedGeneration;

  @JsonPropertyDescription("Ready, Reconciling, Stalled, IntegrationReady, Readable, FormatValid, SchemaValid. Reasons are documented in docs/conditions.md.")
  private List<Condition> conditions;

  @JsonPropertyDescription("Format read from the content: CSV, PARQUET, JSONL, JSONL_GZ, JSON_GZ or DELTA_TABLE.")
  private String format;

  @JsonPropertyDescription("Size of the object (or of the table's current files) in bytes.")
  private Long sizeBytes;

  @JsonPropertyDescription("Last modification time of the object (RFC 3339).")
  private String lastModified;

  @JsonPropertyDescription("ETag of the object.")
  private String etag;

  @JsonPropertyDescription("Column names (capped; see columnCount).")
  private List<String> columns;

  @JsonPropertyDescription("Number of columns.")
  private Integer columnCount;

  @JsonPropertyDescription("Number of rows where the format records it (Parquet footer, Delta statistics).")
  private Long rows;

  @JsonPropertyDescription("Delta Lake table details.")
  private DeltaInfo delta;

  @JsonPropertyDescription("Bytes the last check read.")
  private Long bytesRead;

  @JsonPropertyDescription("When the dataset was last checked (RFC 3339).")
  private String lastCheckTime;

  @JsonPropertyDescription("The last value of the annotation datastore.mlops.dev/requested-at that a full check handled (values over 256 characters as their sha256 digest). Set the annotation to a new value to check at once, reading the data again, and wait until this field shows it.")
  private String lastHandledRequestedAt;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public String getFormat() {
    return format;
  }

  public void setFormat(String format) {
    this.format = format;
  }

  public Long getSizeBytes() {
    return sizeBytes;
  }

  public void setSizeBytes(Long sizeBytes) {
    this.sizeBytes = sizeBytes;
  }

  public String getLastModified() {
    return lastModified;
  }

  public void setLastModified(String lastModified) {
    this.lastModified = lastModified;
  }

  public String getEtag() {
    return etag;
  }

  public void setEtag(String etag) {
    this.etag = etag;
  }

  public List<String> getColumns() {
    return columns;
  }

  public void setColumns(List<String> columns) {
    this.columns = columns;
  }

  public Integer getColumnCount() {
    return columnCount;
  }

  public void setColumnCount(Integer columnCount) {
    this.columnCount = columnCount;
  }

  public Long getRows() {
    return rows;
  }

  public void setRows(Long rows) {
    this.rows = rows;
  }

  public DeltaInfo getDelta() {
    return delta;
  }

  public void setDelta(DeltaInfo delta) {
    this.delta = delta;
  }

  public Long getBytesRead() {
    return bytesRead;
  }

  public void setBytesRead(Long bytesRead) {
    this.bytesRead = bytesRead;
  }

  public String getLastCheckTime() {
    return lastCheckTime;
  }

  public void setLastCheckTime(String lastCheckTime) {
    this.lastCheckTime = lastCheckTime;
  }

  public String getLastHandledRequestedAt() {
    return lastHandledRequestedAt;
  }

  public void setLastHandledRequestedAt(String lastHandledRequestedAt) {
    this.lastHandledRequestedAt = lastHandledRequestedAt;
  }
}
