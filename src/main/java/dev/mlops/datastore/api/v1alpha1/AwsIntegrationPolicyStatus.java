package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import java.util.List;

/** Whether the operator could read the policy, and what it admits, in words. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaMergePatch.class,
    input = "{\"properties\":{\"conditions\":{\"x-kubernetes-list-type\":\"map\","
        + "\"x-kubernetes-list-map-keys\":[\"type\"]}}}")
public class AwsIntegrationPolicyStatus {
  @JsonPropertyDescription("The metadata.generation this status was computed for; -1 (the schema default) until the operator has written a status.")
  private Long observedGeneration;

  @JsonPropertyDescription("Ready (True, reason Valid, with a summary of what the policy admits; False, reason InvalidPolicy, naming the field that cannot be used) and Stalled while invalid. Reasons are documented in docs/conditions.md.")
  private List<Condition> conditions;

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
}
