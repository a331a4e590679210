package dev.mlops.datastore.testing;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.OperatorMain;
import dev.mlops.datastore.testing.aws.ClusterTokens;
import dev.mlops.datastore.testing.aws.LocalAws;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.stream.Stream;

/**
 * fabric8's mock API server in CRUD mode, with the generated CRDs created in it (the mock treats
 * status as a subresource only then), and optionally the real operator running against it.
 */
public final class MockCluster implements AutoCloseable {
  private final KubernetesMockServer server;
  private final ApplyAsJsonPatchDispatcher dispatcher;
  private final KubernetesClient client;
  private final LocalAws aws = new LocalAws();
  private final ClusterTokens tokens = new ClusterTokens(ISSUER);
  private Operator operator;
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  /** The issuer the operator is configured with in tests, an EKS-style one. */
  public static final String ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

  public MockCluster() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    dispatcher = new ApplyAsJsonPatchDispatcher(new KubernetesMixedDispatcher(responses));
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
    server.init();
    client = server.createClient();
    dispatcher.mintTokensWith(tokens);
    for (CustomResourceDefinition crd : generatedCrds()) {
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  /** The CRDs the build generated into the class path. */
  public static List<CustomResourceDefinition> generatedCrds() {
    Path dir = Path.of("target", "classes", "META-INF", "fabric8");
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith("-v1.yml"))
          .sorted()
          .map(MockCluster::readCrd)
          .toList();
    } catch (IOException e) {
      throw new IllegalStateException("generated CRDs missing in " + dir + "; run mvn process-classes", e);
    }
  }

  private static CustomResourceDefinition readCrd(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      return io.fabric8.kubernetes.client.utils.Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public MockCluster startOperator(Clock clock) {
    return startOperator(clock, Map.of(OperatorConfig.OIDC_ISSUER, ISSUER));
  }

  /** Starts the real operator with these OPERATOR_* variables (and a free health port). */
  public MockCluster startOperator(Clock clock, Map<String, String> environment) {
    Map<String, String> env = new HashMap<>(environment);
    env.putIfAbsent(OperatorConfig.HTTP_PORT, "0");
    operator =
        OperatorMain.create(
            client, OperatorConfig.fromEnvironment(env), clock, metrics, aws.services());
    operator.start();
    return this;
  }

  /** The AWS the operator talks to: IAM, STS and S3 on loopback, over one world. */
  public LocalAws aws() {
    return aws;
  }

  /** The operator's metrics. */
  public SimpleMeterRegistry metrics() {
    return metrics;
  }

  /** The key the cluster signs service account tokens with. */
  public ClusterTokens tokens() {
    return tokens;
  }

  /** Lets the test answer TokenRequests itself (with an expectation). */
  public MockCluster withoutTokenMinting() {
    dispatcher.mintTokensWith(null);
    return this;
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

  @Override
  public void close() {
    if (operator != null) {
      operator.stop();
    }
    client.close();
    server.destroy();
    aws.close();
  }
}
