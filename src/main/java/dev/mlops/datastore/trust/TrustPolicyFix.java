package dev.mlops.datastore.trust;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fix, not only the diagnosis: the smallest change to a role's trust policy that admits
 * exactly the requested service accounts from this cluster's OIDC provider, verified with {@link
 * TrustPolicyEvaluator} before it is offered.
 *
 * <p>The Allow statement that names this cluster's provider keeps its place, Sid and other
 * conditions; its {@code :sub} and {@code :aud} keys, under whatever operator and however many
 * times repeated, become one {@code StringEquals} with the subjects as an array and the audience;
 * its action becomes {@code sts:AssumeRoleWithWebIdentity}. Further Allow statements for the same
 * provider are dropped (they could admit others); statements for other principals are kept as they
 * are, with duplicate keys merged into arrays (what their writer meant, and what IAM's grammar
 * requires). When that edit does not verify (a condition on a key outside the token, a principal
 * that lists several providers), the provider's Allow statements are replaced by one clean
 * statement; then the Deny statements that refuse a requested service account are dropped too
 * (admitting them is what was asked); only a document that is not a JSON object is replaced as a
 * whole. When nothing verifies, there is no suggestion.
 */
public final class TrustPolicyFix {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private TrustPolicyFix() {}

  /**
   * A policy that admits every request and no other service account of the same provider, or
   * empty when every request is already allowed or no verified fix was found.
   *
   * @param requests one per service account; all for the same role, issuer and audience
   */
  public static Optional<String> suggest(String currentPolicy, List<TrustRequest> requests) {
    if (requests.isEmpty()
        || currentPolicy != null && requests.stream().allMatch(r -> TrustPolicyEvaluator.evaluate(currentPolicy, r).allowed())) {
      return Optional.empty();
    }
    return fix(currentPolicy, requests);
  }

  /**
   * As {@link #suggest}, also for a policy that already admits every request: it is returned as it
   * is when it admits no one else, and otherwise narrowed ({@code trust-check --fix}).
   */
  public static Optional<String> fix(String currentPolicy, List<TrustRequest> requests) {
    if (requests.isEmpty()) {
      return Optional.empty();
    }
    if (currentPolicy != null && verified(currentPolicy, requests)) {
      return Optional.of(currentPolicy);
    }
    ObjectNode merged = currentPolicy == null ? null : mergedDocument(currentPolicy);
    if (merged != null) {
      String edited = toJson(edit(merged, requests, false));
      if (verified(edited, requests)) {
        return Optional.of(edited);
      }
      ObjectNode replacedNode = edit(merged, requests, true);
      String replaced = toJson(replacedNode);
      if (verified(replaced, requests)) {
        return Optional.of(replaced);
      }
      // Last, without the Deny statements for this provider that refuse a requested service
      // account: the user asked for those to be admitted. Statements for other principals stay.
      String withoutDenies = toJson(withoutDeniesOf(replacedNode, requests));
      if (verified(withoutDenies, requests)) {
        return Optional.of(withoutDenies);
      }
    }
    ObjectNode fresh = NODES.objectNode();
    fresh.put("Version", "2012-10-17");
    fresh.putArray("Statement").add(statement(requests));
    String text = toJson(fresh);
    return verified(text, requests) ? Optional.of(text) : Optional.empty();
  }

  /** The command that applies {@code policy} to the role, quoted for a POSIX shell. */
  public static String command(String roleArn, String policy) {
    return "aws iam update-assume-role-policy --role-name " + RoleArn.parse(roleArn).name()
        + " --policy-document '" + policy.replace("'", "'\\''") + "'";
  }

  /**
   * True when the policy admits every request and denies two service accounts outside them: another
   * name in the first request's namespace, and the first name in another namespace.
   */
  public static boolean verified(String policy, List<TrustRequest> requests) {
    if (!requests.stream().allMatch(r -> TrustPolicyEvaluator.evaluate(policy, r).allowed())) {
      return false;
    }
    Set<String> subjects = subjects(requests);
    TrustRequest first = requests.get(0);
    List<TrustRequest> outsiders = new ArrayList<>();
    String otherName = first.serviceAccount() + "-not-requested";
    String otherNamespace = first.namespace() + "-not-requested";
    outsiders.add(new TrustRequest(first.roleArn(), first.issuer(), first.namespace(), otherName, first.audience()));
    outsiders.add(new TrustRequest(first.roleArn(), first.issuer(), otherNamespace, first.serviceAccount(), first.audience()));
    return outsiders.stream()
        .filter(o -> !subjects.contains(o.subject()))
        .allMatch(o -> TrustPolicyEvaluator.evaluate(policy, o).verdict() == Verdict.DENIED);
  }

