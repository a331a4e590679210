package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Reference to an AwsIntegration in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IntegrationRef {
  @JsonPropertyDescription("Name of the AwsIntegration in this namespace: a DNS-1123 name (lowercase letters, digits, '-' and '.', at most 253 characters).")
  @Required
  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
  private String name;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
