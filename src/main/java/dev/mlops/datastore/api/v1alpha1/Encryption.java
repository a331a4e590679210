package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Default encryption of a bucket. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Encryption {
  @JsonPropertyDescription("AES256, aws:kms or aws:kms:dsse.")
  private String type;

  @JsonPropertyDescription("KMS key ARN for SSE-KMS.")
  private String kmsKeyId;

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getKmsKeyId() {
    return kmsKeyId;
  }

  public void setKmsKeyId(String kmsKeyId) {
    this.kmsKeyId = kmsKeyId;
  }
}
