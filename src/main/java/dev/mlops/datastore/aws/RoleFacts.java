package dev.mlops.datastore.aws;

import java.util.List;

/**
 * What IAM says about a role and the OIDC provider its tokens come from.
 *
 * @param trustPolicy the role's trust policy, URL-decoded
 * @param provider whether the provider exists in the role's account, and its client IDs
 * @param attachedPolicyArns the role's attached managed policies, or null when not asked or not
 *     readable
 */
public record RoleFacts(String trustPolicy, Provider provider, List<String> attachedPolicyArns) {
  /** The OIDC provider as IAM knows it. */
  public sealed interface Provider permits Found, Missing, Unreadable {}

  public record Found(List<String> clientIds) implements Provider {}

  public record Missing() implements Provider {}

  /** The operator may not read it (or IAM failed); the message says which. */
  public record Unreadable(String message) implements Provider {}
}
