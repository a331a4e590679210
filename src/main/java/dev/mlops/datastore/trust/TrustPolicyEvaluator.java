package dev.mlops.datastore.trust;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.trust.ConditionOperator.Qualifier;
import dev.mlops.datastore.trust.PolicyParser.Duplicate;
import dev.mlops.datastore.trust.PolicyParser.Parsed;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Decides, as IAM would and without calling AWS, whether a role's trust policy lets one service
 * account's token call {@code sts:AssumeRoleWithWebIdentity} (IRSA), or lets EKS Pod Identity
 * assume the role for one service account's pods ({@link #evaluatePodIdentity}), and says why. The
 * rules and their sources are in shared/IAM-TRUST-RULES.md and docs/trust-policy.md; the numbers in
 * comments (§4.3) point to the former.
 *
 * <p>Pure and total: any input, however broken, gives a verdict, never an exception.
 */
public final class TrustPolicyEvaluator {
  private static final Set<String> DOCUMENT_KEYS = Set.of("Version", "Id", "Statement");
  private static final Set<String> STATEMENT_KEYS =
      Set.of("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition");
  private static final Pattern PROVIDER_ARN =
      Pattern.compile("^arn:([^:]*):iam::([^:]*):oidc-provider/(.+)$");
  private static final Pattern EKS_ISSUER =
      Pattern.compile("^oidc\\.eks\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?/id/([^/]+)$");
  private static final Pattern SERVICE_KEY = Pattern.compile("^[A-Za-z0-9-]+:.+");

  private TrustPolicyEvaluator() {}

  /** Evaluates the policy text (URL-decoded, as iam:GetRole's document is after decoding). */
  public static TrustVerdict evaluate(String policyText, TrustRequest request) {
    return evaluateDocument(
        policyText,
        root -> new Evaluation(root, request).run(),
        "\"...:sub\": [\"system:serviceaccount:ns:a\", \"system:serviceaccount:ns:b\"]");
  }

  /**
   * Decides whether EKS Pod Identity may assume the role for the pods of one service account:
   * {@code sts:AssumeRole} and {@code sts:TagSession} by the service principal {@code
   * pods.eks.amazonaws.com}, with the session tags EKS attaches. Pure and total, as {@link
   * #evaluate}.
   */
  public static TrustVerdict evaluatePodIdentity(String policyText, PodIdentityRequest request) {
    return evaluateDocument(
        policyText,
        root -> new PodIdentityEvaluation(root, request).run(),
        "\"aws:RequestTag/kubernetes-service-account\": [\"a\", \"b\"]");
  }

  /**
   * What both request kinds share: parse (noticing duplicate keys), check IAM's grammar, run the
   * evaluation, and turn anything unforeseen into a verdict.
   *
   * @param arrayExample how one key with an array of values reads, for the duplicate-key fix
   */
  static TrustVerdict evaluateDocument(String policyText, Function<JsonNode, TrustVerdict> evaluation, String arrayExample) {
    try {
      Parsed parsed = PolicyParser.parse(policyText);
      if (parsed.root() == null) {
        return malformed(List.of(parsed.syntaxError()), List.of());
      }
      List<String> grammar = grammarErrors(parsed.root());
      if (!grammar.isEmpty()) {
        return malformed(grammar, List.of());
      }
      TrustVerdict verdict = evaluation.apply(parsed.root());
      if (!parsed.duplicates().isEmpty()) {
        return duplicateKeys(parsed.duplicates(), verdict, arrayExample);
      }
      return verdict;
    } catch (RuntimeException e) {
      // Total by contract: a case this code did not foresee is a malformed policy, not a crash.
      return malformed(List.of("the document could not be evaluated (" + e.getClass().getSimpleName() + ")"), List.of());
    }
  }

  private static TrustVerdict malformed(List<String> problems, List<TrustWarning> warnings) {
    return new TrustVerdict(
        Verdict.DENIED,
        List.of(TrustReason.MalformedPolicy),
        warnings,
        "the trust policy is not a valid IAM policy: " + String.join("; ", problems));
  }

