package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An access key stored in a Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AccessKeyAuth {
  @JsonPropertyDescription("The Secret, in this namespace, that holds the access key.")
  @Required
  private SecretRef secretRef;

  @JsonPropertyDescription("Key in the Secret that holds the access key ID.")
  @Default("AWS_ACCESS_KEY_ID")
  @Size(min = 1, max = 253)
  private String accessKeyIdKey;

  @JsonPropertyDescription("Key in the Secret that holds the secret access key.")
  @Default("AWS_SECRET_ACCESS_KEY")
  @Size(min = 1, max = 253)
  private String secretAccessKeyKey;

  public SecretRef getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretRef secretRef) {
    this.secretRef = secretRef;
  }

  public String getAccessKeyIdKey() {
    return accessKeyIdKey;
  }

  public void setAccessKeyIdKey(String accessKeyIdKey) {
    this.accessKeyIdKey = accessKeyIdKey;
  }

  public String getSecretAccessKeyKey() {
    return secretAccessKeyKey;
  }

  public void setSecretAccessKeyKey(String secretAccessKeyKey) {
    this.secretAccessKeyKey = secretAccessKeyKey;
  }
}
