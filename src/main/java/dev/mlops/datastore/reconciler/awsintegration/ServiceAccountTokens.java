package dev.mlops.datastore.reconciler.awsintegration;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Service account tokens for exchanging with STS, as the pod identity webhook would mount them:
 * a TokenRequest with the integration's audience, short-lived, held in memory only and never
 * logged.
 */
final class ServiceAccountTokens {
  private static final long LIFETIME_SECONDS = 600L;

  private ServiceAccountTokens() {}

  /**
   * @return the token, or null when the answer carried none
   * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API refuses or fails
   */
  static String request(KubernetesClient client, String namespace, String serviceAccount, String audience) {
    TokenRequest request =
        new TokenRequestBuilder().withNewSpec().withAudiences(audience).withExpirationSeconds(LIFETIME_SECONDS).endSpec().build();
    TokenRequest answer = client.serviceAccounts().inNamespace(namespace).withName(serviceAccount).tokenRequest(request);
    return answer == null || answer.getStatus() == null ? null : answer.getStatus().getToken();
  }
}
