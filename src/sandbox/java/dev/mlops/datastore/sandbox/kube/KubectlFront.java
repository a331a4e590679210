package dev.mlops.datastore.sandbox.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * What the sandbox's API server needs for the real kubectl, in front of the mock API server: an HTTP
 * server on loopback that the sandbox's kubeconfig points at, answering discovery ({@code /version},
 * {@code /api}, {@code /apis} and the groups' resource lists with short names and categories) and
 * OpenAPI v3 (our CRDs' schemas, for {@code kubectl explain}) itself, and forwarding the rest to the
 * mock with what kubectl expects and the mock lacks:
 *
 * <ul>
 *   <li>lists and objects as server-side {@code Table}s when kubectl asks for them, with our CRDs'
 *       printer columns (so {@code kubectl get} shows Ready, Reason, ... and {@code -o wide} more);
 *   <li>watches as a stream of JSON events over plain HTTP (the mock watches over WebSockets only),
 *       from polling the mock, for {@code kubectl wait} and {@code get -w};
 *   <li>field selectors ({@code metadata.name}, an Event's {@code involvedObject.*}) applied here;
 *   <li>strategic merge patches (which the mock refuses) sent as JSON merge patches, their
 *       {@code $} directives removed: close enough for the Secrets and ServiceAccounts of a scene;
 *   <li>a server-side apply of an object that does not exist yet made a create, as the API server
 *       does; a Secret's {@code stringData} stored as {@code data}.
 * </ul>
 *
 * <p>The operator keeps talking to the mock directly; only kubectl comes through here.
 */
public final class KubectlFront implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long POLL_MILLIS = 400;

  private static final Pattern SECRETS = Pattern.compile("^/api/v1/namespaces/[^/]+/secrets(/[^/]+)?$");

  private final URI backend;
  private final ApiDiscovery discovery;
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "kubectl-front");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private volatile boolean closed;

  /** Starts serving on a free loopback port, forwarding to the mock API server at {@code backendUrl}. */
  public KubectlFront(String backendUrl, List<CustomResourceDefinition> crds) throws IOException {
    this.backend = URI.create(backendUrl.endsWith("/") ? backendUrl.substring(0, backendUrl.length() - 1) : backendUrl);
    this.discovery = new ApiDiscovery(crds);
    server = dev.mlops.datastore.sandbox.aws.LoopbackHttp.server();
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Where kubectl reaches it, e.g. {@code http://127.0.0.1:41234}. */
  public String url() {
    return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getRawPath();
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      JsonNode served = method.equals("GET") ? discovery.answer(path) : null;
      if (served != null) {
        send(exchange, 200, served.toString());
        return;
      }
      if (method.equals("GET") && (path.startsWith("/openapi/") || path.equals("/openapi"))) {
        send(exchange, 404, status(404, "NotFound", "the sandbox serves OpenAPI v3 only (/openapi/v3)").toString());
        return;
      }
      if (method.equals("GET") && "true".equals(query.get("watch"))) {
        watch(exchange, path, query);
        return;
      }
      forward(exchange, method, path, query);
    } catch (IOException e) {
      // The client went away: nothing more to say to it.
    } catch (RuntimeException e) {
      // A request this front cannot read (or a bug of ours): said as the API server says a failure.
      try {
        send(exchange, 500, status(500, "InternalError", "the sandbox's kubectl front failed: " + e).toString());
      } catch (IOException | RuntimeException ignored) {
        // The answer had begun: the client sees the connection close.
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void forward(HttpExchange exchange, String method, String path, Map<String, String> query) throws IOException, InterruptedException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType != null && contentType.startsWith("application/strategic-merge-patch")) {
      contentType = "application/merge-patch+json";
      body = withoutDirectives(JSON.readTree(body)).toString().getBytes(StandardCharsets.UTF_8);
    }
    if (body.length > 0 && SECRETS.matcher(path).matches()) {
      body = withStringDataAsData(JSON.readTree(body)).toString().getBytes(StandardCharsets.UTF_8);
    }
    if (method.equals("PATCH") && contentType != null && contentType.startsWith("application/apply-patch") && !exists(path)) {
      // Server-side apply creates what is not there yet (kubectl apply --server-side); the mock answers 404.
      method = "POST";
      path = path.substring(0, path.lastIndexOf('/'));
      contentType = "application/json";
      query.remove("force");
    }
    String selector = query.remove("fieldSelector");
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(backend + path + encode(query)))
        .timeout(Duration.ofSeconds(30)).header("Accept", "application/json")
        .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    String agent = exchange.getRequestHeaders().getFirst("User-Agent");
    if (agent != null) {
      request.header("User-Agent", agent);
    }
    HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    String text = answer.body();
    if (answer.statusCode() == 200 && method.equals("GET") && !text.isBlank()) {
      JsonNode object = JSON.readTree(text);
      if (selector != null && object.path("items").isArray()) {
        ArrayNode kept = JSON.createArrayNode();
        object.path("items").forEach(item -> {
          if (FieldSelector.matches(selector, item)) {
            kept.add(item);
          }
        });
        ((ObjectNode) object).set("items", kept);
      }
      if (object.path("kind").asText().equals("List")) {
        // Typed clients (kubectl describe's Event search) decode a list only under its own kind.
        JsonNode list = object;
        discovery.resourceOf(path).ifPresent(r -> ((ObjectNode) list).put("kind", r.kind() + "List").put("apiVersion", r.groupVersion()));
      }
      String accept = exchange.getRequestHeaders().getFirst("Accept");
      if (accept != null && accept.contains("as=Table")) {
        object = ServerTables.table(object, path, discovery);
      }
      text = object.toString();
    }
    send(exchange, answer.statusCode(), text);
  }

  private boolean exists(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(backend + path)).timeout(Duration.ofSeconds(30)).header("Accept", "application/json").GET()
        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() != 404;
  }

  /**
   * A watch as the API server streams it over HTTP: one JSON event per line (its object a one-row
   * Table when kubectl asks for tables, as {@code get -w} does), for the objects of the
   * watched list (and field selector) that changed after {@code resourceVersion}, until
   * {@code timeoutSeconds} or the client leaves. Found by listing the mock every {@value #POLL_MILLIS} ms.
   */
  private void watch(HttpExchange exchange, String path, Map<String, String> query) throws IOException, InterruptedException {
    String selector = query.remove("fieldSelector");
    String since = query.remove("resourceVersion");
    long timeout = Long.parseLong(query.getOrDefault("timeoutSeconds", "1800"));
    query.remove("watch");
    query.remove("timeoutSeconds");
    query.remove("allowWatchBookmarks");
    query.remove("resourceVersionMatch");
    query.remove("sendInitialEvents");
    String list = backend + path + encode(query);
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    boolean table = accept != null && accept.contains("as=Table");
    long from = since == null || since.isEmpty() ? -1 : parseLong(since);
    Map<String, JsonNode> seen = new HashMap<>();
    boolean first = true;
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0); // 0: chunked, as long as the watch lasts
    OutputStream out = exchange.getResponseBody();
    Instant end = Instant.now().plusSeconds(timeout);
    while (!closed && Instant.now().isBefore(end)) {
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(list)).timeout(Duration.ofSeconds(30))
          .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200) {
        return;
      }
      Map<String, JsonNode> now = new LinkedHashMap<>();
      for (JsonNode item : JSON.readTree(answer.body()).path("items")) {
        if (selector == null || FieldSelector.matches(selector, item)) {
          now.put(item.path("metadata").path("uid").asText(item.path("metadata").path("name").asText()), item);
        }
      }
      for (Map.Entry<String, JsonNode> e : now.entrySet()) {
        JsonNode before = seen.get(e.getKey());
        long version = parseLong(e.getValue().path("metadata").path("resourceVersion").asText());
        boolean changed = first ? version > from && from >= 0 : before == null
            || !before.path("metadata").path("resourceVersion").equals(e.getValue().path("metadata").path("resourceVersion"));
        if (changed) {
          event(out, before == null && !first ? "ADDED" : "MODIFIED", table ? ServerTables.table(e.getValue(), path, discovery) : e.getValue());
        }
      }
      for (Map.Entry<String, JsonNode> e : seen.entrySet()) {
        if (!now.containsKey(e.getKey())) {
          event(out, "DELETED", table ? ServerTables.table(e.getValue(), path, discovery) : e.getValue());
        }
      }
      seen = now;
      first = false;
      out.flush();
      Thread.sleep(POLL_MILLIS);
    }
  }

  private static void event(OutputStream out, String type, JsonNode object) throws IOException {
    ObjectNode event = JSON.createObjectNode().put("type", type);
    event.set("object", object);
    out.write((event + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A Secret's stringData written into its data, base64-encoded, as the API server stores it. */
  static JsonNode withStringDataAsData(JsonNode secret) {
    if (!secret.isObject() || !secret.path("stringData").isObject()) {
      return secret;
    }
    ObjectNode out = ((ObjectNode) secret).deepCopy();
    ObjectNode data = out.path("data").isObject() ? (ObjectNode) out.get("data") : out.putObject("data");
    secret.path("stringData").fields().forEachRemaining(e -> data.put(e.getKey(),
        e.getValue().isNull() ? null : Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
    out.remove("stringData");
    return out;
  }

  /** A strategic merge patch as a JSON merge patch: its {@code $patch}, {@code $setElementOrder/...} and other directives dropped. */
  static JsonNode withoutDirectives(JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode out = JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!f.getKey().startsWith("$")) {
        out.set(f.getKey(), withoutDirectives(f.getValue()));
      }
    }
    return out;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      out.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String encode(Map<String, String> query) {
    if (query.isEmpty()) {
      return "";
    }
    List<String> pairs = new ArrayList<>();
    query.forEach((k, v) -> pairs.add(java.net.URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return "?" + String.join("&", pairs);
  }

  private static void send(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  static ObjectNode status(int code, String reason, String message) {
    return JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1").put("status", "Failure").put("message", message)
        .put("reason", reason).put("code", code);
  }

  @Override
  public void close() {
    closed = true;
    server.stop(0);
    threads.shutdownNow();
  }
}