  private static TrustVerdict duplicateKeys(List<Duplicate> duplicates, TrustVerdict lastWins, String arrayExample) {
    String which =
        duplicates.stream()
            .map(d -> "\"" + d.key() + "\" appears " + d.times() + " times in " + d.path())
            .collect(Collectors.joining("; "));
    Set<TrustWarning> warnings = new LinkedHashSet<>();
    warnings.add(TrustWarning.DuplicateKey);
    warnings.addAll(lastWins.warnings());
    String explanation =
        "the trust policy repeats a JSON key ("
            + which
            + "), which IAM's grammar forbids; fix: use one key with an array of values, e.g. "
            + arrayExample
            + "."
            + " JSON parsers keep only the last value; read that way the role would be "
            + lastWins.verdict().name()
            + " for this service account ("
            + lastWins.explanation()
            + ")";
    return new TrustVerdict(Verdict.DENIED, List.of(TrustReason.MalformedPolicy), List.copyOf(warnings), explanation);
  }

  // ---------------------------------------------------------------------------------------------
  // Grammar (§7): what IAM would refuse to store.

  private static List<String> grammarErrors(JsonNode root) {
    List<String> errors = new ArrayList<>();
    if (!root.isObject()) {
      errors.add("the document must be a JSON object");
      return errors;
    }
    root.fieldNames().forEachRemaining(k -> {
      if (!DOCUMENT_KEYS.contains(k)) {
        errors.add("unknown top-level element \"" + k + "\"");
      }
    });
    JsonNode version = root.get("Version");
    if (version != null && !(version.isTextual() && (version.asText().equals("2012-10-17") || version.asText().equals("2008-10-17")))) {
      errors.add("Version must be \"2012-10-17\" or \"2008-10-17\", not " + version);
    }
    JsonNode statements = root.get("Statement");
    if (statements == null) {
      errors.add("the document has no Statement");
      return errors;
    }
    Set<String> sids = new HashSet<>();
    int index = 0;
    for (JsonNode s : asList(statements)) {
      index++;
      String at = "statement " + index;
      if (!s.isObject()) {
        errors.add(at + " is not an object");
        continue;
      }
      s.fieldNames().forEachRemaining(k -> {
        if (!STATEMENT_KEYS.contains(k)) {
          errors.add(at + " has an unknown element \"" + k + "\"");
        }
      });
      JsonNode sid = s.get("Sid");
      if (sid != null && (!sid.isTextual() || !sids.add(sid.asText()))) {
        errors.add(at + " repeats Sid " + sid + " (Sids must be unique)");
      }
      JsonNode effect = s.get("Effect");
      if (effect == null || !effect.isTextual() || !(effect.asText().equals("Allow") || effect.asText().equals("Deny"))) {
        errors.add(at + ": Effect must be \"Allow\" or \"Deny\" (case-sensitive), not " + effect);
      }
      if (s.has("NotPrincipal")) {
        errors.add(at + ": NotPrincipal is not allowed in a role trust policy");
      } else if (!s.has("Principal")) {
        errors.add(at + " has no Principal");
      } else if (!validPrincipal(s.get("Principal"))) {
        errors.add(at + ": Principal must be \"*\" or an object of AWS/Federated/Service/CanonicalUser values");
      }
      if (s.has("Action") == s.has("NotAction")) {
        errors.add(at + " must have exactly one of Action and NotAction");
      } else if (!stringOrStrings(s.has("Action") ? s.get("Action") : s.get("NotAction"))) {
        errors.add(at + ": Action must be a string or an array of strings");
      }
      if (s.has("Resource") || s.has("NotResource")) {
        errors.add(at + ": a role trust policy cannot name a Resource");
      }
      JsonNode condition = s.get("Condition");
      if (condition != null) {
        if (!condition.isObject()) {
          errors.add(at + ": Condition must be an object");
          continue;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = condition.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> op = it.next();
          if (ConditionOperator.parse(op.getKey()).isEmpty()) {
            errors.add(at + ": unknown condition operator \"" + op.getKey() + "\"");
            continue;
          }
          if (!op.getValue().isObject()) {
            errors.add(at + ": " + op.getKey() + " must map condition keys to values");
            continue;
          }
          Set<String> lowerKeys = new HashSet<>();
          for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
            Map.Entry<String, JsonNode> key = keys.next();
            if (!lowerKeys.add(key.getKey().toLowerCase(Locale.ROOT))) {
              errors.add(at + ": condition key " + key.getKey() + " appears more than once with different capitalization in " + op.getKey());
            }
            if (!scalarOrScalars(key.getValue())) {
              errors.add(at + ": the value of " + key.getKey() + " must be a string or an array of strings");
            }
          }
        }
      }
    }
    if (index == 0) {
      errors.add("Statement is empty");
    }
    return errors;
  }

  private static boolean validPrincipal(JsonNode p) {
    if (p.isTextual()) {
      return p.asText().equals("*");
    }
    if (!p.isObject() || p.isEmpty()) {
      return false;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!Set.of("AWS", "Federated", "Service", "CanonicalUser").contains(e.getKey()) || !stringOrStrings(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  private static boolean stringOrStrings(JsonNode n) {
    if (n.isTextual()) {
      return true;
    }
    if (!n.isArray() || n.isEmpty()) {
      return false;
    }
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static boolean scalarOrScalars(JsonNode n) {
    if (n.isValueNode() && !n.isNull()) {
      return true;
    }
    if (!n.isArray() || n.isEmpty()) {
      return false;
    }
    for (JsonNode e : n) {
      if (!e.isValueNode() || e.isNull()) {
        return false;
      }
    }
    return true;
  }

  /**
   * A global or service condition key ({@code aws:SourceIp}, {@code sts:ExternalId}), as opposed
   * to an OIDC provider's key ({@code oidc.eks.REGION.amazonaws.com/id/ID:sub}), whose prefix is a
   * host name.
   */
  static boolean isServiceKey(String key) {
    int colon = key.indexOf(':');
    String head = colon < 0 ? key : key.substring(0, colon);
    return SERVICE_KEY.matcher(key).matches() && !head.contains(".") && !head.equalsIgnoreCase("https") && !head.equalsIgnoreCase("http");
  }

  /** "statement N (Sid)", as explanations name a statement. */
  static String label(int index, JsonNode statement) {
    String sid = statement.hasNonNull("Sid") ? statement.get("Sid").asText() : null;
    return "statement " + index + (sid == null || sid.isEmpty() ? "" : " (" + sid + ")");
  }

  /** A condition value without the literal-character variables ${*}, ${?} and ${$}. */
  static String stripLiteralVariables(String v) {
    return v.replace("${*}", "").replace("${?}", "").replace("${$}", "");
  }

  static <T> T first(List<T> items, Predicate<T> p) {
    return items.stream().filter(p).findFirst().orElse(null);
  }

  static List<JsonNode> asList(JsonNode n) {
    List<JsonNode> list = new ArrayList<>();
    if (n == null) {
      return list;
    }
    if (n.isArray()) {
      n.forEach(list::add);
    } else {
      list.add(n);
    }
    return list;
  }

  static List<String> texts(JsonNode n) {
    return asList(n).stream().map(JsonNode::asText).toList();
  }

  // ---------------------------------------------------------------------------------------------

  private enum KeyKind {
    SUB,
    AUD,
    /** A claim of this provider that EKS tokens do not carry (amr, azp, a misspelling). */
    ABSENT_CLAIM,
    /** A key of another provider, or of this one spelled differently: never in this request. */
    OTHER_PROVIDER,
    /** A global or service key (aws:SourceIp, ...) whose value a trust policy cannot show. */
    UNMODELLED
  }

  private enum PrincipalMatch {
    MATCH,
    NO,
    WILDCARD
  }

  /** One condition that did not hold, and how to say so. */
  private record Failure(KeyKind kind, String text) {}

  private record StatementResult(
      int index,
      String label,
      boolean allow,
      PrincipalMatch principal,
      boolean action,
      Tri conditions,
      List<Failure> failures,
      List<String> unknowns) {
    boolean definite() {
      return principal == PrincipalMatch.MATCH && action && conditions == Tri.TRUE;
    }

    boolean possible() {
      return principal != PrincipalMatch.NO && action && conditions != Tri.FALSE;
    }
  }

  /** One evaluation of one document for one request. */
  private static final class Evaluation {
    private final JsonNode root;
    private final TrustRequest request;
    private final boolean variables;
    private final Findings findings = new Findings();
    private final List<String> nearMisses = new ArrayList<>();

    Evaluation(JsonNode root, TrustRequest request) {
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
      // Other providers beside this cluster's are a multi-cluster policy, not a mistake.
      boolean trustsThisProvider =
          results.stream().anyMatch(r -> r.allow() && r.principal() == PrincipalMatch.MATCH);
      if (!trustsThisProvider && !nearMisses.isEmpty()) {
        warn(TrustWarning.ProviderMismatch, String.join("; ", nearMisses));
      }
      if (!TrustRequest.DEFAULT_AUDIENCE.equals(request.audience())) {
        warn(TrustWarning.NonDefaultAudience,
            "the token audience is " + request.audience() + ", not sts.amazonaws.com: the service account needs"
                + " eks.amazonaws.com/audience and the OIDC provider must list it among its client IDs");
      }

      StatementResult deny = first(results, r -> !r.allow() && r.definite());
      if (deny != null) {
        return verdict(Verdict.DENIED, List.of(TrustReason.ExplicitDeny),
            deny.label() + " explicitly denies sts:AssumeRoleWithWebIdentity for " + request.subject()
                + "; an explicit Deny wins over any Allow");
      }
      StatementResult allow = first(results, r -> r.allow() && r.definite());
      StatementResult maybeDeny = first(results, r -> !r.allow() && r.possible() && !r.definite());
      StatementResult maybeAllow = first(results, r -> r.allow() && r.possible() && !r.definite());
      if (allow != null && maybeDeny == null) {
        identityWarnings(root, allow);
        return verdict(Verdict.ALLOWED, List.of(TrustReason.Allowed),
            allow.label() + " allows sts:AssumeRoleWithWebIdentity for " + request.subject() + " from " + request.providerArn());
      }
      if (allow != null || maybeAllow != null) {
        StatementResult open = maybeDeny != null ? maybeDeny : maybeAllow;
        if (allow == null) {
          identityWarnings(root, maybeAllow);
        }
        return verdict(Verdict.UNDETERMINED, List.of(TrustReason.Undetermined),
            open.label() + (open.allow() ? " may allow" : " may deny") + " the request, depending on "
                + String.join(" and ", open.unknowns()) + ", which a trust policy alone cannot show");
      }
      return closestDenial(results);
    }

    private TrustVerdict closestDenial(List<StatementResult> results) {
      List<StatementResult> conditionFailed =
          results.stream().filter(r -> r.allow() && r.principal() != PrincipalMatch.NO && r.action()).toList();
      if (!conditionFailed.isEmpty()) {
        identityWarnings(root, conditionFailed.get(0));
        Set<TrustReason> reasons = new LinkedHashSet<>();
        List<String> why = new ArrayList<>();
        for (StatementResult r : conditionFailed) {
          for (Failure f : r.failures()) {
            reasons.add(switch (f.kind()) {
              case SUB -> TrustReason.SubjectNotMatched;
              case AUD -> TrustReason.AudienceNotMatched;
              default -> TrustReason.ConditionNotMatched;
            });
            why.add(r.label() + ": " + f.text());
          }
        }
        return verdict(Verdict.DENIED, List.copyOf(reasons), String.join("; ", why));
      }
      StatementResult wrongAction =
          first(results, r -> r.allow() && r.principal() == PrincipalMatch.MATCH && !r.action());
      if (wrongAction != null) {
        return verdict(Verdict.DENIED, List.of(TrustReason.ActionNotAllowed),
            wrongAction.label() + " trusts " + request.providerArn()
                + " but does not allow sts:AssumeRoleWithWebIdentity; add it to Action");
      }
      boolean anyAllow = results.stream().anyMatch(StatementResult::allow);
      String base =
          (anyAllow ? "no Allow statement names " : "the policy has no Allow statement for ")
              + request.providerArn()
              + " (this cluster's OIDC provider in the role's account " + request.account() + ") as its Federated principal";
      return verdict(Verdict.DENIED, List.of(TrustReason.NoStatementForProvider), base);
    }

    private TrustVerdict verdict(Verdict verdict, List<TrustReason> reasons, String explanation) {
      return findings.verdict(verdict, reasons, explanation);
    }

    private void warn(TrustWarning warning, String note) {
      findings.warn(warning, note);
    }

    private StatementResult statement(int index, JsonNode s) {
      String label = label(index, s);
      boolean allow = s.get("Effect").asText().equals("Allow");
      PrincipalMatch principal = principal(s.get("Principal"), allow);
      boolean action = action(s, allow, principal);
      List<Failure> failures = new ArrayList<>();
      List<String> unknowns = new ArrayList<>();
      if (principal == PrincipalMatch.WILDCARD) {
        unknowns.add("the \"*\" principal (whether it admits a web identity is not documented)");
      }
      Tri conditions = conditions(s.get("Condition"), label, allow, principal, failures, unknowns);
      return new StatementResult(index, label, allow, principal, action, conditions, failures, unknowns);
    }

    // -- Principal (§2) ---------------------------------------------------------------------------

    private PrincipalMatch principal(JsonNode p, boolean allow) {
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
          } else if (e.getKey().equals("Federated")) {
            if (value.equals(request.providerArn())) {
              result = PrincipalMatch.MATCH;
            } else if (allow) {
              nearMiss(value);
            }
          } else if (e.getKey().equals("Service") && value.toLowerCase(Locale.ROOT).startsWith("pods.eks.amazonaws.com")) {
            warn(TrustWarning.PodIdentityTrustPolicy,
                "the role trusts pods.eks.amazonaws.com, which is EKS Pod Identity, not IRSA: an IRSA token is not admitted by that statement; use a pod identity association or add a Federated statement for " + request.providerArn());
          }
        }
      }
      return result;
    }

    private void nearMiss(String federated) {
      String ours = request.providerPrefix();
      Matcher m = PROVIDER_ARN.matcher(federated);
      List<String> differences = new ArrayList<>();
      if (m.matches()) {
        String theirs = m.group(3);
        if (!m.group(1).equals(request.partition())) {
          differences.add("partition " + m.group(1) + " instead of " + request.partition());
        }
        if (!m.group(2).equals(request.account())) {
          differences.add("account " + m.group(2) + " instead of the role's account " + request.account()
              + " (the provider must be in the role's account)");
        }
        if (!theirs.equals(ours)) {
          String issuerDiff = issuerDifference(theirs, ours);
          if (issuerDiff == null) {
            return; // another issuer altogether, not a near miss of this one
          }
          differences.add(issuerDiff);
        }
      } else if (federated.equals(ours) || federated.equals(request.issuer())) {
        differences.add("the issuer is given instead of the provider ARN " + request.providerArn());
      } else {
        return;
      }
      if (differences.size() == 1) {
        nearMisses.add(
            "Federated principal " + federated + " nearly names this cluster's provider " + request.providerArn()
                + ": " + differences.get(0));
      }
    }

    private static String issuerDifference(String theirs, String ours) {
      if (theirs.equalsIgnoreCase(ours)) {
        return "different letter case (provider URLs are case-sensitive)";
      }
      if (theirs.equals(ours + "/") || (theirs + "/").equals(ours)) {
        return "a trailing slash differs (it is part of the provider URL)";
      }
      if (theirs.startsWith("https://") && theirs.substring(8).equals(ours)) {
        return "https:// is included (the provider ARN names the issuer without its scheme)";
      }
      Matcher a = EKS_ISSUER.matcher(theirs);
      Matcher b = EKS_ISSUER.matcher(ours);
      if (a.matches() && b.matches()) {
        List<String> parts = new ArrayList<>();
        if (!a.group(1).equals(b.group(1))) {
          parts.add("region " + a.group(1) + " instead of " + b.group(1));
        }
        if (!a.group(3).equals(b.group(3))) {
          parts.add(a.group(3).equalsIgnoreCase(b.group(3))
              ? "cluster ID differs in letter case"
              : "cluster ID " + a.group(3) + " instead of " + b.group(3) + " (another cluster's issuer)");
        }
        // Region and ID both different: another cluster, not a near miss of this one.
        return parts.size() == 1 ? parts.get(0) : null;
      }
      return null;
    }

    // -- Action (§3) ------------------------------------------------------------------------------

    private boolean action(JsonNode s, boolean allow, PrincipalMatch principal) {
      boolean not = s.has("NotAction");
      List<String> patterns = texts(not ? s.get("NotAction") : s.get("Action"));
      boolean any = false;
      boolean broad = false;
      for (String pattern : patterns) {
        PolicyValue v = PolicyValue.compile(pattern, true, false, k -> new PolicyValue.Absent());
        if (v.matches(TrustRequest.ACTION, true)) {
          any = true;
          if (v.matches("sts:AssumeRole", true) && v.matches("sts:GetFederationToken", true)) {
            broad = true;
          }
        }
      }
      boolean matches = not != any;
      if (allow && principal != PrincipalMatch.NO && matches) {
        if (not) {
          warn(TrustWarning.NotActionAllow,
              "Allow with NotAction grants every action not listed, including ones you did not mean; list sts:AssumeRoleWithWebIdentity in Action instead");
        } else if (broad) {
          warn(TrustWarning.BroadAction,
              "the statement allows " + String.join(", ", patterns) + "; allow only sts:AssumeRoleWithWebIdentity (and sts:TagSession if needed)");
        }
      }
      return matches;
    }

    // -- Conditions (§4) --------------------------------------------------------------------------

    private Tri conditions(JsonNode condition, String label, boolean allow, PrincipalMatch principal,
        List<Failure> failures, List<String> unknowns) {
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
          KeyKind kind = classify(key);
          if (allow && principal != PrincipalMatch.NO) {
            lint(op, key, kind, values);
          }
          Tri t = condition(op, kind, values);
          if (t == Tri.FALSE) {
            result = Tri.FALSE;
            failures.add(new Failure(kind, describeFailure(op, key, kind, values)));
          } else if (t == Tri.UNKNOWN) {
            if (result != Tri.FALSE) {
              result = Tri.UNKNOWN;
            }
            unknowns.add(op.raw() + " on " + key);
          }
        }
      }
      return result;
    }

    private KeyKind classify(String key) {
      String lower = key.toLowerCase(Locale.ROOT);
      String prefix = request.providerPrefix().toLowerCase(Locale.ROOT);
      if (lower.startsWith(prefix + ":")) {
        String claim = lower.substring(prefix.length() + 1);
        return switch (claim) {
          case "sub" -> KeyKind.SUB;
          case "aud" -> KeyKind.AUD;
          default -> KeyKind.ABSENT_CLAIM;
        };
      }
      return isServiceKey(key) ? KeyKind.UNMODELLED : KeyKind.OTHER_PROVIDER;
    }

    private String contextValue(KeyKind kind) {
      return switch (kind) {
        case SUB -> request.subject();
        case AUD -> request.audience();
        default -> null;
      };
    }

    private Tri condition(ConditionOperator op, KeyKind kind, List<String> values) {
      if (kind == KeyKind.UNMODELLED) {
        return Tri.UNKNOWN;
      }
      String value = contextValue(kind);
      return ConditionMatch.evaluate(
          op, value == null ? null : List.of(value), values,
          raw -> PolicyValue.compile(raw, op.like(), variables, this::resolve), false);
    }

    private PolicyValue.Resolution resolve(String variable) {
      KeyKind kind = classify(variable);
      return switch (kind) {
        case SUB, AUD -> new PolicyValue.Known(contextValue(kind));
        case ABSENT_CLAIM, OTHER_PROVIDER -> new PolicyValue.Absent();
        case UNMODELLED -> new PolicyValue.Unknowable(variable);
      };
    }

    private void lint(ConditionOperator op, String key, KeyKind kind, List<String> values) {
      boolean identity = kind == KeyKind.SUB || kind == KeyKind.AUD;
      if (op.isString() && !op.like()) {
        for (String v : values) {
          if (stripLiteralVariables(v).contains("*") || stripLiteralVariables(v).contains("?")) {
            String hint = kind == KeyKind.SUB
                ? "; use StringLike, or list " + request.namespace() + ":" + request.serviceAccount() + " as system:serviceaccount:" + request.namespace() + ":" + request.serviceAccount()
                : "; use StringLike if a wildcard was meant";
            warn(TrustWarning.WildcardWithoutLikeOperator,
                "the role admits " + v + " under " + op.base() + ", where * and ? are literal characters" + hint);
          }
        }
      }
      if (kind == KeyKind.SUB && op.like() && !op.negated()) {
        for (String v : values) {
          String bare = stripLiteralVariables(v);
          if ((bare.contains("*") || bare.contains("?")) && PolicyValue.compile(v, true, variables, this::resolve).matches(request.subject(), false)) {
            warn(TrustWarning.WildcardSubject,
                "the pattern " + v + " admits " + request.subject() + " and every other service account it matches"
                    + " (StringLike's * crosses \":\"); list the service accounts that need the role");
          }
        }
      }
      if (kind == KeyKind.SUB && op.negated() && !op.isNull()) {
        warn(TrustWarning.NegatedSubjectMatch,
            op.base() + " on " + key + " admits every service account not listed, including ones created later; allow the ones that need the role instead");
      }
      if (identity && op.qualifier() != Qualifier.NONE) {
        warn(TrustWarning.UnsafeSetOperator,
            op.raw() + " on the single-valued " + key + (op.qualifier() == Qualifier.FOR_ALL_VALUES
                ? ": ForAllValues is true when the key is absent" : "")
                + "; use " + op.base() + " without a qualifier");
      }
      if (identity && op.ifExists()) {
        warn(TrustWarning.IfExistsOnIdentityKey,
            op.raw() + " on " + key + " is true whenever the key is absent; drop IfExists");
      }
      if (kind == KeyKind.OTHER_PROVIDER) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.endsWith(":sub") || lower.endsWith(":aud")) {
          warn(TrustWarning.ConditionKeyForOtherProvider,
              "condition key " + key + " is not this cluster's (" + (lower.endsWith(":sub") ? request.subjectKey() : request.audienceKey())
                  + "): " + otherProviderHint(key) + "; a key that is not in the request never matches");
        }
      }
    }

    private String otherProviderHint(String key) {
      String lower = key.toLowerCase(Locale.ROOT);
      String ours = request.providerPrefix().toLowerCase(Locale.ROOT);
      String prefix = lower.substring(0, lower.lastIndexOf(':'));
      if (prefix.startsWith("https://") && prefix.substring(8).equals(ours)) {
        return "it includes https://, which condition keys never do";
      }
      if (prefix.equals(ours + "/") || (prefix + "/").equals(ours)) {
        return "a trailing slash differs";
      }
      return "it names another issuer";
    }

    private String describeFailure(ConditionOperator op, String key, KeyKind kind, List<String> values) {
      String listed = values.size() == 1 ? values.get(0) : values.toString();
      return switch (kind) {
        case SUB -> key + " " + op.raw() + " " + listed + " does not admit the token's sub " + request.subject()
            + (op.negated() ? "" : hintForSubject(op, values));
        case AUD -> key + " " + op.raw() + " " + listed + " does not admit the token's aud " + request.audience();
        case ABSENT_CLAIM -> op.raw() + " on " + key + " needs a claim that EKS service account tokens do not carry";
        case OTHER_PROVIDER -> op.raw() + " on " + key + " names a key this cluster's tokens never carry (expected "
            + (key.toLowerCase(Locale.ROOT).endsWith(":aud") ? request.audienceKey() : request.subjectKey()) + ")";
        case UNMODELLED -> op.raw() + " on " + key + " does not hold";
      };
    }

    private String hintForSubject(ConditionOperator op, List<String> values) {
      for (String v : values) {
        if (!op.like() && (v.contains("*") || v.contains("?"))) {
          PolicyValue asLike = PolicyValue.compile(v, true, variables, this::resolve);
          if (asLike.matches(request.subject(), op.ignoreCase())) {
            return " (the role admits " + v + " under " + op.base() + ", where * is literal; use StringLike or list "
                + request.namespace() + ":" + request.serviceAccount() + ")";
          }
        }
      }
      return "; add " + request.subject() + " to the list";
    }

    /** Missing-condition warnings for the statement that decided (or nearly decided). */
    private void identityWarnings(JsonNode root, StatementResult decisive) {
      if (decisive == null) {
        return;
      }
      JsonNode s = asList(root.get("Statement")).get(decisive.index() - 1);
      JsonNode condition = s.get("Condition");
      boolean hasSub = false;
      boolean hasAud = false;
      if (condition != null) {
        for (JsonNode block : condition) {
          for (Iterator<String> keys = block.fieldNames(); keys.hasNext(); ) {
            KeyKind kind = classify(keys.next());
            hasSub |= kind == KeyKind.SUB;
            hasAud |= kind == KeyKind.AUD;
          }
        }
      }
      if (!hasSub) {
        warn(TrustWarning.MissingSubjectCondition,
            decisive.label() + " has no condition on " + request.subjectKey() + ": every service account of the cluster (any token from "
                + request.issuer() + ") can assume the role; add StringEquals on " + request.subjectKey());
      }
      if (!hasAud) {
        warn(TrustWarning.MissingAudienceCondition,
            decisive.label() + " has no condition on " + request.audienceKey() + "; add StringEquals " + request.audienceKey() + ": " + request.audience());
      }
    }
  }
}
