package dev.mlops.datastore.trust;

import static dev.mlops.datastore.trust.PodIdentityRequest.ASSUME_ROLE;
import static dev.mlops.datastore.trust.PodIdentityRequest.SERVICE_PRINCIPAL;
import static dev.mlops.datastore.trust.PodIdentityRequest.TAG_SESSION;
import static dev.mlops.datastore.trust.TrustPolicyEvaluator.asList;
import static dev.mlops.datastore.trust.TrustPolicyEvaluator.first;
import static dev.mlops.datastore.trust.TrustPolicyEvaluator.isServiceKey;
import static dev.mlops.datastore.trust.TrustPolicyEvaluator.label;
import static dev.mlops.datastore.trust.TrustPolicyEvaluator.stripLiteralVariables;
import static dev.mlops.datastore.trust.TrustPolicyEvaluator.texts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.trust.ConditionOperator.Qualifier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One evaluation of one trust policy for EKS Pod Identity: can {@code pods.eks.amazonaws.com} call
 * both {@code sts:AssumeRole} and {@code sts:TagSession} on the role for the pods of one service
 * account? The request context is what the EKS User Guide documents (pod-id-role, pod-id-abac): the
 * six session tags as {@code aws:RequestTag/*} and {@code aws:TagKeys}; {@code aws:SourceAccount}
 * (the cluster's account, which is the role's: EKS passes only a role of the cluster's account)
 * and {@code aws:SourceArn} (the cluster ARN), as the EKS Best Practices Guide writes them.
 *
 * <p>Both actions are judged with the same context, each as IAM would (explicit Deny wins, an
 * Allow must match principal, action and every condition); the role is usable only when both are
 * allowed.
 */
final class PodIdentityEvaluation {
  private static final String REQUEST_TAG = "aws:requesttag/";
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern UID =
      Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  private static final Set<String> SCOPING_TAGS =
      Set.of(PodIdentityRequest.TAG_NAMESPACE, PodIdentityRequest.TAG_SERVICE_ACCOUNT);
  private static final Set<String> IDENTITY_TAGS =
      Set.of(
          PodIdentityRequest.TAG_NAMESPACE,
          PodIdentityRequest.TAG_SERVICE_ACCOUNT,
          PodIdentityRequest.TAG_CLUSTER_NAME,
          PodIdentityRequest.TAG_CLUSTER_ARN);

  private enum PrincipalMatch {
    MATCH,
    NO,
    WILDCARD
  }

  /** What the request carries for one condition key. */
  private sealed interface Lookup permits Known, Absent, PresentUnknown, Unmodelled {}

  /** Present, with these values (one, except for aws:TagKeys); {@code what} names them for messages. */
  private record Known(List<String> values, String what) implements Lookup {}

  /** Never in this request; {@code why} says so for messages. */
  private record Absent(String why) implements Lookup {}

  /**
   * Present, but its value is not known here (per pod, or the cluster ARN not given); {@code
   * possible} tells whether a literal value could be it, {@code what} names the value for messages.
   */
  private record PresentUnknown(String why, Pattern possible, String what) implements Lookup {
    boolean couldBe(String value, boolean ignoreCase) {
      return (ignoreCase ? Pattern.compile(possible.pattern(), Pattern.CASE_INSENSITIVE) : possible).matcher(value).matches();
    }
  }

  /** A key this model does not cover (aws:SourceIp, sts:ExternalId, ...); {@code why} may say what it depends on. */
  private record Unmodelled(String why) implements Lookup {}

  private record StatementResult(
      int index,
      String label,
      boolean allow,
      PrincipalMatch principal,
      boolean assumeRole,
      boolean tagSession,
      Tri conditions,
      List<String> failures,
      List<String> unknowns,
      boolean scoped,
      String federated) {
    boolean action(String name) {
      return name.equals(ASSUME_ROLE) ? assumeRole : tagSession;
    }

    boolean definite(String name) {
      return principal == PrincipalMatch.MATCH && action(name) && conditions == Tri.TRUE;
    }

    boolean possible(String name) {
      return principal != PrincipalMatch.NO && action(name) && conditions != Tri.FALSE;
    }
  }

  /** The decision for one action. */
  private record Outcome(Verdict verdict, List<TrustReason> reasons, String text, StatementResult decisive) {}

  private final JsonNode root;
  private final PodIdentityRequest request;
  private final boolean variables;
  private final Findings findings = new Findings();

  PodIdentityEvaluation(JsonNode root, PodIdentityRequest request) {
    this.root = root;
    this.request = request;
    JsonNode version = root.get("Version");
    this.variables = version != null && version.asText().equals("2012-10-17");
  }

  TrustVerdict run() {
    List<StatementResult> results = new ArrayList<>();
    int index = 0;
    for (JsonNode s : asList(root.get("Statement"))) {
      results.add(statement(++index, s));
    }
    Outcome assume = decide(results, ASSUME_ROLE);
    Outcome tag = decide(results, TAG_SESSION);
    for (Outcome o : List.of(assume, tag)) {
      if (o.reasons().contains(TrustReason.ExplicitDeny)) {
        return verdict(o.verdict(), o.reasons(), o.text());
      }
    }
    if (assume.verdict() == Verdict.DENIED) {
      if (tag.reasons().contains(TrustReason.TagSessionNotAllowed) && !assume.reasons().contains(TrustReason.TagSessionNotAllowed)) {
        Set<TrustReason> reasons = new LinkedHashSet<>(assume.reasons());
        reasons.add(TrustReason.TagSessionNotAllowed);
        return verdict(Verdict.DENIED, List.copyOf(reasons), assume.text() + "; " + tag.text());
      }
      return verdict(Verdict.DENIED, assume.reasons(), assume.text());
    }
    if (tag.verdict() == Verdict.DENIED) {
      unscopedWarning(assume.decisive());
      return verdict(Verdict.DENIED, tag.reasons(), tag.text());
    }
    unscopedWarning(assume.decisive());
    if (assume.verdict() == Verdict.UNDETERMINED || tag.verdict() == Verdict.UNDETERMINED) {
      Outcome open = assume.verdict() == Verdict.UNDETERMINED ? assume : tag;
      return verdict(Verdict.UNDETERMINED, List.of(TrustReason.Undetermined), open.text());
    }
    String by = assume.decisive() == tag.decisive()
        ? assume.decisive().label() + " allows " + ASSUME_ROLE + " and " + TAG_SESSION
        : assume.decisive().label() + " allows " + ASSUME_ROLE + " and " + tag.decisive().label() + " allows " + TAG_SESSION;
    return verdict(Verdict.ALLOWED, List.of(TrustReason.Allowed),
        by + " by " + SERVICE_PRINCIPAL + " for the pods of " + request.serviceAccountRef() + " in cluster " + request.clusterName());
  }

  // -- Decision (§1), once per action ----------------------------------------------------------

  private Outcome decide(List<StatementResult> results, String action) {
    StatementResult deny = first(results, r -> !r.allow() && r.definite(action));
    if (deny != null) {
      return new Outcome(Verdict.DENIED, List.of(TrustReason.ExplicitDeny),
          deny.label() + " explicitly denies " + action + " by " + SERVICE_PRINCIPAL + " for the pods of " + request.serviceAccountRef()
              + "; an explicit Deny wins over any Allow", deny);
    }
    StatementResult allow = first(results, r -> r.allow() && r.definite(action));
    StatementResult maybeDeny = first(results, r -> !r.allow() && r.possible(action) && !r.definite(action));
    StatementResult maybeAllow = first(results, r -> r.allow() && r.possible(action) && !r.definite(action));
    if (allow != null && maybeDeny == null) {
      return new Outcome(Verdict.ALLOWED, List.of(TrustReason.Allowed), "", allow);
    }
    if (allow != null || maybeAllow != null) {
      StatementResult open = maybeDeny != null ? maybeDeny : maybeAllow;
      return new Outcome(Verdict.UNDETERMINED, List.of(TrustReason.Undetermined),
          open.label() + (open.allow() ? " may allow " : " may deny ") + action + ", depending on "
              + String.join(" and ", open.unknowns()) + ", which cannot be decided here",
          allow != null ? allow : maybeAllow);
    }
    return closestDenial(results, action);
  }

  private Outcome closestDenial(List<StatementResult> results, String action) {
    List<StatementResult> conditionFailed =
        results.stream().filter(r -> r.allow() && r.principal() != PrincipalMatch.NO && r.action(action)).toList();
    if (!conditionFailed.isEmpty()) {
      List<String> why = new ArrayList<>();
      for (StatementResult r : conditionFailed) {
        for (String f : r.failures()) {
          why.add(r.label() + ": " + f);
        }
      }
      return new Outcome(Verdict.DENIED, List.of(TrustReason.ConditionNotMatched), String.join("; ", why), conditionFailed.get(0));
    }
    StatementResult wrongAction = first(results, r -> r.allow() && r.principal() == PrincipalMatch.MATCH && !r.action(action));
    if (wrongAction != null) {
      if (action.equals(TAG_SESSION)) {
        return new Outcome(Verdict.DENIED, List.of(TrustReason.TagSessionNotAllowed),
            wrongAction.label() + " trusts " + SERVICE_PRINCIPAL + " but does not allow " + TAG_SESSION
                + ", which EKS Pod Identity calls to attach its session tags; add it to Action: [\"" + ASSUME_ROLE + "\", \"" + TAG_SESSION + "\"]",
            wrongAction);
      }
      return new Outcome(Verdict.DENIED, List.of(TrustReason.ActionNotAllowed),
          wrongAction.label() + " trusts " + SERVICE_PRINCIPAL + " but does not allow " + ASSUME_ROLE
              + "; EKS Pod Identity needs Action: [\"" + ASSUME_ROLE + "\", \"" + TAG_SESSION + "\"]",
          wrongAction);
    }
    StatementResult irsa = first(results, r -> r.allow() && r.federated() != null);
    if (irsa != null) {
      return new Outcome(Verdict.DENIED, List.of(TrustReason.IrsaTrustPolicy),
          "this trust policy is written for IRSA (" + irsa.label() + " trusts the OIDC provider " + irsa.federated()
              + " with sts:AssumeRoleWithWebIdentity); Pod Identity needs Service " + SERVICE_PRINCIPAL + " with " + ASSUME_ROLE
              + " and " + TAG_SESSION + ": add a statement {\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"" + SERVICE_PRINCIPAL
              + "\"}, \"Action\": [\"" + ASSUME_ROLE + "\", \"" + TAG_SESSION + "\"]}, or use the IRSA auth mode",
          irsa);
    }
    boolean anyAllow = results.stream().anyMatch(StatementResult::allow);
    return new Outcome(Verdict.DENIED, List.of(TrustReason.NoStatementForProvider),
        (anyAllow ? "no Allow statement names " : "the policy has no Allow statement for ") + "the service principal " + SERVICE_PRINCIPAL
            + " (EKS Pod Identity); add {\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"" + SERVICE_PRINCIPAL + "\"}, \"Action\": [\""
            + ASSUME_ROLE + "\", \"" + TAG_SESSION + "\"]}",
        null);
  }

  private TrustVerdict verdict(Verdict verdict, List<TrustReason> reasons, String explanation) {
    return findings.verdict(verdict, reasons, explanation);
  }

  private void warn(TrustWarning warning, String note) {
    findings.warn(warning, note);
  }

  private void unscopedWarning(StatementResult decisive) {
    if (decisive != null && decisive.allow() && !decisive.scoped()) {
      warn(TrustWarning.UnscopedPodIdentityRole,
          decisive.label() + " has no condition on aws:RequestTag/kubernetes-namespace or aws:RequestTag/kubernetes-service-account:"
              + " any pod identity association that names this role, for any service account of any cluster in the account, can use it;"
              + " add StringEquals on both tags");
    }
  }

  // -- One statement ---------------------------------------------------------------------------

  private StatementResult statement(int index, JsonNode s) {
    String label = label(index, s);
    boolean allow = s.get("Effect").asText().equals("Allow");
    String[] federated = new String[1];
    PrincipalMatch principal = principal(s.get("Principal"), federated);
    boolean not = s.has("NotAction");
    List<String> patterns = texts(not ? s.get("NotAction") : s.get("Action"));
    boolean assume = not != actionListed(patterns, ASSUME_ROLE);
    boolean tag = not != actionListed(patterns, TAG_SESSION);
    if (allow && principal != PrincipalMatch.NO && (assume || tag)) {
      if (not) {
        warn(TrustWarning.NotActionAllow,
            "Allow with NotAction grants every action not listed, including ones you did not mean; list " + ASSUME_ROLE + " and " + TAG_SESSION + " in Action instead");
      } else if (actionListed(patterns, "sts:GetFederationToken")) {
        warn(TrustWarning.BroadAction,
            "the statement allows " + String.join(", ", patterns) + "; allow only " + ASSUME_ROLE + " and " + TAG_SESSION);
      }
    }
    List<String> failures = new ArrayList<>();
    List<String> unknowns = new ArrayList<>();
    if (principal == PrincipalMatch.WILDCARD) {
      unknowns.add("the \"*\" principal (whether it admits a service principal is not documented)");
    }
    boolean[] scoped = new boolean[1];
    Tri conditions = conditions(s.get("Condition"), allow && principal != PrincipalMatch.NO, failures, unknowns, scoped);
    return new StatementResult(index, label, allow, principal, assume, tag, conditions, failures, unknowns, scoped[0], federated[0]);
  }

  private static boolean actionListed(List<String> patterns, String action) {
    for (String pattern : patterns) {
      if (PolicyValue.compile(pattern, true, false, k -> new PolicyValue.Absent()).matches(action, true)) {
        return true;
      }
    }
    return false;
  }

  /** {@code federated[0]} receives the first OIDC provider ARN named, the mark of an IRSA policy. */
  private static PrincipalMatch principal(JsonNode p, String[] federated) {
    if (p.isTextual()) {
      return PrincipalMatch.WILDCARD;
    }
    PrincipalMatch result = PrincipalMatch.NO;
    for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      for (String value : texts(e.getValue())) {
        if (value.equals("*")) {
          if (result == PrincipalMatch.NO) {
            result = PrincipalMatch.WILDCARD;
          }
        } else if (e.getKey().equals("Service") && value.equals(SERVICE_PRINCIPAL)) {
          result = PrincipalMatch.MATCH;
        } else if (e.getKey().equals("Federated") && value.contains(":oidc-provider/") && federated[0] == null) {
          federated[0] = value;
        }
      }
    }
    return result;
  }

  // -- Conditions (§4) ---------------------------------------------------------------------------

  private Tri conditions(JsonNode condition, boolean lint, List<String> failures, List<String> unknowns, boolean[] scoped) {
    if (condition == null) {
      return Tri.TRUE;
    }
    Tri result = Tri.TRUE;
    for (Iterator<Map.Entry<String, JsonNode>> ops = condition.fields(); ops.hasNext(); ) {
      Map.Entry<String, JsonNode> opEntry = ops.next();
      ConditionOperator op = ConditionOperator.parse(opEntry.getKey()).orElseThrow();
      for (Iterator<Map.Entry<String, JsonNode>> keys = opEntry.getValue().fields(); keys.hasNext(); ) {
        Map.Entry<String, JsonNode> keyEntry = keys.next();
        String key = keyEntry.getKey();
        List<String> values = texts(keyEntry.getValue());
        String tag = tagOf(key);
        scoped[0] |= tag != null && SCOPING_TAGS.contains(tag);
        Lookup lookup = lookup(key);
        if (lint) {
          lint(op, key, tag, lookup, values);
        }
        Tri t = condition(op, lookup, values);
        if (t == Tri.FALSE) {
          result = Tri.FALSE;
          failures.add(describeFailure(op, key, lookup, values));
        } else if (t == Tri.UNKNOWN) {
          if (result != Tri.FALSE) {
            result = Tri.UNKNOWN;
          }
          String why = lookup instanceof PresentUnknown p ? p.why() : lookup instanceof Unmodelled u ? u.why() : null;
          unknowns.add(op.raw() + " on " + key + (why == null ? "" : " (" + why + ")"));
        }
      }
    }
    return result;
  }

  private Tri condition(ConditionOperator op, Lookup lookup, List<String> values) {
    if (lookup instanceof Absent) {
      return match(op, null, values);
    }
    if (lookup instanceof Known k) {
      return match(op, k.values(), values);
    }
    if (lookup instanceof PresentUnknown p) {
      if (op.isNull()) {
        return match(op, List.of(""), values);
      }
      boolean wildcards = op.like() || op.isArn();
      // "*" under a Like operator matches every value, known or not.
      if (wildcards && op.qualifier() == Qualifier.NONE && values.stream().allMatch(v -> v.equals("*"))) {
        return op.negated() ? Tri.FALSE : Tri.TRUE;
      }
      // Literal values that no pod name, pod UID or ARN of this cluster can be decide it anyway.
      if ((op.isString() || op.isArn()) && values.stream().allMatch(v -> literal(v, wildcards) && !p.couldBe(v, op.ignoreCase()))) {
        return op.negated() ? Tri.TRUE : Tri.FALSE;
      }
    }
    return Tri.UNKNOWN;
  }

  private boolean literal(String value, boolean wildcards) {
    return !(variables && value.contains("${")) && !(wildcards && (value.contains("*") || value.contains("?")));
  }

  private Tri match(ConditionOperator op, List<String> requestValues, List<String> values) {
    boolean wildcards = op.like() || op.isArn();
    return ConditionMatch.evaluate(op, requestValues, values,
        raw -> PolicyValue.compile(raw, wildcards, variables, this::resolve), true);
  }

  private PolicyValue.Resolution resolve(String variable) {
    Lookup lookup = lookup(variable);
    if (lookup instanceof Known k && k.values().size() == 1) {
      return new PolicyValue.Known(k.values().get(0));
    }
    return lookup instanceof Absent ? new PolicyValue.Absent() : new PolicyValue.Unknowable(variable);
  }

  /** The tag key of an aws:RequestTag/KEY condition key, lower-cased (key names are case-insensitive); else null. */
  private static String tagOf(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return lower.startsWith(REQUEST_TAG) ? lower.substring(REQUEST_TAG.length()) : null;
  }

  private Lookup lookup(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    String tag = tagOf(key);
    if (tag != null) {
      Map<String, String> tags = request.sessionTags();
      if (!tags.containsKey(tag)) {
        return new Absent("EKS Pod Identity attaches only the session tags " + String.join(", ", tags.keySet()) + " and cannot add others");
      }
      String value = tags.get(tag);
      if (value != null) {
        return new Known(List.of(value), "the session tag " + tag + "=" + value);
      }
      return switch (tag) {
        case PodIdentityRequest.TAG_CLUSTER_ARN -> unknownClusterArn();
        case PodIdentityRequest.TAG_POD_NAME -> new PresentUnknown(
            "the pod name differs from pod to pod, so it cannot be decided for a service account",
            DNS_SUBDOMAIN, "pod name (a lowercase DNS name)");
        default -> new PresentUnknown(
            "the pod uid differs from pod to pod, so it cannot be decided for a service account",
            UID, "pod UID (a lowercase UUID)");
      };
    }
    switch (lower) {
      case "aws:tagkeys" -> {
        return new Known(List.copyOf(request.sessionTags().keySet()), "the session tag keys " + request.sessionTags().keySet());
      }
      case "aws:sourceaccount" -> {
        return new Known(List.of(request.clusterAccount()), "the cluster's account " + request.clusterAccount());
      }
      case "aws:sourceorgid" -> {
        return new Unmodelled("whether the cluster's account is in an AWS Organization, and which; EKS sends the organization's ID");
      }
      case "aws:sourcearn" -> {
        return request.clusterArn() != null
            ? new Known(List.of(request.clusterArn()), "the cluster ARN " + request.clusterArn())
            : unknownClusterArn();
      }
      default -> {
        if (isServiceKey(key)) {
          return new Unmodelled(null);
        }
        return new Absent("it is an OIDC provider's key, and Pod Identity has no web identity token");
      }
    }
  }

  /** The cluster ARN when not given: its region is unknown, its partition, account and name are not. */
  private PresentUnknown unknownClusterArn() {
    Pattern arns = Pattern.compile("^arn:" + Pattern.quote(request.partition()) + ":eks:[a-z0-9-]+:"
        + Pattern.quote(request.clusterAccount()) + ":cluster/" + Pattern.quote(request.clusterName()) + "$");
    return new PresentUnknown("the cluster ARN is not known here; give it to decide", arns,
        "ARN of cluster " + request.clusterName() + " (arn:" + request.partition() + ":eks:REGION:" + request.clusterAccount() + ":cluster/"
            + request.clusterName() + ")");
  }

  private String describeFailure(ConditionOperator op, String key, Lookup lookup, List<String> values) {
    String listed = values.size() == 1 ? values.get(0) : values.toString();
    if (lookup instanceof Absent a) {
      return op.raw() + " on " + key + " needs a key the request does not carry: " + a.why();
    }
    if (lookup instanceof Known k) {
      return key + " " + op.raw() + " " + listed
          + (op.isNull() ? " fails: the request carries " + k.what() : (op.negated() ? " excludes " : " does not admit ") + k.what());
    }
    if (lookup instanceof PresentUnknown p) {
      return key + " " + op.raw() + " " + listed
          + (op.isNull() ? " fails: the request always carries this key" : " cannot match any " + p.what());
    }
    return op.raw() + " on " + key + " does not hold";
  }

  /** Warnings on the keys that scope the role to a cluster and service account. */
  private void lint(ConditionOperator op, String key, String tag, Lookup lookup, List<String> values) {
    if (tag == null || !IDENTITY_TAGS.contains(tag)) {
      return;
    }
    boolean scoping = SCOPING_TAGS.contains(tag);
    if (op.isString() && !op.like()) {
      for (String v : values) {
        String bare = stripLiteralVariables(v);
        if (bare.contains("*") || bare.contains("?")) {
          warn(TrustWarning.WildcardWithoutLikeOperator,
              "the role admits " + v + " under " + op.base() + " on " + key + ", where * and ? are literal characters; use StringLike if a wildcard was meant");
        }
      }
    }
    if (scoping && op.like() && !op.negated() && lookup instanceof Known k) {
      for (String v : values) {
        String bare = stripLiteralVariables(v);
        if ((bare.contains("*") || bare.contains("?"))
            && PolicyValue.compile(v, true, variables, this::resolve).matches(k.values().get(0), false)) {
          warn(TrustWarning.WildcardSubject,
              "the pattern " + v + " on " + key + " admits " + k.values().get(0) + " and every other value it matches; list the names that need the role");
        }
      }
    }
    if (scoping && op.negated() && !op.isNull()) {
      warn(TrustWarning.NegatedSubjectMatch,
          op.base() + " on " + key + " admits every value not listed, including ones created later; allow the ones that need the role instead");
    }
    if (op.qualifier() != Qualifier.NONE) {
      warn(TrustWarning.UnsafeSetOperator,
          op.raw() + " on the single-valued " + key + (op.qualifier() == Qualifier.FOR_ALL_VALUES
              ? ": ForAllValues is true when the tag is absent (session tags disabled on the association)" : "")
              + "; use " + op.base() + " without a qualifier");
    }
    if (op.ifExists()) {
      warn(TrustWarning.IfExistsOnIdentityKey,
          op.raw() + " on " + key + " is true whenever the tag is absent, as when the association disables session tags; drop IfExists");
    }
  }
}
