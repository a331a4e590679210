package dev.mlops.datastore.sandbox.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;

/**
 * The test cluster's service-account token issuer: an RSA key, and TokenRequest answers minted on
 * the mock API server (which does not emulate TokenRequest) as signed JWTs with the claims a
 * real API server puts in them, so the operator's real TokenRequest code runs.
 */
public final class ClusterTokens {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String issuer;
  private final KeyPair keys;
  private final java.util.List<String> minted = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile java.time.Clock clock = java.time.Clock.systemUTC();

  /** The clock tokens are issued by (iat, exp): share it with the world's STS to move time in a scene. */
  public ClusterTokens clock(java.time.Clock clock) {
    this.clock = clock;
    return this;
  }

  /** Every token minted so far (for tests that check no token leaked). */
  public java.util.List<String> minted() {
    return java.util.List.copyOf(minted);
  }

  public ClusterTokens(String issuer) {
    this.issuer = issuer;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      this.keys = g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The present, by the clock tokens are issued by (a TokenRequest's expiry counts from it). */
  public Instant now() {
    return clock.instant();
  }

  public PublicKey publicKey() {
    return keys.getPublic();
  }

  public String issuer() {
    return issuer;
  }

  /** Lets the mock API server answer TokenRequests for this service account. */
  public void serve(KubernetesMockServer server, String namespace, String serviceAccount) {
    server.expect().post().withPath("/api/v1/namespaces/" + namespace + "/serviceaccounts/" + serviceAccount + "/token")
        .andReply(201, request -> {
          try {
            JsonNode body = JSON.readTree(request.getUtf8Body());
            String audience = body.path("spec").path("audiences").path(0).asText("https://kubernetes.default.svc");
            long seconds = body.path("spec").path("expirationSeconds").asLong(3600);
            Instant exp = clock.instant().plusSeconds(seconds);
            JsonNode bound = body.path("spec").path("boundObjectRef");
            boolean pod = bound.path("kind").asText().equals("Pod");
            String token = mint(namespace, serviceAccount, audience, exp, pod ? bound.path("name").asText(null) : null,
                pod ? bound.path("uid").asText(null) : null);
            return new TokenRequestBuilder().withNewStatus().withToken(token)
                .withExpirationTimestamp(exp.toString()).endStatus().build();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }).always();
  }

  public String mint(String namespace, String serviceAccount, String audience, Instant exp) {
    return mint(namespace, serviceAccount, audience, exp, null, null);
  }

  /**
   * A token bound to a pod, as the kubelet's projected tokens are: the {@code kubernetes.io.pod}
   * claim carries its name and UID (EKS Pod Identity passes them on as session tags); null for none.
   */
  public String mint(String namespace, String serviceAccount, String audience, Instant exp, String podName, String podUid) {
    ObjectNode header = JSON.createObjectNode().put("alg", "RS256").put("kid", "test-key");
    ObjectNode claims = JSON.createObjectNode();
    claims.putArray("aud").add(audience);
    claims.put("exp", exp.getEpochSecond()).put("iat", clock.instant().getEpochSecond()).put("iss", issuer)
        .put("sub", "system:serviceaccount:" + namespace + ":" + serviceAccount);
    ObjectNode k8s = claims.putObject("kubernetes.io").put("namespace", namespace);
    k8s.putObject("serviceaccount").put("name", serviceAccount);
    if (podName != null) {
      k8s.putObject("pod").put("name", podName).put("uid", podUid == null ? "" : podUid);
    }
    String signingInput = b64(header.toString()) + "." + b64(claims.toString());
    try {
      Signature sig = Signature.getInstance("SHA256withRSA");
      sig.initSign(keys.getPrivate());
      sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      String token = signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig.sign());
      minted.add(token);
      return token;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
