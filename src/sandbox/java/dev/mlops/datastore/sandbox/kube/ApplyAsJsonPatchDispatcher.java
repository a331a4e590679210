package dev.mlops.datastore.sandbox.kube;

import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.Resetable;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-only front of the mock API server's CRUD dispatcher that pushes back the way a real API
 * server does. Shared by the tests and the sandbox; the shipped operator never sees it.
 *
 * <ul>
 *   <li><b>Server-side apply</b>, which the mock answers with 415, is handed on as a JSON Patch
 *       (its query string removed, or the mock silently drops the status behind a 202) replacing
 *       each top-level field the apply names, labels and annotations key by key and finalizers as
 *       a set: what server-side apply does for the manager that owns those fields. A <b>merge
 *       patch</b> is computed here by RFC 7386 (the mock's own appends to arrays, so conditions
 *       would pile up) and handed on the same way.
 *   <li><b>Optimistic concurrency</b>: an apply or merge patch whose {@code metadata.resourceVersion}
 *       is not the stored one gets 409 Conflict, as a JSON Patch or update that sets a stale one
 *       already does in the mock.
 *   <li><b>The status subresource</b> of our kinds behaves as the real API server's (the custom
 *       resource status strategy's PrepareForUpdate): a write to {@code /status} changes only
 *       {@code status} and silently ignores spec, labels and annotations it carries; a write to the
 *       resource itself never changes {@code status}. Ignored, not refused: that is what a real
 *       server does, so code that sends the whole object to {@code /status} passes here as there,
 *       and tests look at {@link #requests()} to see what it sent.
 *   <li><b>managedFields</b> are recorded per field manager (the {@code fieldManager} query
 *       parameter, else the User-Agent up to its first '/', as the API server derives it) with the
 *       operation (Apply or Update), the subresource and the fields the write named, and ownership
 *       moves to the last writer of a field. They are kept here and shown on single-object GETs;
 *       {@link #managers(String)} lists them for a test. Conflicts between managers (an apply
 *       without force over another manager's field) are not raised.
 *   <li>TokenRequests (which the mock does not emulate) for existing service accounts are answered
 *       with JWTs signed by the cluster's key; requests can be refused (e.g. 403 on a watch, as
 *       missing RBAC does), a test can run something just before a matching write arrives (a race
 *       made deterministic), and open watches can be closed so clients reconnect.
 * </ul>
 *
 * <p>Every request is recorded with its answer code, field manager and (for writes) body, so tests
 * can count the writes the operator made and see what they carried.
 */
public final class ApplyAsJsonPatchDispatcher extends Dispatcher
    implements CustomResourceAware, Resetable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Metadata a write cannot set: the server owns it. */
  private static final Set<String> IDENTITY =
      Set.of("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields");
  private static final Pattern TOKEN_PATH =
      Pattern.compile("^/api/v1/namespaces/([^/]+)/serviceaccounts/([^/?]+)/token$");
  /** A namespaced object, optionally its status subresource. */
  private static final Pattern OBJECT_PATH =
      Pattern.compile("^((?:/api/v1|/apis/[^/]+/[^/]+)/namespaces/[^/]+/[^/]+/[^/]+)(/status)?$");
  /** Our kinds, whose CRDs enable the status subresource. */
  private static final String STATUS_SUBRESOURCE_PREFIX = "/apis/datastore.mlops.dev/";

  private final KubernetesMixedDispatcher delegate;
  /** Appended to on every request: a plain list under its lock (a copy-on-write list copied it per request). */
  private final List<Recorded> requests = new ArrayList<>();
  private static final Pattern EVENTS_PATH = Pattern.compile("^/api/v1/namespaces/[^/]+/events$");
  private volatile boolean eventsCountedOnly;
  private final List<Refusal> refusals = new CopyOnWriteArrayList<>();
  private final List<Interleave> interleaves = new CopyOnWriteArrayList<>();
  private final List<WebSocket> openWatches = new CopyOnWriteArrayList<>();
  private final Map<String, Map<String, ManagedFields>> managedFields = new ConcurrentHashMap<>();
  private final Object writeLock = new Object();
  private volatile dev.mlops.datastore.sandbox.aws.ClusterTokens tokens;

  /**
   * Answers TokenRequests (which the mock does not emulate) for existing service accounts with
   * JWTs signed by {@code tokens}, as an API server would; null turns it off.
   */
  public void mintTokensWith(dev.mlops.datastore.sandbox.aws.ClusterTokens tokens) {
    this.tokens = tokens;
  }

  /**
   * One request as the server saw it, before any rewriting, with its answer.
   *
   * @param fieldManager the manager the API server would record for it
   * @param body the request body of a write (PATCH, PUT, POST), else empty
   */
  public record Recorded(String method, String path, String contentType, int code, String fieldManager, String body) {
    public boolean isPatch() {
      return method.equals("PATCH");
    }

    public String pathWithoutQuery() {
      int q = path.indexOf('?');
      return q < 0 ? path : path.substring(0, q);
    }

    public boolean succeeded() {
      return code >= 200 && code < 300;
    }

    /** Without the body: a write may carry a Secret, and assertion messages print this. */
    @Override
    public String toString() {
      return method + " " + path + " -> " + code + " (" + fieldManager + ", " + body.length() + " bytes)";
    }
  }

  /** What one field manager did to one object, as a managedFields entry says it. */
  public record ManagedFields(String manager, String operation, String subresource, Set<String> fields) {}

  private record Refusal(Predicate<RecordedRequest> matches, int code, String reason) {}

  private record Interleave(Predicate<RecordedRequest> matches, String editPath, String jsonPatch) {}

  public ApplyAsJsonPatchDispatcher(KubernetesMixedDispatcher delegate) {
    this.delegate = delegate;
  }

  /**
   * From now on, answers requests with {@code method} whose path (without query) starts with
   * {@code pathPrefix}, and that are watches when {@code watchOnly}, with {@code code} (e.g. 403,
   * as an API server answers a request RBAC does not allow).
   */
  public void refuse(String method, String pathPrefix, boolean watchOnly, int code, String reason) {
    refusals.add(new Refusal(
        r -> r.method().name().equals(method) && plain(r.getPath()).startsWith(pathPrefix)
            && (!watchOnly || r.getPath().contains("watch=true")),
        code, reason));
  }

  /**
   * Applies {@code jsonPatch} to the object at {@code editPath} (as field manager {@code kubectl}),
   * once, just before the first write with {@code method} to exactly {@code path} (without query)
   * is handled: someone else's edit racing that write, made deterministic. The edit is applied in
   * process, so watchers see it before the write is answered.
   */
  public void beforeNextWrite(String method, String path, String editPath, String jsonPatch) {
    interleaves.add(new Interleave(
        r -> r.method().name().equals(method) && plain(r.getPath()).equals(path), editPath, jsonPatch));
  }

  /** Closes every open watch whose path starts with {@code pathPrefix}, as an API server restart does. */
  public void closeWatches(String pathPrefix) {
    for (WebSocket socket : openWatches) {
      if (plain(socket.request().getPath()).startsWith(pathPrefix)) {
        socket.close(1000, "closed by the test");
        openWatches.remove(socket);
      }
    }
  }

  /** The managedFields recorded for the object at {@code objectPath}, one entry per manager and operation. */
  public List<ManagedFields> managers(String objectPath) {
    return List.copyOf(managedFields.getOrDefault(objectPath, Map.of()).values());
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String method = request.method().name();
    String path = request.getPath();
    boolean write = method.equals("PATCH") || method.equals("PUT") || method.equals("POST");
    // The body is a stream that can be read once: read it here, rebuild the request from it.
    String body = write ? request.getUtf8Body() : "";
    RecordedRequest replay = write ? copy(request, plainOrSame(request), body) : request;
    String manager = manager(request);
    MockResponse response = answer(replay, body, manager);
    Recorded recorded = new Recorded(method, path, request.getHeader("Content-Type"), response.code(), manager, body);
    synchronized (requests) {
      requests.add(recorded);
    }
    return response;
  }

  /**
   * From now on, Events are answered 201 and recorded with the other requests but not stored: at
   * thousands of objects they were most of the mock's store, which it scans per request. For the
   * benchmark; tests that read Events back leave this off.
   */
  public void countEventsOnly() {
    eventsCountedOnly = true;
  }

  private MockResponse answer(RecordedRequest request, String body, String manager) {
    String method = request.method().name();
    for (Refusal refusal : refusals) {
      if (refusal.matches().test(request)) {
        return status(refusal.code(), refusal.reason(), refusal.reason() + ": refused by the test API");
      }
    }
    for (Interleave interleave : interleaves) {
      if (interleave.matches().test(request) && interleaves.remove(interleave)) {
        synchronized (writeLock) {
          MockResponse edited = delegate.dispatch(new RecordedRequest("PATCH " + interleave.editPath() + " HTTP/1.1",
              HttpMethod.PATCH, interleave.editPath(),
              Headers.builder().set("Content-Type", "application/json-patch+json").build(),
              new Buffer(interleave.jsonPatch().getBytes(StandardCharsets.UTF_8))));
          if (edited.code() / 100 != 2) {
            throw new IllegalStateException("the racing edit of " + interleave.editPath() + " failed: " + edited.code());
          }
          record(interleave.editPath(), "kubectl", "Update", null, fieldsOfJsonPatch(json(interleave.jsonPatch())));
        }
      }
    }
    if (eventsCountedOnly && method.equals("POST") && EVENTS_PATH.matcher(plain(request.getPath())).matches()) {
      return new MockResponse().setResponseCode(201).setBody(body);
    }
    Matcher token = TOKEN_PATH.matcher(plain(request.getPath()));
    if (tokens != null && method.equals("POST") && token.matches()) {
      return mintToken(token.group(1), token.group(2), body);
    }
    Matcher object = OBJECT_PATH.matcher(plain(request.getPath()));
    if (object.matches() && (method.equals("PATCH") || method.equals("PUT"))) {
      synchronized (writeLock) {
        return write(request, body, manager, object.group(1), object.group(2) != null);
      }
    }
    if (object.matches() && method.equals("GET")) {
      return withManagedFields(delegate.dispatch(request), object.group(1));
    }
    if (method.equals("POST")) {
      MockResponse created = delegate.dispatch(request);
      if (created.code() / 100 == 2) {
        JsonNode obj = json(created.getBody().readUtf8());
        created.setBody(obj.toString());
        String createdPath = plain(request.getPath()) + "/" + obj.path("metadata").path("name").asText("");
        if (OBJECT_PATH.matcher(createdPath).matches()) {
          record(createdPath, manager, "Update", null, fieldsOf(json(body)));
        }
      }
      return created;
    }
    MockResponse answer = delegate.dispatch(request);
    if (answer.getWebSocketListener() != null) {
      answer.withWebSocketUpgrade(tracked(answer.getWebSocketListener()));
    }
    return answer;
  }

  private MockResponse write(RecordedRequest request, String body, String manager, String objectPath, boolean statusWrite) {
    String contentType = request.getHeader("Content-Type") == null ? "" : request.getHeader("Content-Type");
    boolean apply = contentType.startsWith("application/apply-patch");
    boolean merge = contentType.startsWith("application/merge-patch");
    boolean statusSubresource = objectPath.startsWith(STATUS_SUBRESOURCE_PREFIX);
    String subresource = statusWrite ? "status" : null;
    if (!apply && !merge) {
      // JSON Patch and update: the mock checks a resourceVersion they set and keeps status and the
      // rest apart on its own.
      MockResponse answer = delegate.dispatch(request);
      if (answer.code() / 100 == 2) {
        record(objectPath, manager, "Update", subresource, request.method().name().equals("PUT")
            ? fieldsOf(json(body)) : fieldsOfJsonPatch(json(body)));
      }
      return answer;
    }
    MockResponse stored = delegate.dispatch(get(objectPath));
    if (stored.code() != 200) {
      return stored;
    }
    ObjectNode current = (ObjectNode) json(stored.getBody().readUtf8());
    ObjectNode change = (ObjectNode) json(body);
    String wanted = change.path("metadata").path("resourceVersion").asText("");
    String have = current.path("metadata").path("resourceVersion").asText("");
    if (!wanted.isEmpty() && !wanted.equals(have)) {
      return status(409, "Conflict", "Operation cannot be fulfilled on " + objectPath
          + ": the object has been modified; please apply your changes to the latest version and try again");
    }
    ObjectNode next = apply ? applied(current, change) : (ObjectNode) mergePatch(current.deepCopy(), change);
    if (statusSubresource) {
      // The custom resource status strategy: /status changes status only; the resource itself
      // never changes status.
      ObjectNode kept = current.deepCopy();
      if (statusWrite) {
        setOrRemove(kept, "status", next.get("status"));
      } else {
        setOrRemove(next, "status", current.get("status"));
        kept = next;
      }
      next = kept;
    }
    ArrayNode ops = replaceOps(current, next);
    MockResponse answer = delegate.dispatch(copy(request, "PATCH " + objectPath + (statusWrite ? "/status" : ""),
        "application/json-patch+json", ops.toString()));
    if (answer.code() / 100 == 2) {
      JsonNode named = statusWrite && statusSubresource ? onlyStatus(change) : withoutStatus(change, statusSubresource);
      record(objectPath, manager, apply ? "Apply" : "Update", subresource, fieldsOf(named));
      return withManagedFields(answer, objectPath);
    }
    return answer;
  }

  /** What server-side apply makes of {@code current} for the manager of the fields {@code apply} names. */
  static ObjectNode applied(ObjectNode current, ObjectNode apply) {
    ObjectNode next = current.deepCopy();
    for (Iterator<Map.Entry<String, JsonNode>> it = apply.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      if (key.equals("apiVersion") || key.equals("kind")) {
        continue;
      }
      if (!key.equals("metadata")) {
        next.set(key, field.getValue());
        continue;
      }
      ObjectNode meta = next.with("metadata");
      for (Iterator<Map.Entry<String, JsonNode>> m = field.getValue().fields(); m.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = m.next();
        String name = entry.getKey();
        if (IDENTITY.contains(name)) {
          continue;
        }
        if ((name.equals("labels") || name.equals("annotations")) && entry.getValue().isObject()) {
          meta.with(name).setAll((ObjectNode) entry.getValue());
        } else if (name.equals("finalizers") && entry.getValue().isArray()) {
          Set<String> union = new LinkedHashSet<>();
          meta.path("finalizers").forEach(f -> union.add(f.asText()));
          entry.getValue().forEach(f -> union.add(f.asText()));
          ArrayNode all = meta.putArray("finalizers");
          union.forEach(all::add);
        } else {
          meta.set(name, entry.getValue());
        }
      }
    }
    return next;
  }

  /** RFC 7386: objects merge, null removes, anything else (arrays included) replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : MAPPER.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }

  /** A JSON Patch that turns {@code current} into {@code next}, one top-level (or metadata) field per op. */
  private static ArrayNode replaceOps(ObjectNode current, ObjectNode next) {
    ArrayNode ops = MAPPER.createArrayNode();
    Set<String> keys = new LinkedHashSet<>();
    current.fieldNames().forEachRemaining(keys::add);
    next.fieldNames().forEachRemaining(keys::add);
    for (String key : keys) {
      if (key.equals("metadata")) {
        Set<String> metaKeys = new LinkedHashSet<>();
        current.path("metadata").fieldNames().forEachRemaining(metaKeys::add);
        next.path("metadata").fieldNames().forEachRemaining(metaKeys::add);
        for (String m : metaKeys) {
          if (!IDENTITY.contains(m)) {
            diff(ops, "/metadata/" + m, current.path("metadata").get(m), next.path("metadata").get(m));
          }
        }
      } else if (!key.equals("apiVersion") && !key.equals("kind")) {
        diff(ops, "/" + key, current.get(key), next.get(key));
      }
    }
    return ops;
  }

  private static void diff(ArrayNode ops, String path, JsonNode before, JsonNode after) {
    if (after == null) {
      if (before != null) {
        ops.addObject().put("op", "remove").put("path", path);
      }
    } else if (!after.equals(before)) {
      ops.addObject().put("op", "add").put("path", path).set("value", after);
    }
  }

  private static void setOrRemove(ObjectNode node, String key, JsonNode value) {
    if (value == null || value.isNull()) {
      node.remove(key);
    } else {
      node.set(key, value);
    }
  }

  private static JsonNode onlyStatus(ObjectNode change) {
    ObjectNode out = MAPPER.createObjectNode();
    if (change.has("status")) {
      out.set("status", change.get("status"));
    }
    return out;
  }

  private static JsonNode withoutStatus(ObjectNode change, boolean statusSubresource) {
    ObjectNode out = change.deepCopy();
    if (statusSubresource) {
      out.remove("status");
    }
    return out;
  }

  /** The fields an object names, as managedFields' FieldsV1 lists them (dotted, list items as [type=X]). */
  static Set<String> fieldsOf(JsonNode object) {
    Set<String> out = new LinkedHashSet<>();
    collect(object, "", out);
    return out;
  }

  private static void collect(JsonNode node, String prefix, Set<String> out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (prefix.isEmpty() && (f.getKey().equals("apiVersion") || f.getKey().equals("kind"))) {
          continue;
        }
        if (prefix.equals("metadata") && IDENTITY.contains(f.getKey())) {
          continue;
        }
        collect(f.getValue(), prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), out);
      }
    } else if (node.isArray() && node.size() > 0 && node.get(0).has("type")) {
      // A list map keyed on type (conditions): each item is owned on its own.
      for (JsonNode item : node) {
        collect(item, prefix + "[type=" + item.path("type").asText() + "]", out);
      }
    } else {
      out.add(prefix);
    }
  }

  private static Set<String> fieldsOfJsonPatch(JsonNode ops) {
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode op : ops) {
      String path = op.path("path").asText();
      String[] parts = path.substring(1).split("/");
      StringBuilder field = new StringBuilder();
      for (String part : parts) {
        field.append(field.length() == 0 ? "" : ".").append(part.replace("~1", "/").replace("~0", "~"));
      }
      if (!field.toString().equals("metadata.resourceVersion")) {
        out.add(field.toString());
      }
    }
    return out;
  }

  private void record(String objectPath, String manager, String operation, String subresource, Set<String> fields) {
    if (fields.isEmpty()) {
      return;
    }
    Map<String, ManagedFields> entries = managedFields.computeIfAbsent(objectPath, k -> new ConcurrentHashMap<>());
    synchronized (entries) {
      // Ownership moves to the last writer of a field.
      for (Map.Entry<String, ManagedFields> e : new ArrayList<>(entries.entrySet())) {
        Set<String> left = new LinkedHashSet<>(e.getValue().fields());
        left.removeIf(owned -> fields.stream().anyMatch(f -> owned.equals(f) || owned.startsWith(f + ".")
            || owned.startsWith(f + "[") || f.startsWith(owned + ".")));
        if (left.isEmpty()) {
          entries.remove(e.getKey());
        } else {
          entries.put(e.getKey(), new ManagedFields(e.getValue().manager(), e.getValue().operation(), e.getValue().subresource(), left));
        }
      }
      String key = manager + "|" + operation + "|" + subresource;
      Set<String> owned = new LinkedHashSet<>();
      if (operation.equals("Update") && entries.containsKey(key)) {
        owned.addAll(entries.get(key).fields());
      }
      owned.addAll(fields);
      entries.put(key, new ManagedFields(manager, operation, subresource, Set.copyOf(owned)));
    }
  }

  private MockResponse withManagedFields(MockResponse response, String objectPath) {
    Map<String, ManagedFields> entries = managedFields.get(objectPath);
    if (response.code() != 200 || entries == null || entries.isEmpty()) {
      return response;
    }
    ObjectNode obj = (ObjectNode) json(response.getBody().readUtf8());
    ArrayNode list = obj.with("metadata").putArray("managedFields");
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    for (ManagedFields m : entries.values()) {
      ObjectNode entry = list.addObject().put("manager", m.manager()).put("operation", m.operation())
          .put("apiVersion", obj.path("apiVersion").asText()).put("time", now).put("fieldsType", "FieldsV1");
      if (m.subresource() != null) {
        entry.put("subresource", m.subresource());
      }
      ObjectNode fields = entry.putObject("fieldsV1");
      for (String f : m.fields()) {
        ObjectNode at = fields;
        for (String part : f.split("\\.")) {
          at = at.with(part.startsWith("[") ? "k:" + part : "f:" + part);
        }
      }
    }
    return response.setBody(obj.toString());
  }

  /** The field manager the API server records: the query parameter, else the User-Agent's product. */
  private static String manager(RecordedRequest request) {
    String path = request.getPath();
    int q = path.indexOf('?');
    if (q >= 0) {
      for (String param : path.substring(q + 1).split("&")) {
        if (param.startsWith("fieldManager=")) {
          return URLDecoder.decode(param.substring("fieldManager=".length()), StandardCharsets.UTF_8);
        }
      }
    }
    String agent = request.getHeader("User-Agent");
    if (agent == null || agent.isBlank()) {
      return "unknown";
    }
    int slash = agent.indexOf('/');
    return slash < 0 ? agent : agent.substring(0, slash);
  }

  private WebSocketListener tracked(WebSocketListener inner) {
    return new WebSocketListener() {
      @Override
      public void onBeforeAccept(WebSocket webSocket, Response response) {
        inner.onBeforeAccept(webSocket, response);
      }

      @Override
      public void onOpen(WebSocket webSocket, Response response) {
        openWatches.add(webSocket);
        inner.onOpen(webSocket, response);
      }

      @Override
      public void onMessage(WebSocket webSocket, String text) {
        inner.onMessage(webSocket, text);
      }

      @Override
      public void onMessage(WebSocket webSocket, byte[] bytes) {
        inner.onMessage(webSocket, bytes);
      }

      @Override
      public void onClosing(WebSocket webSocket, int code, String reason) {
        openWatches.remove(webSocket);
        inner.onClosing(webSocket, code, reason);
      }

      @Override
      public void onClosed(WebSocket webSocket, int code, String reason) {
        openWatches.remove(webSocket);
        inner.onClosed(webSocket, code, reason);
      }

      @Override
      public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        openWatches.remove(webSocket);
        inner.onFailure(webSocket, t, response);
      }
    };
  }

  private MockResponse mintToken(String namespace, String name, String body) {
    MockResponse existing = delegate.dispatch(get("/api/v1/namespaces/" + namespace + "/serviceaccounts/" + name));
    if (existing.code() != 200) {
      return existing;
    }
    JsonNode request = json(body);
    String audience = request.path("spec").path("audiences").path(0).asText("https://kubernetes.default.svc");
    Instant exp = tokens.now().plusSeconds(request.path("spec").path("expirationSeconds").asLong(3600));
    ObjectNode answer = MAPPER.createObjectNode().put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenRequest");
    answer.set("spec", request.path("spec"));
    answer.putObject("status").put("token", tokens.mint(namespace, name, audience, exp)).put("expirationTimestamp", exp.toString());
    return new MockResponse().setResponseCode(201).setBody(answer.toString());
  }

  private static MockResponse status(int code, String reason, String message) {
    ObjectNode s = MAPPER.createObjectNode().put("kind", "Status").put("apiVersion", "v1")
        .put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    return new MockResponse().setResponseCode(code).setBody(s.toString());
  }

  private static RecordedRequest get(String path) {
    return new RecordedRequest("GET " + path + " HTTP/1.1", HttpMethod.GET, path, Headers.builder().build(), new Buffer());
  }

  private static String plainOrSame(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    // The mock drops an apply's status behind a 202 unless the query string is gone.
    boolean apply = contentType != null && contentType.startsWith("application/apply-patch");
    return request.method().name() + " " + (apply ? plain(request.getPath()) : request.getPath());
  }

  private static RecordedRequest copy(RecordedRequest request, String requestLine, String body) {
    return copy(request, requestLine, request.getHeader("Content-Type"), body);
  }

  private static RecordedRequest copy(RecordedRequest request, String requestLine, String contentType, String body) {
    String path = requestLine.substring(requestLine.indexOf(' ') + 1);
    Headers.Builder headers = request.getHeaders().newBuilder();
    if (contentType != null) {
      headers.set("Content-Type", contentType);
    }
    return new RecordedRequest(requestLine + " HTTP/1.1", HttpMethod.valueOf(requestLine.substring(0, requestLine.indexOf(' '))),
        path, headers.build(), new Buffer(body.getBytes(StandardCharsets.UTF_8)));
  }

  private static String plain(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  private static JsonNode json(String text) {
    try {
      return text == null || text.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("request or stored object is not JSON", e);
    }
  }

  public List<Recorded> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** How many requests were recorded, without copying them. */
  public int requestCount() {
    synchronized (requests) {
      return requests.size();
    }
  }

  public void clearRecorded() {
    synchronized (requests) {
      requests.clear();
    }
  }

  @Override
  public void expectCustomResource(CustomResourceDefinitionContext context) {
    delegate.expectCustomResource(context);
  }

  @Override
  public void reset() {
    delegate.reset();
    managedFields.clear();
  }
}
