package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import java.util.List;

/**
 * What the operator found about the model. Conditions are a list map keyed on type, as {@code
 * metav1.Condition} lists are, so server-side apply merges them per type.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaMergePatch.class,
    input = "{\"properties\":{\"conditions\":{\"x-kubernetes-list-type\":\"map\","
        + "\"x-kubernetes-list-map-keys\":[\"type\"]}}}")
public class ModelArtifactStatus {
  @JsonPropertyDescription("The metadata.generation this status was computed for; -1 (the schema default) until the operator has written a status, so that kstatus, Flux and kubectl wait read a new object as in progress.")
  private Long observedGeneration;

  @JsonPropertyDescription("Ready, Reconciling, Stalled, IntegrationReady, Readable, ArtifactValid. Reasons are documented in docs/conditions.md.")
  private List<Condition> conditions;

  @JsonPropertyDescription("The platform whose rules the last check applied: spec.platform, else the integration's (RobustIntelligence or DataRobot).")
  private String platform;

  @JsonPropertyDescription("Size of the model file (Robust Intelligence) in bytes.")
  private Long sizeBytes;

  @JsonPropertyDescription("Last modification time of the model file (RFC 3339).")
  private String lastModified;

  @JsonPropertyDescription("ETag of the model file.")
  private String etag;

  @JsonPropertyDescription("Functions defined at module level of the Python file (the model file, or DataRobot's custom.py), capped.")
  private List<String> functions;

  @JsonPropertyDescription("DataRobot: the artifact files found at the top of the folder, with the format their content shows (capped).")
  private List<ModelArtifactFile> artifacts;

  @JsonPropertyDescription("Other objects under the model's prefix (the weights a model file loads are usually beside it), from one listing page, capped; see siblingCount.")
  private List<String> siblings;

  @JsonPropertyDescription("Number of objects the listing page held under the prefix, the model file excepted.")
  private Integer siblingCount;

  @JsonPropertyDescription("True when the prefix holds more objects than one listing page returned.")
  private Boolean siblingsTruncated;

  @JsonPropertyDescription("Bytes the last check read.")
  private Long bytesRead;

  @JsonPropertyDescription("When the model was last checked (RFC 3339).")
  private String lastCheckTime;

  @JsonPropertyDescription("The value of the datastore.mlops.dev/requested-at annotation the last full check handled (long values as their sha256 digest); a script that sets the annotation waits for it here.")
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

  public String getPlatform() {
    return platform;
  }

  public void setPlatform(String platform) {
    this.platform = platform;
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

  public List<String> getFunctions() {
    return functions;
  }

  public void setFunctions(List<String> functions) {
    this.functions = functions;
  }

  public List<ModelArtifactFile> getArtifacts() {
    return artifacts;
  }

  public void setArtifacts(List<ModelArtifactFile> artifacts) {
    this.artifacts = artifacts;
  }

  public List<String> getSiblings() {
    return siblings;
  }

  public void setSiblings(List<String> siblings) {
    this.siblings = siblings;
  }

  public Integer getSiblingCount() {
    return siblingCount;
  }

  public void setSiblingCount(Integer siblingCount) {
    this.siblingCount = siblingCount;
  }

  public Boolean getSiblingsTruncated() {
    return siblingsTruncated;
  }

  public void setSiblingsTruncated(Boolean siblingsTruncated) {
    this.siblingsTruncated = siblingsTruncated;
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
