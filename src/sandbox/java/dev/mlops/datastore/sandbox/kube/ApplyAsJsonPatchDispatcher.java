package dev.mlops.datastore.sandbox.kube;

import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.Resetable;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test-only front of the mock API server's CRUD dispatcher.
 *
 * <p>The mock answers server-side apply with 415, while the operator, like any JOSDK 5 operator,
 * patches status and finalizers with server-side apply. Here an apply patch is handed on as a JSON
 * Patch that replaces each field the apply names (its query string removed, or the mock silently
 * drops the status behind a 202). Not as a merge patch: the mock merges with Jackson's
 * readerForUpdating, which appends to arrays, so conditions would pile up. For what the operator
 * applies (its whole status, or its finalizer list) as the sole manager of those fields, this is
 * what a real API server does.
 *
 * <p>It also records every request, so tests can count the writes the operator made.
 */
public final class ApplyAsJsonPatchDispatcher extends Dispatcher
    implements CustomResourceAware, Resetable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> IDENTITY =
      Set.of("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields");
  private static final java.util.regex.Pattern TOKEN_PATH =
      java.util.regex.Pattern.compile("^/api/v1/namespaces/([^/]+)/serviceaccounts/([^/?]+)/token$");

  private final KubernetesMixedDispatcher delegate;
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private volatile dev.mlops.datastore.sandbox.aws.ClusterTokens tokens;

  /**
   * Answers TokenRequests (which the mock does not emulate) for existing service accounts with
   * JWTs signed by {@code tokens}, as an API server would; null turns it off.
   */
  public void mintTokensWith(dev.mlops.datastore.sandbox.aws.ClusterTokens tokens) {
    this.tokens = tokens;
  }

  /** One request as the server saw it, before any rewriting. */
  public record Recorded(String method, String path, String contentType) {
    public boolean isPatch() {
      return method.equals("PATCH");
    }

    public String pathWithoutQuery() {
      int q = path.indexOf('?');
      return q < 0 ? path : path.substring(0, q);
    }
  }

  public ApplyAsJsonPatchDispatcher(KubernetesMixedDispatcher delegate) {
    this.delegate = delegate;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    boolean apply = contentType != null && contentType.startsWith("application/apply-patch");
    // The body is a stream that can be read once: only the apply branch, which rebuilds the
    // request, reads it.
    requests.add(new Recorded(request.method().name(), request.getPath(), contentType));
    java.util.regex.Matcher token = TOKEN_PATH.matcher(request.getPath());
    if (tokens != null && request.method().name().equals("POST") && token.matches()) {
      return mintToken(token.group(1), token.group(2), request);
    }
    if (!apply) {
      return delegate.dispatch(request);
    }
    String path = request.getPath();
    int q = path.indexOf('?');
    String plainPath = q < 0 ? path : path.substring(0, q);
    Headers headers =
        request.getHeaders().newBuilder()
            .set("Content-Type", "application/json-patch+json")
            .build();
    RecordedRequest asMerge =
        new RecordedRequest(
            "PATCH " + plainPath + " HTTP/1.1",
            request.method(),
            plainPath,
            headers,
            new Buffer(asJsonPatch(request.getUtf8Body()).getBytes(StandardCharsets.UTF_8)));
    return delegate.dispatch(asMerge);
  }

  /**
   * The JSON Patch that does what server-side apply does for a sole field manager: each top-level
   * field the apply names (and each metadata field other than identity) is replaced whole.
   */
  static String asJsonPatch(String applyBody) {
    ObjectNode apply;
    try {
      apply = (ObjectNode) MAPPER.readTree(applyBody);
    } catch (IOException e) {
      throw new IllegalArgumentException("apply body is not JSON", e);
    }
    ArrayNode ops = MAPPER.createArrayNode();
    apply
        .fields()
        .forEachRemaining(
            field -> {
              if (field.getKey().equals("metadata")) {
                field
                    .getValue()
                    .fields()
                    .forEachRemaining(
                        meta -> {
                          if (!IDENTITY.contains(meta.getKey())) {
                            ops.addObject()
                                .put("op", "add")
                                .put("path", "/metadata/" + meta.getKey())
                                .set("value", meta.getValue());
                          }
                        });
              } else if (!field.getKey().equals("apiVersion") && !field.getKey().equals("kind")) {
                ops.addObject()
                    .put("op", "add")
                    .put("path", "/" + field.getKey())
                    .set("value", field.getValue());
              }
            });
    return ops.toString();
  }

  private MockResponse mintToken(String namespace, String name, RecordedRequest request) {
    String saPath = "/api/v1/namespaces/" + namespace + "/serviceaccounts/" + name;
    MockResponse existing = delegate.dispatch(new RecordedRequest("GET " + saPath + " HTTP/1.1",
        io.fabric8.mockwebserver.dsl.HttpMethod.GET, saPath, Headers.builder().build(), new Buffer()));
    if (existing.code() != 200) {
      return existing;
    }
    try {
      com.fasterxml.jackson.databind.JsonNode body = MAPPER.readTree(request.getUtf8Body());
      String audience = body.path("spec").path("audiences").path(0).asText("https://kubernetes.default.svc");
      java.time.Instant exp = tokens.now().plusSeconds(body.path("spec").path("expirationSeconds").asLong(3600));
      ObjectNode answer = MAPPER.createObjectNode().put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenRequest");
      answer.set("spec", body.path("spec"));
      answer.putObject("status").put("token", tokens.mint(namespace, name, audience, exp)).put("expirationTimestamp", exp.toString());
      return new MockResponse().setResponseCode(201).setBody(answer.toString());
    } catch (IOException e) {
      return new MockResponse().setResponseCode(400);
    }
  }

  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  public void clearRecorded() {
    requests.clear();
  }

  @Override
  public void expectCustomResource(CustomResourceDefinitionContext context) {
    delegate.expectCustomResource(context);
  }

  @Override
  public void reset() {
    delegate.reset();
  }
}
