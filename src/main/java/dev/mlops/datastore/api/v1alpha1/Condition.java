package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A kstatus-compatible condition, shaped in the schema like {@code metav1.Condition} (its enum,
 * format, patterns and bounds), so that API servers, server-side apply and tools read it as they
 * read Flux's conditions. The enum and format cannot be said with fabric8's field annotations on a
 * String, hence the schema patch.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaMergePatch.class,
    input = "{\"properties\":{\"status\":{\"enum\":[\"True\",\"False\",\"Unknown\"]},"
        + "\"lastTransitionTime\":{\"format\":\"date-time\"}}}")
public class Condition {
  @JsonPropertyDescription("Condition type in CamelCase, e.g. Ready.")
  @Required
  @Size(max = 316)
  @Pattern("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$")
  private String type;

  @JsonPropertyDescription("True, False or Unknown.")
  @Required
  private String status;

  @JsonPropertyDescription("CamelCase reason code, documented in docs/conditions.md.")
  @Size(min = 1, max = 1024)
  @Pattern("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")
  private String reason;

  @JsonPropertyDescription("What was found, written for a person.")
  @Size(max = 32768)
  private String message;

  @JsonPropertyDescription("The metadata.generation this condition was computed for.")
  @Min(0)
  private Long observedGeneration;

  @JsonPropertyDescription("When the status last changed (RFC 3339).")
  @Required
  private String lastTransitionTime;

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getLastTransitionTime() {
    return lastTransitionTime;
  }

  public void setLastTransitionTime(String lastTransitionTime) {
    this.lastTransitionTime = lastTransitionTime;
  }
}