  private static ObjectNode edit(ObjectNode document, List<TrustRequest> requests, boolean replace) {
    ObjectNode result = document.deepCopy();
    JsonNode statements = result.get("Statement");
    ArrayNode kept = NODES.arrayNode();
    boolean placed = false;
    List<JsonNode> all = new ArrayList<>();
    if (statements instanceof ArrayNode array) {
      array.forEach(all::add);
    } else if (statements instanceof ObjectNode single) {
      all.add(single);
    }
    String provider = requests.get(0).providerArn();
    for (JsonNode s : all) {
      if (!(s instanceof ObjectNode st) || !isAllow(st) || !namesProvider(st, provider, replace)) {
        kept.add(s);
        continue;
      }
      if (placed) {
        continue; // a second Allow for this provider could admit others: the first one says it all
      }
      placed = true;
      kept.add(replace ? statement(requests) : rewrite(st, requests));
    }
    if (!placed) {
      kept.add(statement(requests));
    }
    result.set("Statement", kept);
    if (!result.has("Version")) {
      result.put("Version", "2012-10-17");
    }
    return result;
  }

  private static ObjectNode withoutDeniesOf(ObjectNode document, List<TrustRequest> requests) {
    ObjectNode result = document.deepCopy();
    ArrayNode kept = NODES.arrayNode();
    for (JsonNode s : result.path("Statement")) {
      boolean deny = s.path("Effect").asText("").equals("Deny");
      if (deny && s instanceof ObjectNode st && refusesAny(st, requests)) {
        continue;
      }
      kept.add(s);
    }
    result.set("Statement", kept);
    return result;
  }

  /** Whether this Deny statement, alone as an Allow, would match one of the requests. */
  private static boolean refusesAny(ObjectNode deny, List<TrustRequest> requests) {
    ObjectNode asAllow = deny.deepCopy();
    asAllow.put("Effect", "Allow");
    ObjectNode probe = NODES.objectNode();
    probe.put("Version", "2012-10-17");
    probe.putArray("Statement").add(asAllow);
    String text = toJson(probe);
    return requests.stream().anyMatch(r -> TrustPolicyEvaluator.evaluate(text, r).verdict() != Verdict.DENIED);
  }

