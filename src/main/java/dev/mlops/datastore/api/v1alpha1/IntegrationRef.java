package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Reference to an AwsIntegration in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IntegrationRef {
  @JsonPropertyDescription("Name of the AwsIntegration.")
  @Required
  @Size(min = 1, max = 253)
  private String name;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
