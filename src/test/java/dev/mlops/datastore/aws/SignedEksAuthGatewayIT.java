package dev.mlops.datastore.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The signed EKS Auth call speaks the documented REST protocol: {@code POST
 * /clusters/NAME/assume-role-for-pod-identity} with {@code {"token"}}, SigV4 for {@code eks-auth},
 * restJson1 answers and error types; throttling is transient, refusals are mapped reasons. Against
 * a plain HTTP server that records what it got.
 */
class SignedEksAuthGatewayIT {
  private HttpServer server;
  private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String errorType;
  private volatile String answer;
  private AwsServices aws;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(Map.of("method", exchange.getRequestMethod(), "path", exchange.getRequestURI().getRawPath(), "body", body,
          "authorization", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"))));
      if (errorType != null) {
        exchange.getResponseHeaders().add("x-amzn-ErrorType", errorType + ":http://internal.amazon.com/coral/com.amazonaws.eksauth/");
      }
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    aws = new AwsServices(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAOPERATOR00000000", "operator-secret")),
        AwsServices.Endpoints.all(endpoint, endpoint).withEks(endpoint, endpoint));
  }

  @AfterEach
  void stop() {
    aws.close();
    server.stop(0);
  }

  @Test
  void shouldPostTheTokenSignedForEksAuthAndReadTheCredentials() {
    answer = """
        {"subject":{"namespace":"ml","serviceAccount":"reader"},"audience":"pods.eks.amazonaws.com",
         "podIdentityAssociation":{"associationArn":"arn:aws:eks:us-west-2:111122223333:podidentityassociation/prod/a-1","associationId":"a-1"},
         "assumedRoleUser":{"arn":"arn:aws:sts::111122223333:assumed-role/reader/eks-prod-reader-1","assumeRoleId":"AROA:eks"},
         "credentials":{"sessionToken":"tok","secretAccessKey":"sec","accessKeyId":"ASIAEXAMPLE","expiration":1.7e9}}""";

    EksAuthGateway.PodIdentitySession session = aws.eksAuth().assumeRoleForPodIdentity("prod", "a.b.c", "us-west-2");

    assertThat(session.associationId()).isEqualTo("a-1");
    assertThat(session.session().identity().arn()).isEqualTo("arn:aws:sts::111122223333:assumed-role/reader/eks-prod-reader-1");
    assertThat(session.session().identity().account()).isEqualTo("111122223333");
    assertThat(session.session().expiration()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
    assertThat(session.session().credentials().accessKeyId()).isEqualTo("ASIAEXAMPLE");
    Map<String, String> sent = requests.get(0);
    assertThat(sent.get("method")).isEqualTo("POST");
    assertThat(sent.get("path")).isEqualTo("/clusters/prod/assume-role-for-pod-identity");
    assertThat(sent.get("body")).isEqualTo("{\"token\":\"a.b.c\"}");
    assertThat(sent.get("authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIAOPERATOR00000000/")
        .contains("/us-west-2/eks-auth/aws4_request");
    assertThat(aws.calls().snapshot()).containsEntry("EKS Auth:AssumeRoleForPodIdentity", 1L);
  }

  @Test
  void shouldMapARefusalToAReasonWithoutEchoingTheToken() {
    status = 404;
    errorType = "ResourceNotFoundException";
    answer = "{\"message\":\"Pod Identity Association not found\"}";

    assertThatThrownBy(() -> aws.eksAuth().assumeRoleForPodIdentity("prod", "secret.token.value", "us-east-1"))
        .isInstanceOfSatisfying(EksAuthGateway.PodIdentityException.class, e -> {
          assertThat(e.reason()).isEqualTo("PodIdentityAssociationNotFound");
          assertThat(e.getMessage()).contains("Pod Identity Association not found").doesNotContain("secret.token.value");
        });

    status = 400;
    errorType = "AccessDeniedException";
    answer = "{\"message\":\"not authorized to perform sts:AssumeRole\"}";
    assertThatThrownBy(() -> aws.eksAuth().assumeRoleForPodIdentity("prod", "a.b.c", "us-east-1"))
        .isInstanceOfSatisfying(EksAuthGateway.PodIdentityException.class, e -> assertThat(e.reason()).isEqualTo("PodIdentityAccessDenied"));

    errorType = "InvalidTokenException";
    assertThatThrownBy(() -> aws.eksAuth().assumeRoleForPodIdentity("prod", "a.b.c", "us-east-1"))
        .isInstanceOfSatisfying(EksAuthGateway.PodIdentityException.class, e -> assertThat(e.reason()).isEqualTo("PodIdentityTokenInvalid"));
  }

  @Test
  void shouldTreatThrottlingAsTransient() {
    status = 429;
    errorType = "ThrottlingException";
    answer = "{\"message\":\"Rate exceeded\"}";

    assertThatThrownBy(() -> aws.eksAuth().assumeRoleForPodIdentity("prod", "a.b.c", "us-east-1"))
        .isInstanceOfSatisfying(AwsCallException.class, e -> assertThat(e.kind()).isEqualTo(AwsCallException.Kind.TRANSIENT));
  }
}
