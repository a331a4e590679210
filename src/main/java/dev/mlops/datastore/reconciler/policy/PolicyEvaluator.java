package dev.mlops.datastore.reconciler.policy;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicy;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicyAuthMode;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Decides, as pure code, whether the AwsIntegrationPolicies of the cluster admit an AwsIntegration.
 *
 * <p>The rules: with no policy at all, everything is admitted. Otherwise the policies that select
 * the integration's namespace are asked, and one that admits it on every field (auth mode, role,
 * bucket, ReadWrite) is enough: policies add up, they never subtract from each other. A namespace
 * no policy selects is refused in {@link PolicyMode#CLOSED} mode (the default) and unrestricted in
 * {@link PolicyMode#OPEN}. A refusal names each selecting policy and the fields that refused.
 */
public final class PolicyEvaluator {
  /** The auth modes a policy admits when it does not list any: the role-based ones. */
  static final List<AwsIntegrationPolicyAuthMode> DEFAULT_AUTH_MODES =
      List.of(AwsIntegrationPolicyAuthMode.irsa, AwsIntegrationPolicyAuthMode.podIdentity);

  private static final Pattern ROLE_GLOB = Pattern.compile("[A-Za-z0-9_+=,.@/:*?-]+");
  private static final Pattern BUCKET_GLOB = Pattern.compile("[a-z0-9.*?-]+");
  private static final String KIND = "AwsIntegrationPolicy ";

  private PolicyEvaluator() {}

  public static PolicyDecision admit(
      AwsIntegration ai, Map<String, String> namespaceLabels, Collection<AwsIntegrationPolicy> policies, PolicyMode mode) {
    if (policies.isEmpty()) {
      return PolicyDecision.admit("no AwsIntegrationPolicy exists");
    }
    String namespace = ai.getMetadata().getNamespace();
    List<AwsIntegrationPolicy> selecting = policies.stream()
        .filter(p -> NamespaceSelection.selects(p.getSpec(), namespace, namespaceLabels))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
    if (selecting.isEmpty()) {
      if (mode == PolicyMode.OPEN) {
        return PolicyDecision.admit("no AwsIntegrationPolicy selects namespace " + namespace + " and the operator's policy mode is open");
      }
      return PolicyDecision.refuse("no AwsIntegrationPolicy selects namespace " + namespace + " (" + policies.size()
          + " exist); once any policy exists, a namespace no policy selects may not use AwsIntegrations (policy mode closed): "
          + "a cluster admin adds the namespace to a policy's spec.namespaces or spec.namespaceSelector");
    }
    PolicyRequest request = PolicyRequest.of(ai.getSpec());
    List<String> refusals = new ArrayList<>();
    for (AwsIntegrationPolicy policy : selecting) {
      List<String> why = refusals(policy.getSpec(), request);
      if (why.isEmpty()) {
        return PolicyDecision.admit("admitted by " + KIND + policy.getMetadata().getName());
      }
      refusals.add(KIND + policy.getMetadata().getName() + ": " + String.join("; ", why));
    }
    if (refusals.size() == 1) {
      return PolicyDecision.refuse(refusals.get(0));
    }
    String shown = refusals.stream().limit(Messages.MAX_ITEMS).collect(Collectors.joining(" | "));
    return PolicyDecision.refuse(selecting.size() + " AwsIntegrationPolicies select namespace " + namespace + " and none admits it: "
        + shown + (refusals.size() > Messages.MAX_ITEMS ? " | (and " + (refusals.size() - Messages.MAX_ITEMS) + " more)" : ""));
  }

  /** The fields of one policy that do not admit the request; empty when it admits it. */
  static List<String> refusals(AwsIntegrationPolicySpec spec, PolicyRequest request) {
    List<String> problems = problems(spec);
    if (!problems.isEmpty()) {
      return List.of("the policy is invalid (" + problems.get(0) + "), so it admits nothing");
    }
    List<String> out = new ArrayList<>();
    List<AwsIntegrationPolicyAuthMode> modes = authModes(spec);
    if (request.mode() == null) {
      out.add("spec.auth of the AwsIntegration names no auth mode a policy can admit");
    } else if (!modes.contains(request.mode())) {
      out.add("spec.authModes does not admit " + request.mode()
          + (spec.getAuthModes() == null ? " (absent, it admits irsa and podIdentity only)" : "")
          + (request.mode() == AwsIntegrationPolicyAuthMode.accessKey ? ": access-key Secrets are not allowed" : ""));
    }
    if (request.roleArn() != null && spec.getRoleArns() != null
        && spec.getRoleArns().stream().noneMatch(g -> Globs.matches(g, request.roleArn()))) {
      out.add("spec.roleArns does not admit " + Messages.capped(request.roleArn()));
    }
    if (spec.getBuckets() != null && spec.getBuckets().stream().noneMatch(g -> Globs.matches(g, request.bucket()))) {
      out.add("spec.buckets does not admit bucket " + Messages.capped(request.bucket()));
    }
    if (request.readWrite() && !Boolean.TRUE.equals(spec.getAllowReadWrite())) {
      out.add("spec.allowReadWrite is not true: access ReadWrite (its probe puts and deletes an object) is not admitted");
    }
    return out;
  }

  static List<AwsIntegrationPolicyAuthMode> authModes(AwsIntegrationPolicySpec spec) {
    return spec.getAuthModes() == null ? DEFAULT_AUTH_MODES : spec.getAuthModes();
  }

  /**
   * What makes a policy unusable, field by field; empty when it can be used. The schema rejects
   * most of it at admission; this is what the schema cannot say (a glob that can match no ARN) and
   * a guard for objects the schema never saw.
   */
  public static List<String> problems(AwsIntegrationPolicySpec spec) {
    List<String> out = new ArrayList<>();
    if (spec == null) {
      return List.of("spec is missing");
    }
    if (spec.getNamespaceSelector() == null && spec.getNamespaces() == null) {
      out.add("it selects no namespace: set spec.namespaceSelector, spec.namespaces or both");
    }
    if (spec.getNamespaceSelector() != null) {
      NamespaceSelection.problem(spec.getNamespaceSelector()).ifPresent(out::add);
    }
    List<String> roles = spec.getRoleArns() == null ? List.of() : spec.getRoleArns();
    for (int i = 0; i < roles.size(); i++) {
      String glob = roles.get(i);
      if (glob == null || !ROLE_GLOB.matcher(glob).matches() || glob.length() > 2048) {
        out.add("spec.roleArns[" + i + "] '" + Messages.capped(glob) + "' is not a glob of ARN characters");
      } else if (!couldBeArn(glob)) {
        out.add("spec.roleArns[" + i + "] '" + Messages.capped(glob) + "' can match no role ARN: ARNs start with arn:");
      }
    }
    List<String> buckets = spec.getBuckets() == null ? List.of() : spec.getBuckets();
    for (int i = 0; i < buckets.size(); i++) {
      String glob = buckets.get(i);
      if (glob == null || !BUCKET_GLOB.matcher(glob).matches() || glob.length() > 63) {
        out.add("spec.buckets[" + i + "] '" + Messages.capped(glob)
            + "' can match no bucket name: use lowercase letters, digits, '.', '-', and the wildcards * and ?");
      }
    }
    if (spec.getAuthModes() != null && spec.getAuthModes().contains(null)) {
      out.add("spec.authModes holds an entry that is not accessKey, irsa or podIdentity");
    }
    return out;
  }

  /** Whether the text before the glob's first wildcard can begin an ARN. */
  private static boolean couldBeArn(String glob) {
    int wildcard = glob.length();
    for (int i = 0; i < glob.length(); i++) {
      if (glob.charAt(i) == '*' || glob.charAt(i) == '?') {
        wildcard = i;
        break;
      }
    }
    String literal = glob.substring(0, wildcard);
    return literal.startsWith("arn:") || "arn:".startsWith(literal);
  }

  /** What a valid policy covers and admits, in one line, for its Ready condition. */
  public static String summary(AwsIntegrationPolicySpec spec) {
    String roles = spec.getRoleArns() == null ? "any role" : spec.getRoleArns().isEmpty() ? "no role" : "roles " + Messages.list(spec.getRoleArns());
    String buckets = spec.getBuckets() == null ? "any bucket" : spec.getBuckets().isEmpty() ? "no bucket" : "buckets " + Messages.list(spec.getBuckets());
    List<AwsIntegrationPolicyAuthMode> modes = authModes(spec);
    String auth = modes.isEmpty() ? "no auth mode" : "auth modes " + modes.stream().map(Enum::name).collect(Collectors.joining(", "));
    String access = Boolean.TRUE.equals(spec.getAllowReadWrite()) ? "ReadOnly and ReadWrite" : "ReadOnly only";
    return "covers " + NamespaceSelection.describe(spec) + "; admits " + roles + ", " + buckets + ", " + auth + ", " + access;
  }
}
