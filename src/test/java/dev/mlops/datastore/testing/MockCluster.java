package dev.mlops.datastore.testing;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.OperatorMain;
import dev.mlops.datastore.sandbox.aws.ClusterTokens;
import dev.mlops.datastore.sandbox.aws.LocalAws;
import dev.mlops.datastore.sandbox.kube.ApplyAsJsonPatchDispatcher;
import dev.mlops.datastore.sandbox.kube.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded Kubernetes API and local AWS of the sandbox, and optionally the real operator
 * running against them.
 */
public final class MockCluster implements AutoCloseable {
  /** The issuer the operator is configured with in tests, an EKS-style one. */
  public static final String ISSUER = EmbeddedKubernetes.ISSUER;

  private final EmbeddedKubernetes kubernetes = new EmbeddedKubernetes();
  private final LocalAws aws = new LocalAws();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private Operator operator;
  private KubernetesClient operatorClient;

  /** The CRDs the build generated into the class path. */
  public static List<CustomResourceDefinition> generatedCrds() {
    return EmbeddedKubernetes.crds();
  }

  public MockCluster startOperator(Clock clock) {
    return startOperator(clock, Map.of(OperatorConfig.OIDC_ISSUER, ISSUER));
  }

  /**
   * Starts the real operator with these OPERATOR_* variables (and a free health port), on a client
   * of its own configured as in production, so the API sees its writes under its field manager
   * and the test's own writes under another.
   */
  public MockCluster startOperator(Clock clock, Map<String, String> environment) {
    Map<String, String> env = new HashMap<>(environment);
    env.putIfAbsent(OperatorConfig.HTTP_PORT, "0");
    operator = OperatorMain.create(operatorClient(), OperatorConfig.fromEnvironment(env), clock, metrics, aws.services());
    operator.start();
    return this;
  }

  /** Stops the running operator (as a crash, a rolling update or a leader failover would); the cluster and AWS stay. */
  public MockCluster stopOperator() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
    return this;
  }

  /** The client the operator uses: this cluster's, under the operator's User-Agent. */
  public synchronized KubernetesClient operatorClient() {
    if (operatorClient == null) {
      operatorClient = new KubernetesClientBuilder()
          .withConfig(OperatorMain.asOperator(kubernetes.client().getConfiguration()))
          .build();
    }
    return operatorClient;
  }

  public KubernetesClient client() {
    return kubernetes.client();
  }

  public KubernetesMockServer server() {
    return kubernetes.server();
  }

  public ApplyAsJsonPatchDispatcher dispatcher() {
    return kubernetes.dispatcher();
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
    return kubernetes.tokens();
  }

  /** Lets the test answer TokenRequests itself (with an expectation). */
  public MockCluster withoutTokenMinting() {
    kubernetes.dispatcher().mintTokensWith(null);
    return this;
  }

  @Override
  public void close() {
    if (operator != null) {
      operator.stop();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    kubernetes.close();
    aws.close();
  }
}
