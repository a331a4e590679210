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
import java.util.LinkedHashMap;
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
 *
 * <p>For EKS Pod Identity the same steps apply to the Allow statement for {@code
 * pods.eks.amazonaws.com}, with {@code aws:RequestTag} conditions on the cluster, namespace and
 * service account in place of {@code :sub} and {@code :aud}.
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
    return suggest(currentPolicy, requests.isEmpty() ? null : new IrsaTarget(requests));
  }

  /**
   * As {@link #suggest}, also for a policy that already admits every request: it is returned as it
   * is when it admits no one else, and otherwise narrowed ({@code trust-check --fix}).
   */
  public static Optional<String> fix(String currentPolicy, List<TrustRequest> requests) {
    return fix(currentPolicy, requests.isEmpty() ? null : new IrsaTarget(requests));
  }

  /**
   * For EKS Pod Identity: a policy that lets {@code pods.eks.amazonaws.com} assume the role (and tag
   * the session) for exactly the requested service accounts of the cluster, through {@code
   * aws:RequestTag} conditions on the cluster, the namespace and the service account (one
   * statement per namespace, since the two tags are judged apart); empty when every request is
   * already allowed or no verified fix was found.
   *
   * @param requests one per service account; all for the same role and cluster
   */
  public static Optional<String> suggestPodIdentity(String currentPolicy, List<PodIdentityRequest> requests) {
    return suggest(currentPolicy, requests.isEmpty() ? null : new PodIdentityTarget(requests));
  }

  /** As {@link #suggestPodIdentity}, also for a policy that already admits every request. */
  public static Optional<String> fixPodIdentity(String currentPolicy, List<PodIdentityRequest> requests) {
    return fix(currentPolicy, requests.isEmpty() ? null : new PodIdentityTarget(requests));
  }

  private static Optional<String> suggest(String currentPolicy, Target target) {
    if (target == null || currentPolicy != null && target.allowsAll(currentPolicy)) {
      return Optional.empty();
    }
    return fix(currentPolicy, target);
  }

  private static Optional<String> fix(String currentPolicy, Target target) {
    if (target == null) {
      return Optional.empty();
    }
    if (currentPolicy != null && target.verified(currentPolicy)) {
      return Optional.of(currentPolicy);
    }
    ObjectNode merged = currentPolicy == null ? null : mergedDocument(currentPolicy);
    if (merged != null) {
      String edited = toJson(edit(merged, target, false));
      if (target.verified(edited)) {
        return Optional.of(edited);
      }
      ObjectNode replacedNode = edit(merged, target, true);
      String replaced = toJson(replacedNode);
      if (target.verified(replaced)) {
        return Optional.of(replaced);
      }
      // Last, without the Deny statements for this principal that refuse a requested service
      // account: the user asked for those to be admitted. Statements for other principals stay.
      String withoutDenies = toJson(withoutDeniesOf(replacedNode, target));
      if (target.verified(withoutDenies)) {
        return Optional.of(withoutDenies);
      }
    }
    ObjectNode fresh = NODES.objectNode();
    fresh.put("Version", "2012-10-17");
    fresh.putArray("Statement").addAll(target.statements(NODES.objectNode()));
    String text = toJson(fresh);
    return target.verified(text) ? Optional.of(text) : Optional.empty();
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
    return new IrsaTarget(requests).verified(policy);
  }

  /**
   * What the fix needs to know of the request kind: how to judge a policy, which statements are
   * for the requests' principal, and what the statements that admit exactly the requests say.
   */
  private interface Target {
    /** Every request is allowed. */
    boolean allowsAll(String policy);

    /** Every request is allowed, and service accounts just outside them are denied. */
    boolean verified(String policy);

    /** Whether any request is not denied. */
    boolean admitsAny(String policy);

    /**
     * Whether the statement is for this principal: exactly (the edit keeps it and rewrites it), or
     * at all, also as one of several principals or nearly spelled (the replacement drops it).
     */
    boolean namesPrincipal(ObjectNode st, boolean loosely);

    JsonNode principal();

    JsonNode action();

    /** The condition keys the fix owns, lower-cased: they are dropped and written anew. */
    Set<String> ownedKeys();

    /**
     * The statements that replace {@code template} (its other elements and other conditions
     * kept): one, or one per group of requests that one condition block can admit exactly.
     */
    List<ObjectNode> statements(ObjectNode template);
  }

  /** IRSA: the provider as Federated principal, one StringEquals with the subjects and the audience. */
  private static final class IrsaTarget implements Target {
    private final List<TrustRequest> requests;

    IrsaTarget(List<TrustRequest> requests) {
      this.requests = requests;
    }

    @Override
    public boolean allowsAll(String policy) {
      return requests.stream().allMatch(r -> TrustPolicyEvaluator.evaluate(policy, r).allowed());
    }

    @Override
    public boolean verified(String policy) {
      if (!allowsAll(policy)) {
        return false;
      }
      Set<String> subjects = subjects();
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

    @Override
    public boolean admitsAny(String policy) {
      return requests.stream().anyMatch(r -> TrustPolicyEvaluator.evaluate(policy, r).verdict() != Verdict.DENIED);
    }

    @Override
    public boolean namesPrincipal(ObjectNode st, boolean loosely) {
      String provider = requests.get(0).providerArn();
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

    @Override
    public JsonNode principal() {
      ObjectNode p = NODES.objectNode();
      p.put("Federated", requests.get(0).providerArn());
      return p;
    }

    @Override
    public JsonNode action() {
      return TextNode.valueOf(TrustRequest.ACTION);
    }

    @Override
    public Set<String> ownedKeys() {
      TrustRequest first = requests.get(0);
      return Set.of(first.subjectKey().toLowerCase(Locale.ROOT), first.audienceKey().toLowerCase(Locale.ROOT));
    }

    @Override
    public List<ObjectNode> statements(ObjectNode template) {
      TrustRequest first = requests.get(0);
      ObjectNode st = rewrite(template, this);
      ObjectNode equals = equalsBlock(st);
      equals.set(first.subjectKey(), oneOrMany(subjects()));
      Set<String> audiences = new LinkedHashSet<>();
      requests.forEach(r -> audiences.add(r.audience()));
      equals.set(first.audienceKey(), oneOrMany(audiences));
      return List.of(st);
    }

    private Set<String> subjects() {
      Set<String> subjects = new LinkedHashSet<>();
      requests.forEach(r -> subjects.add(r.subject()));
      return subjects;
    }
  }

  /**
   * EKS Pod Identity: the service principal, sts:AssumeRole and sts:TagSession, and per namespace
   * one statement with StringEquals on the cluster (its ARN when known, else its name), the
   * namespace and the service accounts.
   */
  private static final class PodIdentityTarget implements Target {
    private static final String TAG = "aws:RequestTag/";
    private final List<PodIdentityRequest> requests;

    PodIdentityTarget(List<PodIdentityRequest> requests) {
      this.requests = requests;
    }

    @Override
    public boolean allowsAll(String policy) {
      return requests.stream().allMatch(r -> TrustPolicyEvaluator.evaluatePodIdentity(policy, r).allowed());
    }

    @Override
    public boolean verified(String policy) {
      if (!allowsAll(policy)) {
        return false;
      }
      Set<String> wanted = new LinkedHashSet<>();
      requests.forEach(r -> wanted.add(r.serviceAccountRef()));
      PodIdentityRequest first = requests.get(0);
      String otherCluster = first.clusterName() + "-not-requested";
      String otherClusterArn = first.clusterArn() == null ? null
          : first.clusterArn().substring(0, first.clusterArn().lastIndexOf('/') + 1) + otherCluster;
      List<PodIdentityRequest> outsiders = List.of(
          new PodIdentityRequest(first.roleArn(), first.clusterName(), first.clusterArn(), first.namespace(), first.serviceAccount() + "-not-requested"),
          new PodIdentityRequest(first.roleArn(), first.clusterName(), first.clusterArn(), first.namespace() + "-not-requested", first.serviceAccount()),
          new PodIdentityRequest(first.roleArn(), otherCluster, otherClusterArn, first.namespace(), first.serviceAccount()));
      return outsiders.stream()
          .filter(o -> !wanted.contains(o.serviceAccountRef()) || !o.clusterName().equals(first.clusterName()))
          .allMatch(o -> TrustPolicyEvaluator.evaluatePodIdentity(policy, o).verdict() == Verdict.DENIED);
    }

    @Override
    public boolean admitsAny(String policy) {
      return requests.stream().anyMatch(r -> TrustPolicyEvaluator.evaluatePodIdentity(policy, r).verdict() != Verdict.DENIED);
    }

    @Override
    public boolean namesPrincipal(ObjectNode st, boolean loosely) {
      JsonNode service = st.path("Principal").path("Service");
      List<String> names = new ArrayList<>();
      if (service.isTextual()) {
        names.add(service.asText());
      } else if (service.isArray()) {
        service.forEach(n -> names.add(n.asText()));
      }
      if (!loosely) {
        return names.size() == 1 && names.get(0).equals(PodIdentityRequest.SERVICE_PRINCIPAL) && st.path("Principal").size() == 1;
      }
      return st.path("Principal").asText("").equals("*")
          || names.stream().anyMatch(n -> n.equals("*") || n.toLowerCase(Locale.ROOT).contains(PodIdentityRequest.SERVICE_PRINCIPAL));
    }

    @Override
    public JsonNode principal() {
      ObjectNode p = NODES.objectNode();
      p.put("Service", PodIdentityRequest.SERVICE_PRINCIPAL);
      return p;
    }

    @Override
    public JsonNode action() {
      ArrayNode actions = NODES.arrayNode();
      actions.add(PodIdentityRequest.ASSUME_ROLE);
      actions.add(PodIdentityRequest.TAG_SESSION);
      return actions;
    }

    @Override
    public Set<String> ownedKeys() {
      Set<String> keys = new LinkedHashSet<>();
      for (String tag : List.of(PodIdentityRequest.TAG_CLUSTER_ARN, PodIdentityRequest.TAG_CLUSTER_NAME,
          PodIdentityRequest.TAG_NAMESPACE, PodIdentityRequest.TAG_SERVICE_ACCOUNT)) {
        keys.add((TAG + tag).toLowerCase(Locale.ROOT));
      }
      return keys;
    }

    @Override
    public List<ObjectNode> statements(ObjectNode template) {
      Map<String, Set<String>> byNamespace = new LinkedHashMap<>();
      requests.forEach(r -> byNamespace.computeIfAbsent(r.namespace(), k -> new LinkedHashSet<>()).add(r.serviceAccount()));
      PodIdentityRequest first = requests.get(0);
      List<ObjectNode> out = new ArrayList<>();
      for (Map.Entry<String, Set<String>> group : byNamespace.entrySet()) {
        ObjectNode st = rewrite(template, this);
        if (!out.isEmpty() && st.hasNonNull("Sid")) {
          st.put("Sid", st.get("Sid").asText() + (out.size() + 1)); // Sids must stay unique
        }
        ObjectNode equals = equalsBlock(st);
        if (first.clusterArn() != null) {
          equals.put(TAG + PodIdentityRequest.TAG_CLUSTER_ARN, first.clusterArn());
        } else {
          equals.put(TAG + PodIdentityRequest.TAG_CLUSTER_NAME, first.clusterName());
        }
        equals.put(TAG + PodIdentityRequest.TAG_NAMESPACE, group.getKey());
        equals.set(TAG + PodIdentityRequest.TAG_SERVICE_ACCOUNT, oneOrMany(group.getValue()));
        out.add(st);
      }
      return out;
    }
  }

  private static ObjectNode edit(ObjectNode document, Target target, boolean replace) {
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
    for (JsonNode s : all) {
      if (!(s instanceof ObjectNode st) || !isAllow(st) || !target.namesPrincipal(st, replace)) {
        kept.add(s);
        continue;
      }
      if (placed) {
        continue; // a second Allow for this principal could admit others: the first one says it all
      }
      placed = true;
      kept.addAll(target.statements(replace ? NODES.objectNode() : st));
    }
    if (!placed) {
      kept.addAll(target.statements(NODES.objectNode()));
    }
    result.set("Statement", kept);
    if (!result.has("Version")) {
      result.put("Version", "2012-10-17");
    }
    return result;
  }

  private static ObjectNode withoutDeniesOf(ObjectNode document, Target target) {
    ObjectNode result = document.deepCopy();
    ArrayNode kept = NODES.arrayNode();
    for (JsonNode s : result.path("Statement")) {
      boolean deny = s.path("Effect").asText("").equals("Deny");
      if (deny && s instanceof ObjectNode st && refusesAny(st, target)) {
        continue;
      }
      kept.add(s);
    }
    result.set("Statement", kept);
    return result;
  }

  /** Whether this Deny statement, alone as an Allow, would match one of the requests. */
  private static boolean refusesAny(ObjectNode deny, Target target) {
    ObjectNode asAllow = deny.deepCopy();
    asAllow.put("Effect", "Allow");
    ObjectNode probe = NODES.objectNode();
    probe.put("Version", "2012-10-17");
    probe.putArray("Statement").add(asAllow);
    return target.admitsAny(toJson(probe));
  }

  /**
   * The statement with the target's principal and action, and its conditions without the keys
   * the target owns; an empty template gives a fresh Allow statement.
   */
  private static ObjectNode rewrite(ObjectNode st, Target target) {
    if (st.isEmpty()) {
      ObjectNode fresh = NODES.objectNode();
      fresh.put("Effect", "Allow");
      fresh.set("Principal", target.principal());
      fresh.set("Action", target.action());
      fresh.set("Condition", conditions(NODES.objectNode(), target));
      return fresh;
    }
    ObjectNode out = NODES.objectNode();
    Iterator<Map.Entry<String, JsonNode>> fields = st.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      switch (f.getKey()) {
        case "NotAction", "Action" -> out.set("Action", target.action());
        case "Principal" -> out.set("Principal", target.principal());
        case "Condition" -> out.set("Condition", conditions(f.getValue(), target));
        default -> out.set(f.getKey(), f.getValue());
      }
    }
    if (!out.has("Condition")) {
      out.set("Condition", conditions(NODES.objectNode(), target));
    }
    if (!out.has("Action")) {
      out.set("Action", target.action());
    }
    return out;
  }

  /** The other conditions as they were, without the keys the target owns. */
  private static ObjectNode conditions(JsonNode before, Target target) {
    Set<String> owned = target.ownedKeys();
    ObjectNode out = NODES.objectNode();
    if (before instanceof ObjectNode operators) {
      operators.fields().forEachRemaining(op -> {
        if (!(op.getValue() instanceof ObjectNode keys)) {
          out.set(op.getKey(), op.getValue());
          return;
        }
        ObjectNode left = NODES.objectNode();
        keys.fields().forEachRemaining(k -> {
          if (!owned.contains(k.getKey().toLowerCase(Locale.ROOT))) {
            left.set(k.getKey(), k.getValue());
          }
        });
        if (!left.isEmpty()) {
          out.set(op.getKey(), left);
        }
      });
    }
    return out;
  }

  /** The statement's StringEquals block, created last when it has none. */
  private static ObjectNode equalsBlock(ObjectNode st) {
    ObjectNode condition = (ObjectNode) st.get("Condition");
    return condition.get("StringEquals") instanceof ObjectNode existing ? existing : condition.putObject("StringEquals");
  }

  private static boolean isAllow(ObjectNode st) {
    return st.path("Effect").asText("").equals("Allow");
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
