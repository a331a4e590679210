package dev.mlops.datastore.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * {@link EksAuthGateway} as the documented REST call, signed here: {@code
 * software.amazon.awssdk:eksauth} is not in the registry these builds reach for the SDK version in
 * use. {@code POST /clusters/{clusterName}/assume-role-for-pod-identity} with {@code {"token"}},
 * SigV4 with signing name {@code eks-auth} (API reference: AssumeRoleForPodIdentity, EKS Auth API
 * version 2023-11-26), over the SDK's own HTTP client. The call is counted as
 * {@code EKS Auth:AssumeRoleForPodIdentity} like the SDK clients' calls.
 *
 * <p>Neither the token nor the credentials in the answer are ever logged or put in a message.
 */
public final class SignedEksAuthGateway implements EksAuthGateway {
  static final String OPERATION = "eks-auth:AssumeRoleForPodIdentity";
  private static final Pattern CLUSTER_NAME = Pattern.compile("^[0-9A-Za-z][A-Za-z0-9\\-_]{0,99}$");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ANSWER = 64 * 1024;

  private final Supplier<SdkHttpClient> http;
  private final AwsCredentialsProvider operatorIdentity;
  private final Function<String, URI> endpointForRegion;
  private final AwsCallCounter counter;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  /**
   * @param http the HTTP client, built on first use
   * @param endpointForRegion the EKS Auth endpoint of a region (an override, or
   *     {@code https://eks-auth.REGION.api.aws})
   */
  public SignedEksAuthGateway(Supplier<SdkHttpClient> http, AwsCredentialsProvider operatorIdentity, Function<String, URI> endpointForRegion,
      AwsCallCounter counter) {
    this.http = http;
    this.operatorIdentity = operatorIdentity;
    this.endpointForRegion = endpointForRegion;
    this.counter = counter;
  }

  /** The public endpoint of EKS Auth in a region (dual-stack, as the service publishes it). */
  public static URI publicEndpoint(String region) {
    String suffix = region.startsWith("cn-") ? "api.amazonwebservices.com.cn" : "api.aws";
    return URI.create("https://eks-auth." + region + "." + suffix);
  }

