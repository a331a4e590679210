package dev.mlops.datastore.bench;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.OperatorMain;
import dev.mlops.datastore.aws.AwsServices;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The operator alone in its own JVM, as in production (OperatorMain.create with the production
 * clients), pointed at the benchmark's servers, so that its CPU, heap and RSS are its own. Reads
 * commands on stdin: {@code count} answers the reconciliations so far; {@code stats} answers one line {@code BENCH {json}} (heap used after a full
 * GC, reconciliations so far, live threads, threads started since the JVM began, the ms from the
 * JVM's start until the operator had started (informers synced) and until its first successful
 * reconciliation, -1 before it; the JIT compilers' time so far); {@code stop} stops the
 * operator and exits.
 *
 * <p>Arguments: API server URL, IAM/STS endpoint, S3 endpoint. The sandbox's operator user's key
 * comes in BENCH_OPERATOR_KEY / BENCH_OPERATOR_SECRET (a sandbox identity, not an AWS one);
 * OPERATOR_* variables configure the operator as in a pod.
 */
public final class BenchOperator {
  private BenchOperator() {}

  /** JVM uptime when the first reconciliation succeeded (to 5 ms), or -1 before. */
  private static volatile long firstReconcileMs = -1;

  public static void main(String[] args) throws Exception {
    // As OperatorMain.run does first; -Dbench.operatorJvmArgs=-Dbench.threadPerTask=true measures without it.
    boolean pooled = !Boolean.getBoolean("bench.threadPerTask") && OperatorMain.poolAsyncTasks();
    Config config = OperatorMain.asOperator(new ConfigBuilder(Config.empty())
        .withMasterUrl(args[0])
        .withHttp2Disable(true)
        .build());
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    AwsServices aws = new AwsServices(
        StaticCredentialsProvider.create(AwsBasicCredentials.create(System.getenv("BENCH_OPERATOR_KEY"), System.getenv("BENCH_OPERATOR_SECRET"))),
        new AwsServices.Endpoints(Optional.of(URI.create(args[1])), Optional.of(URI.create(args[1])), Optional.of(URI.create(args[2]))));
    Map<String, String> env = new HashMap<>();
    System.getenv().forEach((k, v) -> {
      if (k.startsWith("OPERATOR_")) {
        env.put(k, v);
      }
    });
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    Operator operator = OperatorMain.create(client, OperatorConfig.fromEnvironment(env), Clock.systemUTC(), metrics, aws);
    operator.start();
    long startedMs = ManagementFactory.getRuntimeMXBean().getUptime();
    Thread first = new Thread(() -> {
      while (reconciliations(metrics) == 0) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
      firstReconcileMs = ManagementFactory.getRuntimeMXBean().getUptime();
    }, "bench-first-reconcile");
    first.setDaemon(true);
    first.start();
    System.out.println("BENCH {\"started\":true}");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.equals("count")) {
        System.out.println("BENCH {\"reconciliations\":" + (long) reconciliations(metrics) + "}");
        System.out.flush();
      } else if (line.equals("stats")) {
        System.gc();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.println("BENCH {\"heapAfterGcBytes\":" + heap + ",\"reconciliations\":" + (long) reconciliations(metrics)
            + ",\"threads\":" + Thread.activeCount()
            + ",\"threadsStarted\":" + ManagementFactory.getThreadMXBean().getTotalStartedThreadCount()
            + ",\"asyncTasksPooled\":" + (pooled ? 1 : 0)
            + ",\"jitMs\":" + ManagementFactory.getCompilationMXBean().getTotalCompilationTime()
            + ",\"startedMs\":" + startedMs + ",\"firstReconcileMs\":" + firstReconcileMs + "}");
        System.out.flush();
      } else if (line.equals("stop")) {
        break;
      }
    }
    operator.stop();
    aws.close();
    client.close();
    System.exit(0);
  }

  private static double reconciliations(SimpleMeterRegistry metrics) {
    return metrics.getMeters().stream()
        .filter(m -> m instanceof Counter && m.getId().getName().endsWith("reconciliations.success"))
        .mapToDouble(m -> ((Counter) m).count())
        .sum();
  }
}