  private static ObjectNode rewrite(ObjectNode st, List<TrustRequest> requests) {
    ObjectNode out = NODES.objectNode();
    TrustRequest first = requests.get(0);
    Iterator<Map.Entry<String, JsonNode>> fields = st.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      switch (f.getKey()) {
        case "NotAction", "Action" -> out.put("Action", TrustRequest.ACTION);
        case "Principal" -> out.set("Principal", principal(first));
        case "Condition" -> out.set("Condition", conditions(f.getValue(), requests));
        default -> out.set(f.getKey(), f.getValue());
      }
    }
    if (!out.has("Condition")) {
      out.set("Condition", conditions(NODES.objectNode(), requests));
    }
    if (!out.has("Action")) {
      out.put("Action", TrustRequest.ACTION);
    }
    return out;
  }

  /** The other conditions as they were, and one StringEquals for the subjects and the audience. */
  private static ObjectNode conditions(JsonNode before, List<TrustRequest> requests) {
    TrustRequest first = requests.get(0);
    String sub = first.subjectKey().toLowerCase(Locale.ROOT);
    String aud = first.audienceKey().toLowerCase(Locale.ROOT);
    ObjectNode out = NODES.objectNode();
    if (before instanceof ObjectNode operators) {
      operators.fields().forEachRemaining(op -> {
        if (!(op.getValue() instanceof ObjectNode keys)) {
          out.set(op.getKey(), op.getValue());
          return;
        }
        ObjectNode left = NODES.objectNode();
        keys.fields().forEachRemaining(k -> {
          String key = k.getKey().toLowerCase(Locale.ROOT);
          if (!key.equals(sub) && !key.equals(aud)) {
            left.set(k.getKey(), k.getValue());
          }
        });
        if (!left.isEmpty()) {
          out.set(op.getKey(), left);
        }
      });
    }
    ObjectNode equals = out.get("StringEquals") instanceof ObjectNode existing ? existing : out.putObject("StringEquals");
    equals.set(first.subjectKey(), oneOrMany(subjects(requests)));
    Set<String> audiences = new LinkedHashSet<>();
    requests.forEach(r -> audiences.add(r.audience()));
    equals.set(first.audienceKey(), oneOrMany(audiences));
    return out;
  }

  private static ObjectNode statement(List<TrustRequest> requests) {
    ObjectNode st = NODES.objectNode();
    st.put("Effect", "Allow");
    st.set("Principal", principal(requests.get(0)));
    st.put("Action", TrustRequest.ACTION);
    st.set("Condition", conditions(NODES.objectNode(), requests));
    return st;
  }

  private static ObjectNode principal(TrustRequest request) {
    ObjectNode p = NODES.objectNode();
    p.put("Federated", request.providerArn());
    return p;
  }

  private static boolean isAllow(ObjectNode st) {
    return st.path("Effect").asText("").equals("Allow");
  }

  /**
   * Whether the statement is for this provider: exactly (the edit keeps it and rewrites it), or
   * at all, also as one of several principals or nearly spelled (the replacement drops it).
   */
  private static boolean namesProvider(ObjectNode st, String provider, boolean loosely) {
    JsonNode federated = st.path("Principal").path("Federated");
    List<String> names = new ArrayList<>();
    if (federated.isTextual()) {
      names.add(federated.asText());
    } else if (federated.isArray()) {
      federated.forEach(n -> names.add(n.asText()));
    }
    if (!loosely) {
      return names.size() == 1 && names.get(0).equals(provider) && st.path("Principal").size() == 1;
    }
    String id = provider.substring(provider.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return st.path("Principal").asText("").equals("*")
        || names.stream().anyMatch(n -> n.equals("*") || n.toLowerCase(Locale.ROOT).contains(id));
  }

  private static Set<String> subjects(List<TrustRequest> requests) {
    Set<String> subjects = new LinkedHashSet<>();
    requests.forEach(r -> subjects.add(r.subject()));
    return subjects;
  }

  private static JsonNode oneOrMany(Set<String> values) {
    if (values.size() == 1) {
      return TextNode.valueOf(values.iterator().next());
    }
    ArrayNode array = NODES.arrayNode();
    values.forEach(array::add);
    return array;
  }

  /**
   * The document with duplicate keys merged rather than last-wins: two objects merge key by key,
   * other values are gathered into one array of their distinct values. Null when the text is not a
   * JSON object.
   */
  static ObjectNode mergedDocument(String text) {
    try (JsonParser p = MAPPER.getFactory().createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      ObjectNode root = readObject(p);
      return p.nextToken() == null ? root : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static ObjectNode readObject(JsonParser p) throws IOException {
    ObjectNode object = NODES.objectNode();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      JsonNode value = readValue(p);
      JsonNode previous = object.get(name);
      object.set(name, previous == null ? value : merge(previous, value));
    }
    return object;
  }

  private static JsonNode readValue(JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case START_OBJECT -> readObject(p);
      case START_ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          array.add(readValue(p));
        }
        yield array;
      }
      case VALUE_STRING -> TextNode.valueOf(p.getText());
      default -> MAPPER.readTree(p);
    };
  }

  private static JsonNode merge(JsonNode a, JsonNode b) {
    if (a instanceof ObjectNode x && b instanceof ObjectNode y) {
      ObjectNode out = x.deepCopy();
      y.fields().forEachRemaining(f -> out.set(f.getKey(), out.has(f.getKey()) ? merge(out.get(f.getKey()), f.getValue()) : f.getValue()));
      return out;
    }
    Set<JsonNode> values = new LinkedHashSet<>();
    for (JsonNode n : List.of(a, b)) {
      if (n.isArray()) {
        n.forEach(values::add);
      } else {
        values.add(n);
      }
    }
    ArrayNode array = NODES.arrayNode();
    values.forEach(array::add);
    return array;
  }

  private static String toJson(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain nodes always serializes", e);
    }
  }
}
