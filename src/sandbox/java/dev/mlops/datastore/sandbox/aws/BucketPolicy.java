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
 * A bucket policy as the S3 front enforces it: Allow and Deny statements on principals ({@code "*"},
 * account IDs, {@code :root} or role/user ARNs), S3 actions and resources (globs), with conditions
 * on {@code aws:PrincipalAccount} and {@code aws:PrincipalArn} (StringEquals, StringNotEquals,
 * StringLike, StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike). A Deny that matches
 * refuses the call whatever the grants say; an Allow that matches admits it like a grant. What it
 * cannot enforce is refused when the world is loaded, never ignored.
 */
public final class BucketPolicy {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> STATEMENT_FIELDS = Set.of("Sid", "Effect", "Principal", "Action", "Resource", "Condition");
  private static final Set<String> KEYS = Set.of("aws:principalaccount", "aws:principalarn");
  private static final Set<String> OPERATORS = Set.of("StringEquals", "StringNotEquals", "StringLike", "StringNotLike",
      "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike");

  /** What the policy says about a call. */
  public enum Effect { ALLOW, DENY, NONE }

  private record Condition(String operator, String key, List<String> values) {}

  private record Statement(boolean deny, List<String> principals, List<Pattern> actions, List<Pattern> resources, List<Condition> conditions) {}

  private final List<Statement> statements;

  private BucketPolicy(List<Statement> statements) {
    this.statements = statements;
  }

  /** Reads a policy document; the exception's message says what cannot be enforced and where. */
  public static BucketPolicy parse(String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode raw = root.path("Statement");
    List<JsonNode> list = new ArrayList<>();
    if (raw.isArray()) {
      raw.forEach(list::add);
    } else if (raw.isObject()) {
      list.add(raw);
    } else {
      throw new IllegalArgumentException("Statement is missing");
    }
    List<Statement> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(statement(list.get(i), "Statement[" + i + "]"));
    }
    return new BucketPolicy(out);
  }

  private static Statement statement(JsonNode s, String at) {
    for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!STATEMENT_FIELDS.contains(field)) {
        throw new IllegalArgumentException(at + "." + field + " is not supported by the sandbox (use " + STATEMENT_FIELDS + ")");
      }
    }
    String effect = s.path("Effect").asText("");
    if (!effect.equals("Allow") && !effect.equals("Deny")) {
      throw new IllegalArgumentException(at + ".Effect must be Allow or Deny");
    }
    JsonNode p = s.path("Principal");
    List<String> principals = p.isTextual() ? List.of(p.asText()) : strings(p.path("AWS"), at + ".Principal.AWS");
    List<Pattern> actions = strings(s.path("Action"), at + ".Action").stream().map(a -> glob(a, true)).toList();
    List<Pattern> resources = strings(s.path("Resource"), at + ".Resource").stream().map(r -> glob(r, false)).toList();
    List<Condition> conditions = new ArrayList<>();
    JsonNode c = s.path("Condition");
    for (Iterator<Map.Entry<String, JsonNode>> ops = c.fields(); ops.hasNext(); ) {
      Map.Entry<String, JsonNode> op = ops.next();
      if (!OPERATORS.contains(op.getKey())) {
        throw new IllegalArgumentException(at + ".Condition." + op.getKey() + " is not supported by the sandbox (use " + OPERATORS + ")");
      }
      for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
        Map.Entry<String, JsonNode> key = keys.next();
        if (!KEYS.contains(key.getKey().toLowerCase(Locale.ROOT))) {
          throw new IllegalArgumentException(at + ".Condition." + op.getKey() + "." + key.getKey()
              + " is not supported by the sandbox (use aws:PrincipalAccount or aws:PrincipalArn)");
        }
        conditions.add(new Condition(op.getKey(), key.getKey().toLowerCase(Locale.ROOT), strings(key.getValue(), at + ".Condition")));
      }
    }
    return new Statement(effect.equals("Deny"), principals, actions, resources, conditions);
  }

  /**
   * What the policy says about {@code action} by {@code principalArn} (a user or role ARN) of
   * {@code account} on {@code bucket} (and {@code key}, for object actions).
   */
  public Effect evaluate(String principalArn, String account, String action, String bucket, String key) {
    String resource = "arn:aws:s3:::" + bucket + (key == null || isBucketAction(action) ? "" : "/" + key);
    Effect effect = Effect.NONE;
    for (Statement s : statements) {
      boolean applies = s.principals().stream().anyMatch(p -> principalMatches(p, principalArn, account))
          && s.actions().stream().anyMatch(a -> a.matcher(action.toLowerCase(Locale.ROOT)).matches())
          && s.resources().stream().anyMatch(r -> r.matcher(resource).matches())
          && s.conditions().stream().allMatch(c -> holds(c, principalArn, account));
      if (applies && s.deny()) {
        return Effect.DENY;
      }
      if (applies) {
        effect = Effect.ALLOW;
      }
    }
    return effect;
  }

  private static boolean isBucketAction(String action) {
    return action.equals("s3:ListBucket") || action.equals("s3:GetBucketLocation");
  }

  private static boolean principalMatches(String principal, String principalArn, String account) {
    return principal.equals("*") || principal.equals(account) || principal.equals("arn:aws:iam::" + account + ":root") || principal.equals(principalArn);
  }

  private static boolean holds(Condition c, String principalArn, String account) {
    String actual = c.key().equals("aws:principalaccount") ? account : principalArn;
    boolean like = c.operator().endsWith("Like");
    boolean any = c.values().stream().anyMatch(v -> like ? glob(v, false).matcher(actual).matches() : v.equals(actual));
    return c.operator().contains("Not") != any;
  }

  private static List<String> strings(JsonNode n, String at) {
    List<String> out = new ArrayList<>();
    if (n.isTextual()) {
      out.add(n.asText());
    } else if (n.isArray()) {
      n.forEach(v -> out.add(v.asText()));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(at + " must be a string or a list of strings");
    }
    return out;
  }

  private static Pattern glob(String glob, boolean ignoreCase) {
    StringBuilder sb = new StringBuilder();
    for (char ch : (ignoreCase ? glob.toLowerCase(Locale.ROOT) : glob).toCharArray()) {
      switch (ch) {
        case '*' -> sb.append(".*");
        case '?' -> sb.append('.');
        default -> sb.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    return Pattern.compile(sb.toString(), Pattern.DOTALL);
  }
}
