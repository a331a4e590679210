package dev.mlops.datastore.sandbox.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the sandbox's STS decides whether a role's trust policy lets a caller in: a small matcher of
 * its own, deliberately written apart from the operator's {@code trust} package, so that the
 * operator's verdict ({@code TrustPolicyValid}) and STS's answer ({@code CredentialsVerified})
 * come from two readings and can disagree when one of them is wrong.
 *
 * <p>It reads the policy as a JSON parser does (a duplicate key keeps its last value), takes the
 * statements whose {@code Principal} names the caller ({@code Federated}: the token's provider, for
 * AssumeRoleWithWebIdentity; {@code Service}: {@code pods.eks.amazonaws.com}, for EKS Pod
 * Identity; {@code AWS}: a role ARN or its account, for role chaining) and whose {@code Action}
 * covers the action asked, and evaluates their conditions on the request's context keys
 * ({@code <issuer-host-path>:sub} and {@code :aud}; {@code aws:RequestTag/<tag>},
 * {@code aws:SourceAccount}, {@code aws:SourceArn}, {@code sts:ExternalId}) with StringEquals,
 * StringLike, StringNotEquals, StringNotLike, the four Arn operators (each also with
 * {@code IfExists}) and {@code ForAnyValue:StringEquals/StringLike}. A matching Deny wins; else a
 * matching Allow admits. Whatever it does not understand in a statement that could apply (another
 * operator, a key such as {@code aws:SourceIp}, NotAction, a {@code "*"} principal) denies, and
 * the reason says what it was.
 *
 * <p>EKS Pod Identity asks for two actions at once when it passes session tags:
 * {@code sts:AssumeRole} and {@code sts:TagSession}; both must be allowed ({@link #decidePodIdentity}).
 */
public final class StsTrustMatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> STATEMENT_FIELDS = Set.of("Sid", "Effect", "Principal", "Action", "Condition");
  private static final Set<String> OPERATORS = Set.of("StringEquals", "StringLike", "StringNotEquals", "StringNotLike",
      "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike");
  /** Keys STS understands for the requests the sandbox emulates, when the request does not carry them. */
  private static final Set<String> KNOWN_ABSENT_KEYS = Set.of("aws:sourceaccount", "aws:sourcearn", "sts:externalid");

  /** The service principal EKS Pod Identity assumes roles as. */
  public static final String POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com";

  /**
   * STS's answer; {@code why} says which statement decided, or ({@code understood} false) what in
   * the policy the matcher could not read, which denies.
   */
  public record Decision(boolean allowed, boolean understood, String why) {}

  /** What the token brings: the provider it was matched to, and the request's context keys. */
  public record WebIdentity(String providerArn, String issuerHostPath, String subject, String audience) {}

  /**
   * Who asks, as a trust policy's {@code Principal} names it: {@code type} is "Federated",
   * "Service" or "AWS", {@code names} the values that name this caller.
   */
  public record Caller(String type, Set<String> names) {}

  /** One request to STS: who asks, for which action, with which context keys (lower-case names). */
  public record Request(Caller caller, String action, Map<String, String> context) {}

  private StsTrustMatcher() {}

  public static Decision decide(String policyText, WebIdentity identity) {
    return decide(policyText, new Request(new Caller("Federated", Set.of(identity.providerArn())), "sts:AssumeRoleWithWebIdentity", Map.of(
        identity.issuerHostPath().toLowerCase(Locale.ROOT) + ":sub", identity.subject(),
        identity.issuerHostPath().toLowerCase(Locale.ROOT) + ":aud", identity.audience())));
  }

  /**
   * EKS Pod Identity's AssumeRole of the association's role: principal Service
   * {@code pods.eks.amazonaws.com}, context {@code aws:SourceAccount} and {@code aws:SourceArn}
   * (the cluster's account and ARN) and, unless the association disables them, the session tags as
   * {@code aws:RequestTag/<key>}; with tags, {@code sts:TagSession} must be allowed as well.
   */
  public static Decision decidePodIdentity(String policyText, Map<String, String> sessionTags, String sourceAccount, String sourceArn) {
    Map<String, String> context = new java.util.HashMap<>(requestTags(sessionTags));
    context.put("aws:sourceaccount", sourceAccount);
    context.put("aws:sourcearn", sourceArn);
    return decideAll(policyText, new Caller("Service", Set.of(POD_IDENTITY_SERVICE)), !sessionTags.isEmpty(), context);
  }

  /**
   * Role chaining, as EKS Pod Identity does for a target role: the first role's session assumes
   * this one. Principal AWS names the first role (or its account); context {@code sts:ExternalId}
   * and the session tags passed on; with tags, {@code sts:TagSession} must be allowed as well.
   */
  public static Decision decideRoleChain(String policyText, String callerRoleArn, Map<String, String> sessionTags, String externalId) {
    String account = callerRoleArn.split(":")[4];
    String partition = callerRoleArn.split(":")[1];
    Map<String, String> context = new java.util.HashMap<>(requestTags(sessionTags));
    if (externalId != null) {
      context.put("sts:externalid", externalId);
    }
    Caller caller = new Caller("AWS", Set.of(callerRoleArn, "arn:" + partition + ":iam::" + account + ":root", account));
    return decideAll(policyText, caller, !sessionTags.isEmpty(), context);
  }

  private static Map<String, String> requestTags(Map<String, String> tags) {
    Map<String, String> out = new java.util.HashMap<>();
    tags.forEach((k, v) -> out.put("aws:requesttag/" + k.toLowerCase(Locale.ROOT), v));
    return out;
  }

  /** sts:AssumeRole, and sts:TagSession when tags are passed: each must be allowed. */
  private static Decision decideAll(String policyText, Caller caller, boolean tags, Map<String, String> context) {
    Decision assume = decide(policyText, new Request(caller, "sts:AssumeRole", context));
    if (!assume.allowed() || !tags) {
      return assume.allowed() ? assume : new Decision(false, assume.understood(), "sts:AssumeRole: " + assume.why());
    }
    Decision tag = decide(policyText, new Request(caller, "sts:TagSession", context));
    return tag.allowed() ? new Decision(true, true, assume.why() + " sts:AssumeRole; " + tag.why() + " sts:TagSession")
        : new Decision(false, tag.understood(), "sts:TagSession (session tags are passed): " + tag.why());
  }

  public static Decision decide(String policyText, Request request) {
    String wanted = request.action().toLowerCase(Locale.ROOT);
    JsonNode root;
    try {
      root = JSON.readTree(policyText);
    } catch (JsonProcessingException e) {
      return unreadable("the trust policy is not JSON");
    }
    if (root == null || !root.isObject()) {
      return unreadable("the trust policy is not a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!Set.of("Version", "Id", "Statement").contains(field)) {
        return unreadable("the trust policy has a top-level field '" + field + "' the sandbox STS does not understand");
      }
    }
    JsonNode statements = root.path("Statement");
    List<JsonNode> list = new ArrayList<>();
    if (statements.isObject()) {
      list.add(statements);
    } else if (statements.isArray()) {
      statements.forEach(list::add);
    } else {
      return unreadable("the trust policy has no Statement");
    }
    Map<String, String> context = request.context();
    String allowedBy = null;
    for (int i = 0; i < list.size(); i++) {
      JsonNode s = list.get(i);
      String at = "Statement[" + i + "]" + (s.path("Sid").isTextual() ? " (" + s.path("Sid").asText() + ")" : "");
      if (!s.isObject()) {
        return unreadable(at + " is not an object");
      }
      String principal = principalProblem(s.path("Principal"), request.caller());
      if (principal == null) {
        continue; // names another principal: does not apply to this token
      }
      if (!principal.isEmpty()) {
        return unreadable(at + ": " + principal);
      }
      for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (!STATEMENT_FIELDS.contains(field)) {
          return unreadable(at + " has '" + field + "', which the sandbox STS does not understand");
        }
      }
      String effect = s.path("Effect").asText("");
      if (!effect.equals("Allow") && !effect.equals("Deny")) {
        return unreadable(at + " has Effect '" + effect + "' (expected Allow or Deny)");
      }
      Boolean action = coversAction(s.path("Action"), wanted);
      if (action == null) {
        return unreadable(at + " has an Action that is not a string or a list of strings");
      }
      if (!action) {
        continue;
      }
      String conditionProblem = conditionProblem(s.path("Condition"), context);
      if (conditionProblem != null && conditionProblem.startsWith("!")) {
        return unreadable(at + ": " + conditionProblem.substring(1));
      }
      boolean matches = conditionProblem == null;
      if (matches && effect.equals("Deny")) {
        return deny(at + " denies explicitly");
      }
      if (matches && allowedBy == null) {
        allowedBy = at;
      }
    }
    return allowedBy == null
        ? deny(request.caller().type().equals("Federated") ? "no statement allows this provider, subject and audience"
            : "no statement allows " + request.caller().type() + " " + request.caller().names().iterator().next() + " " + request.action()
                + (request.context().isEmpty() ? "" : " with this context"))
        : new Decision(true, true, allowedBy + " allows");
  }

  private static Decision deny(String why) {
    return new Decision(false, true, why);
  }

  private static Decision unreadable(String why) {
    return new Decision(false, false, why);
  }

  /** Null when the principal is another one; "" when it names this caller; else why it is not understood. */
  private static String principalProblem(JsonNode principal, Caller caller) {
    if (principal.isTextual()) {
      return principal.asText().equals("*") ? "Principal \"*\" is not understood by the sandbox STS" : null;
    }
    if (!principal.isObject()) {
      return "a Principal that is not an object is not understood by the sandbox STS";
    }
    JsonNode named = principal.path(caller.type());
    List<String> names = new ArrayList<>();
    if (named.isTextual()) {
      names.add(named.asText());
    } else if (named.isArray()) {
      named.forEach(n -> names.add(n.asText()));
    }
    if (names.stream().anyMatch(caller.names()::contains)) {
      return "";
    }
    if (principal.path("AWS").asText("").equals("*")) {
      return "Principal {\"AWS\": \"*\"} is not understood by the sandbox STS";
    }
    return null;
  }

  /** Whether Action names the wanted action (lower case; wildcards and case as IAM matches them). */
  private static Boolean coversAction(JsonNode action, String wanted) {
    List<String> actions = new ArrayList<>();
    if (action.isTextual()) {
      actions.add(action.asText());
    } else if (action.isArray()) {
      for (JsonNode a : action) {
        if (!a.isTextual()) {
          return null;
        }
        actions.add(a.asText());
      }
    } else {
      return null;
    }
    return actions.stream().anyMatch(a -> glob(a.toLowerCase(Locale.ROOT)).matcher(wanted).matches());
  }

  /**
   * Null when every condition holds; a reason when one does not; a reason starting with '!' when
   * the block holds something the sandbox STS does not understand.
   */
  private static String conditionProblem(JsonNode condition, Map<String, String> context) {
    if (condition.isMissingNode()) {
      return null;
    }
    if (!condition.isObject()) {
      return "!a Condition that is not an object";
    }
    for (Iterator<Map.Entry<String, JsonNode>> ops = condition.fields(); ops.hasNext(); ) {
      Map.Entry<String, JsonNode> op = ops.next();
      String operator = op.getKey();
      boolean anyValue = operator.startsWith("ForAnyValue:");
      String base = anyValue ? operator.substring("ForAnyValue:".length()) : operator;
      boolean ifExists = !anyValue && base.endsWith("IfExists");
      if (ifExists) {
        base = base.substring(0, base.length() - "IfExists".length());
      }
      if (!OPERATORS.contains(base) || anyValue && base.contains("Not") || !op.getValue().isObject()) {
        return "!condition operator '" + operator + "' is not understood by the sandbox STS";
      }
      for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = keys.next();
        String key = entry.getKey().toLowerCase(Locale.ROOT);
        if (!context.containsKey(key) && !looksLikeOidcKey(key) && !KNOWN_ABSENT_KEYS.contains(key) && !key.startsWith("aws:requesttag/")) {
          return "!condition key '" + entry.getKey() + "' is not understood by the sandbox STS";
        }
        List<String> values = new ArrayList<>();
        if (entry.getValue().isArray()) {
          entry.getValue().forEach(v -> values.add(v.asText()));
        } else {
          values.add(entry.getValue().asText());
        }
        String actual = context.get(key);
        boolean holds;
        if (actual == null) {
          // A key the request does not carry: negated operators and IfExists hold, the rest do not.
          holds = ifExists || !anyValue && base.contains("Not");
        } else {
          boolean like = base.endsWith("Like") || base.startsWith("Arn");
          boolean any = values.stream().anyMatch(v -> like ? glob(v).matcher(actual).matches() : v.equals(actual));
          holds = base.contains("Not") ? !any : any;
        }
        if (!holds) {
          return operator + " on " + entry.getKey() + " does not hold";
        }
      }
    }
    return null;
  }

  /** A key of some OIDC provider (another cluster's issuer): understood, and absent from this request. */
  private static boolean looksLikeOidcKey(String key) {
    return !key.startsWith("aws:") && key.contains("/") && (key.endsWith(":sub") || key.endsWith(":aud") || key.endsWith(":amr"));
  }

  private static Pattern glob(String glob) {
    StringBuilder sb = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> sb.append(".*");
        case '?' -> sb.append('.');
        default -> sb.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(sb.toString(), Pattern.DOTALL);
  }
}
