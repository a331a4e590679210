package dev.mlops.datastore.aws;

/** Reads what the trust check needs from IAM. */
public interface IamRoleReader {
  /**
   * @param providerArn the OIDC provider that should exist in the role's account; null reads none (the provider of the facts is then null)
   * @param withAttachedPolicies also list the role's attached managed policies (one more call)
   * @throws AwsCallException when the role itself cannot be read
   */
  RoleFacts read(String roleArn, String providerArn, boolean withAttachedPolicies);
}