  @Override
  public PodIdentitySession assumeRoleForPodIdentity(String clusterName, String token, String region) {
    if (clusterName == null || !CLUSTER_NAME.matcher(clusterName).matches()) {
      throw new PodIdentityException("InvalidClusterName", "InvalidParameterException",
          "'" + String.valueOf(clusterName) + "' is not an EKS cluster name (1-100 of letters, digits, - and _, starting with a letter or digit)");
    }
    URI base = endpointForRegion.apply(region);
    byte[] body;
    ObjectNode payload = JSON.createObjectNode().put("token", token);
    try {
      body = JSON.writeValueAsBytes(payload);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON object of one string always serializes", e);
    }
    String path = (base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", ""))
        + "/clusters/" + URLEncoder.encode(clusterName, StandardCharsets.UTF_8) + "/assume-role-for-pod-identity";
    SdkHttpFullRequest request = SdkHttpFullRequest.builder()
        .method(SdkHttpMethod.POST)
        .uri(base)
        .encodedPath(path)
        .putHeader("Content-Type", "application/json")
        .putHeader("Content-Length", Integer.toString(body.length))
        .build();
    HttpExecuteResponse response;
    byte[] answer;
    try {
      SignedRequest signed = signer.sign(r -> r
          .identity(operatorIdentity.resolveCredentials())
          .request(request)
          .payload(ContentStreamProvider.fromByteArray(body))
          .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "eks-auth")
          .putProperty(AwsV4HttpSigner.REGION_NAME, region));
      response = http.get().prepareRequest(HttpExecuteRequest.builder()
          .request(signed.request())
          .contentStreamProvider(signed.payload().orElse(null))
          .build()).call();
      answer = read(response);
    } catch (IOException e) {
      counter.record("EKS Auth", "AssumeRoleForPodIdentity", 0, null);
      throw AwsErrors.classify(OPERATION, SdkClientException.create(e.getClass().getSimpleName() + ": " + e.getMessage(), e));
    } catch (SdkException e) {
      counter.record("EKS Auth", "AssumeRoleForPodIdentity", 0, null);
      throw AwsErrors.classify(OPERATION, e);
    }
    int status = response.httpResponse().statusCode();
    JsonNode json = parse(answer);
    if (status / 100 == 2) {
      counter.record("EKS Auth", "AssumeRoleForPodIdentity", status, null);
      return session(json);
    }
    String code = errorCode(response, json);
    counter.record("EKS Auth", "AssumeRoleForPodIdentity", status, code);
    String message = Optional.ofNullable(json).map(j -> j.path("message").asText(j.path("Message").asText(""))).orElse("");
    AwsServiceException failure = AwsServiceException.builder()
        .statusCode(status)
        .message(message)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message.isEmpty() ? "HTTP " + status : message)
            .serviceName("EKS Auth").build())
        .build();
    AwsCallException classified = AwsErrors.classify(OPERATION, failure);
    if (classified.kind() == AwsCallException.Kind.TRANSIENT) {
      throw classified;
    }
    throw new PodIdentityException(reason(code), code, classified.getMessage());
  }

  /** Maps EKS Auth's error codes to the reasons of docs/conditions.md. */
  static String reason(String code) {
    if (code == null) {
      return "EksAuthRejected";
    }
    return switch (code) {
      case "ResourceNotFoundException" -> "PodIdentityAssociationNotFound";
      case "AccessDeniedException" -> "PodIdentityAccessDenied";
      case "InvalidTokenException" -> "PodIdentityTokenInvalid";
      case "ExpiredTokenException" -> "TokenExpired";
      default -> "EksAuthRejected";
    };
  }

  private static PodIdentitySession session(JsonNode json) {
    JsonNode creds = json == null ? null : json.get("credentials");
    JsonNode user = json == null ? null : json.get("assumedRoleUser");
    if (creds == null || user == null || !creds.hasNonNull("accessKeyId") || !creds.hasNonNull("secretAccessKey")
        || !user.hasNonNull("arn")) {
      throw new AwsCallException(AwsCallException.Kind.REJECTED, OPERATION, null,
          "EKS Auth answered 200 without credentials or an assumed role", null);
    }
    JsonNode exp = creds.get("expiration");
    Instant expiration;
    if (exp == null || exp.isNull()) {
      expiration = null;
    } else if (exp.isNumber()) {
      // restJson1 timestamps are epoch seconds, possibly fractional
      expiration = Instant.ofEpochMilli(Math.round(exp.asDouble() * 1000));
    } else {
      expiration = Instant.parse(exp.asText());
    }
    String arn = user.get("arn").asText();
    String[] parts = arn.split(":");
    CallerIdentity identity = new CallerIdentity(arn, parts.length > 4 ? parts[4] : null);
    SessionCredentials session = new SessionCredentials(creds.get("accessKeyId").asText(), creds.get("secretAccessKey").asText(),
        creds.path("sessionToken").asText(null), expiration, identity);
    String associationId = json.path("podIdentityAssociation").path("associationId").asText(null);
    return new PodIdentitySession(session, associationId);
  }

  /** restJson1: the X-Amzn-ErrorType header, else the body's {@code __type} or {@code code}, shortened to the name. */
  private static String errorCode(HttpExecuteResponse response, JsonNode json) {
    String raw = response.httpResponse().firstMatchingHeader("x-amzn-errortype").orElse(null);
    if (raw == null && json != null) {
      raw = json.hasNonNull("__type") ? json.get("__type").asText() : json.path("code").asText(null);
    }
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    String name = raw.split(":", 2)[0];
    int hash = name.lastIndexOf('#');
    return hash >= 0 ? name.substring(hash + 1) : name;
  }

  private static byte[] read(HttpExecuteResponse response) throws IOException {
    if (response.responseBody().isEmpty()) {
      return new byte[0];
    }
    try (InputStream in = response.responseBody().get()) {
      byte[] bytes = in.readNBytes(MAX_ANSWER + 1);
      if (bytes.length > MAX_ANSWER) {
        throw new IOException("EKS Auth's answer is larger than " + MAX_ANSWER + " bytes");
      }
      return bytes;
    }
  }

  private static JsonNode parse(byte[] answer) {
    if (answer.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(answer);
    } catch (IOException e) {
      return null;
    }
  }
}
