package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/**
 * Which namespaces the policy covers, and what it admits there. A field left out does not restrict
 * (except authModes, whose absence admits only the role-based modes, and allowReadWrite, false
 * unless set): the status of the policy spells out what it admits.
 *
 * <p>Globs are plain strings with a pattern and a length on each item, not CEL: the API server
 * prices a CEL rule by the largest strings and lists the schema allows, and these checks need none.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.namespaceSelector) || has(self.namespaces)",
    message = "select namespaces with namespaceSelector, namespaces or both (namespaceSelector: {} selects every namespace)")
@SchemaCustomizer(
    value = SchemaMergePatch.class,
    input = "{\"properties\":{"
        + "\"namespaceSelector\":{\"properties\":{\"matchExpressions\":{\"maxItems\":32,\"items\":{\"required\":[\"key\",\"operator\"],"
        + "\"properties\":{\"key\":{\"maxLength\":317},\"operator\":{\"enum\":[\"In\",\"NotIn\",\"Exists\",\"DoesNotExist\"]},"
        + "\"values\":{\"maxItems\":64,\"items\":{\"maxLength\":63}}}}}}},"
        + "\"namespaces\":{\"items\":{\"maxLength\":63,\"pattern\":\"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$\"}},"
        + "\"roleArns\":{\"items\":{\"minLength\":1,\"maxLength\":2048,\"pattern\":\"^[A-Za-z0-9_+=,.@/:*?-]+$\"}},"
        + "\"buckets\":{\"items\":{\"minLength\":1,\"maxLength\":63,\"pattern\":\"^[a-z0-9.*?-]+$\"}}}}")
public class AwsIntegrationPolicySpec {
  @JsonPropertyDescription("Namespaces covered by their labels (a Kubernetes label selector). An empty selector ({}) covers every namespace. A namespace is covered when this selector or the namespaces list names it.")
  private LabelSelector namespaceSelector;

  @JsonPropertyDescription("Namespaces covered by name, in addition to namespaceSelector. At least one of namespaceSelector and namespaces must be set.")
  @Size(max = 256)
  private List<String> namespaces;

  @JsonPropertyDescription("IAM role ARNs that integrations in the covered namespaces may use (spec.auth.irsa.roleArn, spec.auth.podIdentity.roleArn), as globs: * matches any characters (also /), ? one character, everything else literally and case-sensitively, e.g. arn:aws:iam::111122223333:role/team-a-*. Absent: any role; empty list: no role. The operator reads a role with its own IAM identity (iam:GetRole) only after a policy admitted it.")
  @Size(max = 64)
  private List<String> roleArns;

  @JsonPropertyDescription("S3 buckets that integrations in the covered namespaces may name (spec.bucket), as globs (* and ?), e.g. team-a-*. Absent: any bucket; empty list: no bucket.")
  @Size(max = 64)
  private List<String> buckets;

  @JsonPropertyDescription("Auth modes that integrations in the covered namespaces may use: accessKey, irsa, podIdentity. Absent: irsa and podIdentity, so that access-key Secrets are allowed only where a policy lists accessKey (an access key's identity is unknown before an AWS call, so roleArns cannot restrict it).")
  @Size(max = 3)
  private List<AwsIntegrationPolicyAuthMode> authModes;

  @JsonPropertyDescription("Whether integrations in the covered namespaces may set access: ReadWrite, whose probe writes and deletes an object in the bucket (s3:PutObject, s3:DeleteObject). Default false: ReadOnly only.")
  @Default("false")
  private Boolean allowReadWrite;

  public LabelSelector getNamespaceSelector() {
    return namespaceSelector;
  }

  public void setNamespaceSelector(LabelSelector namespaceSelector) {
    this.namespaceSelector = namespaceSelector;
  }

  public List<String> getNamespaces() {
    return namespaces;
  }

  public void setNamespaces(List<String> namespaces) {
    this.namespaces = namespaces;
  }

  public List<String> getRoleArns() {
    return roleArns;
  }

  public void setRoleArns(List<String> roleArns) {
    this.roleArns = roleArns;
  }

  public List<String> getBuckets() {
    return buckets;
  }

  public void setBuckets(List<String> buckets) {
    this.buckets = buckets;
  }

  public List<AwsIntegrationPolicyAuthMode> getAuthModes() {
    return authModes;
  }

  public void setAuthModes(List<AwsIntegrationPolicyAuthMode> authModes) {
    this.authModes = authModes;
  }

  public Boolean getAllowReadWrite() {
    return allowReadWrite;
  }

  public void setAllowReadWrite(Boolean allowReadWrite) {
    this.allowReadWrite = allowReadWrite;
  }
}
