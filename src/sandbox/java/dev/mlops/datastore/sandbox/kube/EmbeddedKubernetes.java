package dev.mlops.datastore.sandbox.kube;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.datastore.sandbox.aws.ClusterTokens;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * A Kubernetes API on loopback for tests and the sandbox: fabric8's mock server in CRUD mode with
 * the operator's CRDs created in it, TokenRequests answered with JWTs signed by the cluster's key,
 * and the issuer's OIDC discovery document and JWKS served as an API server serves them.
 */
public final class EmbeddedKubernetes implements AutoCloseable {
  /** The issuer of this cluster's service account tokens, an EKS-style one. */
  public static final String ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  static final List<String> CRDS = List.of("awsintegrations.datastore.mlops.dev-v1.yml", "datasets.datastore.mlops.dev-v1.yml",
      "modelartifacts.datastore.mlops.dev-v1.yml", "awsintegrationpolicies.datastore.mlops.dev-v1.yml");

  private final KubernetesMockServer server;
  private final ApplyAsJsonPatchDispatcher dispatcher;
  private final KubernetesClient client;
  private final ClusterTokens tokens = new ClusterTokens(ISSUER);

  public EmbeddedKubernetes() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    dispatcher = new ApplyAsJsonPatchDispatcher(new IndexedCrudDispatcher.Mixed(responses));
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
    server.init();
    // HTTP/1.1 to the plain-http mock: the JDK client would otherwise try h2c, and fabric8's h2c
    // path fails on list answers of a few MB (thousands of objects).
    io.fabric8.kubernetes.client.Config config;
    try (KubernetesClient made = server.createClient()) {
      config = new io.fabric8.kubernetes.client.ConfigBuilder(made.getConfiguration()).withHttp2Disable(true).build();
    }
    client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build();
    dispatcher.mintTokensWith(tokens);
    for (CustomResourceDefinition crd : crds()) {
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  /** The CRDs the build generated, from the class path. */
  public static List<CustomResourceDefinition> crds() {
    List<CustomResourceDefinition> out = new ArrayList<>();
    for (String name : CRDS) {
      try (InputStream in = EmbeddedKubernetes.class.getResourceAsStream("/META-INF/fabric8/" + name)) {
        if (in == null) {
          throw new IllegalStateException("generated CRD " + name + " missing from the class path; run mvn process-classes");
        }
        out.add(Serialization.unmarshal(in, CustomResourceDefinition.class));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  /** Serves the issuer's discovery document and JWKS, so the operator can learn the issuer. */
  public EmbeddedKubernetes serveIssuerDiscovery() {
    String jwks = ISSUER + "/openid/v1/jwks";
    server.expect().get().withPath("/.well-known/openid-configuration")
        .andReturn(200, "{\"issuer\":\"" + ISSUER + "\",\"jwks_uri\":\"" + jwks + "\",\"response_types_supported\":[\"id_token\"],"
            + "\"subject_types_supported\":[\"public\"],\"id_token_signing_alg_values_supported\":[\"RS256\"]}").always();
    RSAPublicKey key = (RSAPublicKey) tokens.publicKey();
    ObjectNode jwk = JsonNodeFactory.instance.objectNode().put("kty", "RSA").put("alg", "RS256").put("use", "sig").put("kid", "test-key")
        .put("n", b64(key.getModulus())).put("e", b64(key.getPublicExponent()));
    ObjectNode set = JsonNodeFactory.instance.objectNode();
    set.putArray("keys").add(jwk);
    server.expect().get().withPath("/openid/v1/jwks").andReturn(200, set.toString()).always();
    return this;
  }

  private static String b64(BigInteger n) {
    byte[] bytes = n.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public KubernetesClient client() {
    return client;
  }

  public KubernetesMockServer server() {
    return server;
  }

  public ApplyAsJsonPatchDispatcher dispatcher() {
    return dispatcher;
  }

  public ClusterTokens tokens() {
    return tokens;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
