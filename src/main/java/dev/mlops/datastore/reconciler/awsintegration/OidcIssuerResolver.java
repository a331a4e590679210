package dev.mlops.datastore.reconciler.awsintegration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns this cluster's OIDC issuer: from the operator's configuration if set, else from the API
 * server's discovery document, else from the {@code iss} claim of a short-lived TokenRequest token
 * (read and dropped at once; never logged or stored). The first answer is kept: a cluster's issuer
 * does not change while the operator runs.
 */
public final class OidcIssuerResolver {
  private static final Logger log = LoggerFactory.getLogger(OidcIssuerResolver.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private volatile String issuer;

  public OidcIssuerResolver(KubernetesClient client, Optional<String> configured) {
    this.client = client;
    this.issuer = configured.orElse(null);
  }

  public Optional<String> issuer(String namespace, List<String> serviceAccounts, String audience) {
    if (issuer != null) {
      return Optional.of(issuer);
    }
    Optional<String> found = fromDiscovery().or(() -> fromToken(namespace, serviceAccounts, audience));
    found.ifPresent(
        value -> {
          issuer = value;
          log.atInfo().addKeyValue("issuer", value).log("learned the cluster's OIDC issuer");
        });
    return found;
  }

  private Optional<String> fromDiscovery() {
    try {
      String body = client.raw("/.well-known/openid-configuration");
      if (body == null) {
        return Optional.empty();
      }
      return issuerOf(JSON.readTree(body).path("issuer"));
    } catch (Exception e) {
      log.atDebug().addKeyValue("error", e.getClass().getSimpleName()).log("no OIDC discovery document");
      return Optional.empty();
    }
  }

  private Optional<String> fromToken(String namespace, List<String> serviceAccounts, String audience) {
    for (String name : serviceAccounts) {
      try {
        TokenRequest request =
            new TokenRequestBuilder()
                .withNewSpec()
                .withAudiences(audience)
                .withExpirationSeconds(600L)
                .endSpec()
                .build();
        TokenRequest answer =
            client.serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(request);
        String token = answer == null || answer.getStatus() == null ? null : answer.getStatus().getToken();
        if (token == null) {
          continue;
        }
        String[] parts = token.split("\\.");
        if (parts.length < 2) {
          continue;
        }
        byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
        Optional<String> iss = issuerOf(JSON.readTree(new String(payload, StandardCharsets.UTF_8)).path("iss"));
        if (iss.isPresent()) {
          return iss;
        }
      } catch (KubernetesClientException e) {
        log.atDebug().addKeyValue("serviceAccount", name).addKeyValue("code", e.getCode()).log("TokenRequest failed");
      } catch (Exception e) {
        log.atDebug().addKeyValue("serviceAccount", name).log("TokenRequest answer was not a JWT");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> issuerOf(JsonNode node) {
    String value = node.asText("");
    return value.startsWith("https://") ? Optional.of(value) : Optional.empty();
  }
}
