package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** What was learned about the bucket. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BucketStatus {
  @JsonPropertyDescription("The bucket's region, as S3 reports it.")
  private String region;

  @JsonPropertyDescription("Default encryption of the bucket.")
  private Encryption encryption;

  @JsonPropertyDescription("One row per S3 action probed.")
  private List<AccessCheck> access;

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public Encryption getEncryption() {
    return encryption;
  }

  public void setEncryption(Encryption encryption) {
    this.encryption = encryption;
  }

  public List<AccessCheck> getAccess() {
    return access;
  }

  public void setAccess(List<AccessCheck> access) {
    this.access = access;
  }
}
