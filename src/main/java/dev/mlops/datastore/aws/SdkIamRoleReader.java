package dev.mlops.datastore.aws;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.GetOpenIdConnectProviderResponse;

/**
 * {@link IamRoleReader} over the AWS SDK: {@code iam:GetRole}, {@code
 * iam:GetOpenIDConnectProvider} and, when asked, {@code iam:ListAttachedRolePolicies}.
 */
public final class SdkIamRoleReader implements IamRoleReader {
  private final Function<String, IamClient> clientForPartition;

  /** @param clientForPartition the IAM client of a partition (aws, aws-cn, aws-us-gov) */
  public SdkIamRoleReader(Function<String, IamClient> clientForPartition) {
    this.clientForPartition = clientForPartition;
  }

  @Override
  public RoleFacts read(String roleArn, String providerArn, boolean withAttachedPolicies) {
    IamClient iam = clientForPartition.apply(roleArn.split(":", 3)[1]);
    String roleName = roleName(roleArn);
    String document;
    try {
      String encoded = iam.getRole(r -> r.roleName(roleName)).role().assumeRolePolicyDocument();
      // GetRole returns the document URL-encoded (RFC 3986), so '+' is a literal plus: protect it
      // from URLDecoder, which would turn it into a space.
      document = URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (SdkException e) {
      throw AwsErrors.classify("iam:GetRole", e);
    }
    RoleFacts.Provider provider = providerArn == null ? null : provider(iam, providerArn);
    List<String> attached = null;
    if (withAttachedPolicies) {
      try {
        attached =
            iam.listAttachedRolePoliciesPaginator(r -> r.roleName(roleName)).attachedPolicies().stream()
                .map(AttachedPolicy::policyArn)
                .toList();
      } catch (SdkException e) {
        attached = null;
      }
    }
    return new RoleFacts(document, provider, attached);
  }

  /** The OIDC provider as IAM knows it; Pod Identity asks for none (null ARN, no call). */
  private static RoleFacts.Provider provider(IamClient iam, String providerArn) {
    try {
      GetOpenIdConnectProviderResponse p =
          iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(providerArn));
      return new RoleFacts.Found(List.copyOf(p.clientIDList()));
    } catch (SdkException e) {
      AwsCallException failure = AwsErrors.classify("iam:GetOpenIDConnectProvider", e);
      return failure.kind() == AwsCallException.Kind.NOT_FOUND
          ? new RoleFacts.Missing()
          : new RoleFacts.Unreadable(failure.getMessage());
    }
  }

  /** The role name is the last path segment of the ARN's resource: role/path/to/NAME. */
  static String roleName(String roleArn) {
    String resource = roleArn.substring(roleArn.indexOf(":role/") + ":role/".length());
    return resource.substring(resource.lastIndexOf('/') + 1);
  }
}
