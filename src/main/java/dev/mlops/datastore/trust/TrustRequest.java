package dev.mlops.datastore.trust;

/**
 * The request being judged: {@code sts:AssumeRoleWithWebIdentity} on {@code roleArn} with the
 * projected token of one service account, issued by this cluster's OIDC issuer.
 *
 * @param roleArn the role to assume
 * @param issuer the cluster's OIDC issuer URL, exactly as the cluster reports it
 * @param namespace the service account's namespace
 * @param serviceAccount the service account's name
 * @param audience the token audience (sts.amazonaws.com unless the service account says otherwise)
 */
public record TrustRequest(
    String roleArn, String issuer, String namespace, String serviceAccount, String audience) {
  public static final String ACTION = "sts:AssumeRoleWithWebIdentity";
  public static final String DEFAULT_AUDIENCE = "sts.amazonaws.com";

  public TrustRequest {
    RoleArn.parse(roleArn);
    if (issuer == null || !issuer.startsWith("https://") || issuer.length() <= "https://".length()) {
      throw new IllegalArgumentException("'" + issuer + "' is not an https:// OIDC issuer URL");
    }
    if (namespace == null || namespace.isBlank() || serviceAccount == null || serviceAccount.isBlank()) {
      throw new IllegalArgumentException("a service account needs a namespace and a name");
    }
    if (audience == null || audience.isBlank()) {
      audience = DEFAULT_AUDIENCE;
    }
  }

  public String partition() {
    return RoleArn.parse(roleArn).partition();
  }

  public String account() {
    return RoleArn.parse(roleArn).account();
  }

  /** The issuer without its scheme, path kept: the prefix of the token's condition keys. */
  public String providerPrefix() {
    return issuer.substring("https://".length());
  }

  /** The IAM OIDC provider, in the role's account, that STS matches the token's issuer to. */
  public String providerArn() {
    return "arn:" + partition() + ":iam::" + account() + ":oidc-provider/" + providerPrefix();
  }

  /** The token's {@code sub} claim. */
  public String subject() {
    return "system:serviceaccount:" + namespace + ":" + serviceAccount;
  }

  public String subjectKey() {
    return providerPrefix() + ":sub";
  }

  public String audienceKey() {
    return providerPrefix() + ":aud";
  }
}
