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
 * How the sandbox's STS decides AssumeRoleWithWebIdentity from a role's trust policy: a small
 * matcher of its own, deliberately written apart from the operator's {@code trust} package, so
 * that the operator's verdict ({@code TrustPolicyValid}) and STS's answer
 * ({@code CredentialsVerified}) come from two readings and can disagree when one of them is wrong.
 *
 * <p>It reads the policy as a JSON parser does (a duplicate key keeps its last value), takes the
 * statements whose {@code Principal.Federated} names the token's provider and whose
 * {@code Action} covers {@code sts:AssumeRoleWithWebIdentity}, and evaluates their conditions on
 * {@code <issuer-host-path>:sub} and {@code :aud} with StringEquals, StringLike, StringNotEquals,
 * StringNotLike (each also with {@code IfExists}) and {@code ForAnyValue:StringEquals/StringLike}.
 * A matching Deny wins; else a matching Allow admits. Whatever it does not understand in a
 * statement that could apply (another operator, a key such as {@code aws:SourceIp}, NotAction,
 * a {@code "*"} principal) denies, and the reason says what it was.
 */
public final class StsTrustMatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACTION = "sts:assumerolewithwebidentity";
  private static final Set<String> STATEMENT_FIELDS = Set.of("Sid", "Effect", "Principal", "Action", "Condition");
  private static final Set<String> OPERATORS = Set.of("StringEquals", "StringLike", "StringNotEquals", "StringNotLike");

  /**
   * STS's answer; {@code why} says which statement decided, or ({@code understood} false) what in
   * the policy the matcher could not read, which denies.
   */
  public record Decision(boolean allowed, boolean understood, String why) {}

  /** What the token brings: the provider it was matched to, and the request's context keys. */
  public record WebIdentity(String providerArn, String issuerHostPath, String subject, String audience) {}

  private StsTrustMatcher() {}

  public static Decision decide(String policyText, WebIdentity identity) {
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
    Map<String, String> context = Map.of(
        identity.issuerHostPath().toLowerCase(Locale.ROOT) + ":sub", identity.subject(),
        identity.issuerHostPath().toLowerCase(Locale.ROOT) + ":aud", identity.audience());
    String allowedBy = null;
    for (int i = 0; i < list.size(); i++) {
      JsonNode s = list.get(i);
      String at = "Statement[" + i + "]" + (s.path("Sid").isTextual() ? " (" + s.path("Sid").asText() + ")" : "");
      if (!s.isObject()) {
        return unreadable(at + " is not an object");
      }
      String principal = principalProblem(s.path("Principal"), identity.providerArn());
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
      Boolean action = coversAction(s.path("Action"));
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
        ? deny("no statement allows this provider, subject and audience")
        : new Decision(true, true, allowedBy + " allows");
  }

  private static Decision deny(String why) {
    return new Decision(false, true, why);
  }

  private static Decision unreadable(String why) {
    return new Decision(false, false, why);
  }

  /** Null when the principal is another one; "" when it is this provider; else why it is not understood. */
  private static String principalProblem(JsonNode principal, String providerArn) {
    if (principal.isTextual()) {
      return principal.asText().equals("*") ? "Principal \"*\" is not understood by the sandbox STS" : null;
    }
    if (!principal.isObject()) {
      return "a Principal that is not an object is not understood by the sandbox STS";
    }
    JsonNode federated = principal.path("Federated");
    List<String> names = new ArrayList<>();
    if (federated.isTextual()) {
      names.add(federated.asText());
    } else if (federated.isArray()) {
      federated.forEach(n -> names.add(n.asText()));
    }
    if (names.contains(providerArn)) {
      return "";
    }
    if (principal.path("AWS").asText("").equals("*")) {
      return "Principal {\"AWS\": \"*\"} is not understood by the sandbox STS";
    }
    return null;
  }

  /** Whether Action names sts:AssumeRoleWithWebIdentity (wildcards and case as IAM matches them). */
  private static Boolean coversAction(JsonNode action) {
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
    return actions.stream().anyMatch(a -> glob(a.toLowerCase(Locale.ROOT)).matcher(ACTION).matches());
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
        if (!context.containsKey(key) && !looksLikeOidcKey(key)) {
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
          boolean like = base.endsWith("Like");
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
