package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The fix for a trust policy that does not admit every service account. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrustStatus {
  @JsonPropertyDescription("A trust policy (JSON) that admits exactly this integration's service accounts from this cluster's OIDC provider: the smallest change to the role's current policy, verified by the operator's evaluator. Present only while the current policy does not admit every service account. Apply it with the command in suggestedCommand.")
  private String suggestedPolicy;

  @JsonPropertyDescription("The aws iam update-assume-role-policy command line that applies suggestedPolicy.")
  private String suggestedCommand;

  public String getSuggestedPolicy() {
    return suggestedPolicy;
  }

  public void setSuggestedPolicy(String suggestedPolicy) {
    this.suggestedPolicy = suggestedPolicy;
  }

  public String getSuggestedCommand() {
    return suggestedCommand;
  }

  public void setSuggestedCommand(String suggestedCommand) {
    this.suggestedCommand = suggestedCommand;
  }
}
