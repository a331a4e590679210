package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Pods of one service account that run without the annotated role. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StalePods {
  @JsonPropertyDescription("How many running pods of the service account lack the annotated role.")
  private Integer count;

  @JsonPropertyDescription("Up to 5 of them, by name, with the workload that owns each.")
  @Size(max = 5)
  private List<StalePod> pods;

  public Integer getCount() {
    return count;
  }

  public void setCount(Integer count) {
    this.count = count;
  }

  public List<StalePod> getPods() {
    return pods;
  }

  public void setPods(List<StalePod> pods) {
    this.pods = pods;
  }
}
