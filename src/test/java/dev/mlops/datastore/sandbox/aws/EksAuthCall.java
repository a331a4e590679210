package dev.mlops.datastore.sandbox.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * AssumeRoleForPodIdentity as the EKS Pod Identity Agent sends it: a JSON POST signed with the
 * SDK's own SigV4 signer ({@code eksauth} is not published for the SDK version the project uses).
 */
public final class EksAuthCall {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Set<String> NOT_SENT = Set.of("host", "content-length");

  /** What EKS Auth answered: the status, the error type header (null on success) and the JSON body. */
  public record Answer(int status, String errorType, JsonNode body) {}

  private EksAuthCall() {}

  public static Answer assume(URI endpoint, AwsCredentials signer, String signingName, String cluster, String token) {
    String body = JSON.createObjectNode().put("token", token).toString();
    URI uri = URI.create(endpoint + "/clusters/" + cluster + "/assume-role-for-pod-identity");
    SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri).putHeader("Content-Type", "application/json").build();
    AwsCredentialsIdentity identity = signer instanceof AwsSessionCredentials s
        ? AwsSessionCredentialsIdentity.create(s.accessKeyId(), s.secretAccessKey(), s.sessionToken())
        : AwsCredentialsIdentity.create(signer.accessKeyId(), signer.secretAccessKey());
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(identity).request(request)
        .payload(ContentStreamProvider.fromUtf8String(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName)
        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"));
    HttpRequest.Builder http = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    signed.request().headers().forEach((name, values) -> {
      if (!NOT_SENT.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(v -> http.header(name, v));
      }
    });
    return send(http.build());
  }

  /** The same call without any signature. */
  public static Answer unsigned(URI endpoint, String cluster, String token) {
    String body = JSON.createObjectNode().put("token", token).toString();
    return send(HttpRequest.newBuilder(URI.create(endpoint + "/clusters/" + cluster + "/assume-role-for-pod-identity"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static Answer send(HttpRequest request) {
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.headers().firstValue("x-amzn-ErrorType").orElse(null), JSON.readTree(response.body()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
