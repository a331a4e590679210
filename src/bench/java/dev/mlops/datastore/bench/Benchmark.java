package dev.mlops.datastore.bench;

import static dev.mlops.datastore.testing.Resources.BUCKET;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.OperatorMain;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.DataType;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.sandbox.aws.S3Front;
import dev.mlops.datastore.sandbox.kube.ApplyAsJsonPatchDispatcher.Recorded;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Issue 12's benchmark: starts the sandbox's servers in this JVM (the mock API server in CRUD mode
 * with Events counted, not stored; S3Proxy behind its authorizing front; the IAM/STS emulator), runs
 * the operator in a JVM of its own ({@link BenchOperator}), applies N Datasets over M integrations
 * (as one {@code kubectl apply}: each integration, then its Datasets), waits until all are Ready,
 * idles, then restarts the operator over the settled resources. Prints one JSON line per phase:
 * wall ms, the operator JVM's CPU ms, this JVM's CPU ms (servers and load), API writes by kind,
 * S3/IAM/STS requests counted at the servers, the operator's heap after a full GC and its RSS.
 *
 * <p>{@code mvn -B -ntp -o -Pbench test-compile exec:exec -Dbench.datasets=1000} (see README).
 */
public final class Benchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OPERATOR_ARN = "arn:aws:iam::111122223333:user/bench-operator";
  private static final String OPERATOR_KEY = "AKIABENCHOPERATOR000";
  private static final String OPERATOR_SECRET = "bench-operator-secret-of-the-sandbox";
  private static final Path DATA = Path.of("src", "test", "resources", "data");
  static final String SHARD_LABEL = "datastore.mlops.dev/shard";

  private final int datasets;
  private final int integrations;
  private final Duration idle;
  private final Duration timeout;
  private final String operatorHeap;
  private final String reconcileThreads;
  /** Extra arguments of the operator's JVM (e.g. {@code -XX:SharedArchiveFile=...}), whitespace-separated. */
  private final List<String> operatorJvmArgs;
  /**
   * The operator JVM's class path; by default this JVM's. CDS archives take jars only, so an AppCDS
   * measurement passes the jarred classes (docs/perf-warmup.md).
   */
  private static String operatorClasspath = System.getProperty("java.class.path");
  /** Operator processes side by side, each owning the shard {@code datastore.mlops.dev/shard=sK} by label selector. */
  private final int shards;
  private final MockCluster cluster;
  private Operators operator;
  /** In the apply phase: when the last object was created (the load generator's share of the wall time). */
  private long appliedMs = -1;

  private Benchmark(Map<String, String> options, MockCluster cluster) {
    this.datasets = Integer.parseInt(options.getOrDefault("--datasets", "1000"));
    this.integrations = Integer.parseInt(options.getOrDefault("--integrations", "5"));
    this.idle = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--idle-seconds", "60")));
    this.timeout = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--timeout-seconds", "900")));
    this.operatorHeap = options.getOrDefault("--operator-heap", "256m");
    this.reconcileThreads = options.getOrDefault("--reconcile-threads", "");
    String jvmArgs = options.getOrDefault("--operator-jvm-args", "").strip();
    this.operatorJvmArgs = jvmArgs.isEmpty() ? List.of() : List.of(jvmArgs.split("\\s+"));
    String classpath = options.getOrDefault("--operator-classpath", "").strip();
    if (!classpath.isEmpty()) {
      operatorClasspath = classpath;
    }
    this.shards = Integer.parseInt(options.getOrDefault("--shards", "1"));
    this.cluster = cluster;
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
    }
    Map<String, String> options = new TreeMap<>();
    // Maven passes an empty property's argument as nothing: "--name --next" is name without a value.
    for (int i = 0; i < args.length; i++) {
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        options.put(args[i], args[++i]);
      }
    }
    try (MockCluster cluster = new MockCluster()) {
      new Benchmark(options, cluster).run();
    }
    System.exit(0);
  }

  private void run() throws Exception {
    cluster.dispatcher().countEventsOnly();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    Resources.knownRole(cluster);
    cluster.aws().world().user(OPERATOR_ARN, OPERATOR_KEY, OPERATOR_SECRET);
    seedObjects();
    SharedIndexInformer<Dataset> seen = cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).inform();

    operator = Operators.start(cluster, operatorHeap, operatorJvmArgs, reconcileThreads, shards);
    Counts start = Counts.now(cluster, operator);
    long t0 = System.nanoTime();
    apply();
    appliedMs = (System.nanoTime() - t0) / 1_000_000;
    boolean settled = awaitReady(seen);
    long wall = (System.nanoTime() - t0) / 1_000_000;
    print("apply", wall, start, settled);
    appliedMs = -1;

    Counts idleStart = Counts.now(cluster, operator);
    Thread.sleep(idle.toMillis());
    print("idle", idle.toMillis(), idleStart, true);

    operator.stop();
    Counts restartStart = Counts.now(cluster, null);
    long t1 = System.nanoTime();
    operator = Operators.start(cluster, operatorHeap, operatorJvmArgs, reconcileThreads, shards);
    boolean reconciled = awaitReconciliations(datasets + integrations);
    long restartWall = (System.nanoTime() - t1) / 1_000_000;
    print("restart", restartWall, restartStart.withOperatorCpu(0), reconciled);
    operator.stop();
    seen.close();
  }

  private void seedObjects() throws IOException {
    cluster.aws().s3().putObject(BUCKET, "data/alltypes.parquet", Files.readAllBytes(DATA.resolve("parquet/alltypes_plain.parquet")));
    Path table = DATA.resolve("delta/basic-with-inserts-deletes-checkpoint");
    try (var files = Files.walk(table)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        cluster.aws().s3().putObject(BUCKET, "tables/basic/" + table.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
  }

  /** Each integration and its Datasets (two in five CSV, two Parquet, one a Delta table), from four client threads. */
  private void apply() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < integrations; i++) {
        int integration = i;
        cluster.client().resource(Resources.serviceAccount("sa-" + i)).create();
        AwsIntegration created = Resources.irsaIntegration("integration-" + i, Platform.Custom, "sa-" + i);
        created.getMetadata().setLabels(shardLabel(i));
        cluster.client().resource(created).create();
        done.add(pool.submit(() -> {
          for (int n = integration; n < datasets; n += integrations) {
            cluster.client().resource(dataset(n)).create();
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private Dataset dataset(int n) {
    Dataset ds = Resources.dataset("ds-" + n, "integration-" + (n % integrations));
    switch ((n / integrations) % 5) {
      case 0, 1 -> ds.getSpec().setPath("s3://" + BUCKET + "/data/fraud_ref.csv");
      case 2, 3 -> ds.getSpec().setPath("s3://" + BUCKET + "/data/alltypes.parquet");
      default -> {
        ds.getSpec().setPath("s3://" + BUCKET + "/tables/basic");
        ds.getSpec().setDataType(DataType.DATA_TYPE_DELTA_TABLE);
      }
    }
    ds.getSpec().setDataParams(null);
    ds.getMetadata().setLabels(shardLabel(n % integrations));
    return ds;
  }

  /** An integration's shard, which its Datasets share: integrations are dealt round the shards. */
  private Map<String, String> shardLabel(int integration) {
    return shards > 1 ? Map.of(SHARD_LABEL, "s" + (integration % shards)) : null;
  }

  private boolean awaitReady(SharedIndexInformer<Dataset> seen) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      long ready = seen.getStore().list().stream()
          .filter(d -> d.getStatus() != null && Conditions.isTrue(d.getStatus().getConditions(), Conditions.READY)
              && d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration()))
          .count();
      if (ready == datasets) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  private boolean awaitReconciliations(long atLeast) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (operator.reconciliations() >= atLeast) {
        return true;
      }
      Thread.sleep(250);
    }
    return false;
  }

  private void print(String phase, long wallMs, Counts from, boolean finished) throws Exception {
    Counts to = Counts.now(cluster, operator);
    ObjectNode line = JSON.createObjectNode();
    line.put("phase", phase).put("datasets", datasets).put("integrations", integrations).put("shards", shards)
        .put("finished", finished).put("wallMs", wallMs);
    if (appliedMs >= 0) {
      line.put("createdAllMs", appliedMs);
    }
    line.put("operatorCpuMs", to.operatorCpuMs - from.operatorCpuMs);
    line.put("serversAndLoadCpuMs", to.benchCpuMs - from.benchCpuMs);
    List<Recorded> requests = cluster.dispatcher().requests();
    List<Recorded> since = requests.subList(Math.min(from.apiRequests, requests.size()), requests.size());
    Map<String, Long> writes = new TreeMap<>();
    long reads = 0;
    for (Recorded r : since) {
      if (!OperatorMain.FIELD_MANAGER.equals(r.fieldManager())) {
        continue;
      }
      if (r.method().equals("GET")) {
        reads++;
        continue;
      }
      writes.merge(kind(r), 1L, Long::sum);
    }
    // An object reconciled by two shards would have its status written by both: the most status
    // writes any one object got in this phase (1 when every object was written once).
    line.put("mostStatusWritesOfOneObject", since.stream()
        .filter(r -> OperatorMain.FIELD_MANAGER.equals(r.fieldManager()) && !r.method().equals("GET") && r.pathWithoutQuery().endsWith("/status"))
        .collect(java.util.stream.Collectors.groupingBy(Recorded::pathWithoutQuery, java.util.stream.Collectors.counting()))
        .values().stream().mapToLong(Long::longValue).max().orElse(0));
    ObjectNode w = line.putObject("writes");
    writes.forEach(w::put);
    long allWrites = writes.values().stream().mapToLong(Long::longValue).sum();
    line.put("operatorApiReads", reads);
    line.put("writesPerDataset", round((double) allWrites / datasets));
    List<S3Front.Call> s3 = cluster.aws().s3().calls();
    List<String> iamSts = cluster.aws().iamSts().calls();
    long s3Calls = s3.size() - from.s3Calls;
    line.put("s3Requests", s3Calls).put("s3RequestsPerDataset", round((double) s3Calls / datasets));
    line.put("iamRequests", iamSts.subList(Math.min(from.iamStsCalls, iamSts.size()), iamSts.size()).stream().filter(c -> c.startsWith("iam:")).count());
    line.put("stsRequests", iamSts.subList(Math.min(from.iamStsCalls, iamSts.size()), iamSts.size()).stream().filter(c -> c.startsWith("sts:")).count());
    Map<String, Long> stats = operator.stats();
    line.put("operatorHeapAfterGcBytes", stats.get("heapAfterGcBytes"));
    // Since the operator JVM began (the apply phase's JVM also served the idle phase; restart has a new one).
    line.put("operatorThreads", stats.get("threads")).put("operatorThreadsStarted", stats.get("threadsStarted"));
    line.put("operatorAsyncTasksPooled", stats.get("asyncTasksPooled"));
    // The JIT compilers' time since that JVM began (CompilationMXBean: roughly their CPU, summed over compiler threads).
    line.put("operatorJitMs", stats.get("jitMs"));
    line.put("operatorStartedMs", stats.get("startedMs")).put("operatorFirstReconcileMs", stats.get("firstReconcileMs"));
    line.put("operatorRssBytes", operator.rss("VmRSS")).put("operatorRssPeakBytes", operator.rss("VmHWM"));
    line.put("operatorCpuMsPerDataset", round((double) (to.operatorCpuMs - from.operatorCpuMs) / datasets));
    System.out.println(JSON.writeValueAsString(line));
    System.out.flush();
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static String kind(Recorded r) {
    String path = r.pathWithoutQuery();
    if (path.endsWith("/events")) {
      return "event";
    }
    if (path.endsWith("/token")) {
      return "tokenRequest";
    }
    if (path.contains("/serviceaccounts/")) {
      return "serviceAccountPatch";
    }
    if (path.endsWith("/status")) {
      return path.contains("/datasets/") ? "datasetStatus" : "integrationStatus";
    }
    if (path.contains("/awsintegrations/") || path.contains("/datasets/")) {
      return path.contains("/datasets/") ? "datasetPatch" : "integrationPatch";
    }
    if (path.contains("/leases")) {
      return "lease";
    }
    return "other:" + r.method();
  }

  /** What the servers and the two processes had counted when a phase began. */
  private record Counts(int apiRequests, int s3Calls, int iamStsCalls, long operatorCpuMs, long benchCpuMs) {
    static Counts now(MockCluster cluster, Operators operator) {
      return new Counts(cluster.dispatcher().requestCount(), cluster.aws().s3().calls().size(), cluster.aws().iamSts().calls().size(),
          operator == null ? 0 : operator.cpuMs(), cpuMs(ProcessHandle.current()));
    }

    Counts withOperatorCpu(long ms) {
      return new Counts(apiRequests, s3Calls, iamStsCalls, ms, benchCpuMs);
    }
  }

  static long cpuMs(ProcessHandle p) {
    return p.info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
  }

  /**
   * The operator processes of a run: one, or one per shard with {@code OPERATOR_SHARD_SELECTOR}
   * {@code datastore.mlops.dev/shard=sK}. CPU and reconciliations are summed over them; heap and RSS
   * are summed too (what the shards cost together), each process's own being in its stats.
   */
  private static final class Operators {
    private final List<Child> children;

    private Operators(List<Child> children) {
      this.children = children;
    }

    static Operators start(MockCluster cluster, String heap, List<String> jvmArgs, String reconcileThreads, int shards) throws IOException {
      List<Child> children = new ArrayList<>();
      for (int k = 0; k < shards; k++) {
        children.add(Child.start(cluster, heap, jvmArgs, reconcileThreads, shards > 1 ? SHARD_LABEL + "=s" + k : ""));
      }
      return new Operators(children);
    }

    Map<String, Long> stats() throws IOException {
      Map<String, Long> sum = new TreeMap<>();
      for (Child child : children) {
        // Times (startedMs, firstReconcileMs): the slowest process's; counts and bytes: the sum.
        child.stats().forEach((k, v) -> sum.merge(k, v, k.endsWith("Ms") ? Math::max : Long::sum));
      }
      return sum;
    }

    long reconciliations() throws IOException {
      long sum = 0;
      for (Child child : children) {
        sum += child.reconciliations();
      }
      return sum;
    }

    long cpuMs() {
      return children.stream().mapToLong(Child::cpuMs).sum();
    }

    long rss(String field) {
      return children.stream().mapToLong(c -> c.rss(field)).sum();
    }

    void stop() throws InterruptedException {
      for (Child child : children) {
        child.stop();
      }
    }
  }

  /**
   * The operator's JVM, spoken to over its stdin and stdout. Its stdout is drained all the time by a
   * thread of ours: the operator logs there (a line per condition transition), and a pipe nobody
   * reads would block its reconcilers once full. Answers ({@code BENCH ...}) go to a queue, log lines
   * to {@code target/bench-operator.log}.
   */
  private static final class Child {
    /** Queued after the last answer, when the process's stdout has ended. */
    private static final String END = new String("end of stdout");
    private final Process process;
    private final PrintWriter in;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    private Child(Process process) {
      this.process = process;
      this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
      Thread drain = new Thread(() -> drain(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))),
          "bench-operator-stdout-" + process.pid());
      drain.setDaemon(true);
      drain.start();
    }

    private void drain(BufferedReader out) {
      try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(Path.of("target", "bench-operator.log"), StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith("BENCH ")) {
            answers.add(line.substring("BENCH ".length()));
          } else {
            log.println(line);
          }
        }
      } catch (IOException e) {
        // the process ended; answer() reports it
      } finally {
        answers.add(END);
      }
    }

    static Child start(MockCluster cluster, String heap, List<String> jvmArgs, String reconcileThreads, String shardSelector) throws IOException {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx" + heap));
      command.addAll(jvmArgs);
      command.addAll(List.of(
          "-cp", operatorClasspath,
          BenchOperator.class.getName(),
          cluster.client().getMasterUrl().toString(),
          cluster.aws().iamSts().endpoint().toString(),
          cluster.aws().s3().endpoint().toString()));
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectError(ProcessBuilder.Redirect.appendTo(new File("target/bench-operator.log")));
      builder.environment().put("BENCH_OPERATOR_KEY", OPERATOR_KEY);
      builder.environment().put("BENCH_OPERATOR_SECRET", OPERATOR_SECRET);
      builder.environment().put(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER);
      builder.environment().put(OperatorConfig.HTTP_PORT, "0");
      if (!reconcileThreads.isEmpty()) {
        builder.environment().put(OperatorConfig.RECONCILE_THREADS, reconcileThreads);
      }
      if (!shardSelector.isEmpty()) {
        builder.environment().put(OperatorConfig.SHARD_SELECTOR, shardSelector);
      }
      Child child = new Child(builder.start());
      child.answer();
      return child;
    }

    private String answer() throws IOException {
      String line;
      try {
        line = answers.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (line != END) {
        return line;
      }
      answers.add(END);
      throw new IOException("the operator process ended (exit " + process.exitValue() + "); see target/bench-operator.log");
    }

    synchronized Map<String, Long> stats() throws IOException {
      in.println("stats");
      Map<String, Long> out = new TreeMap<>();
      JSON.readTree(answer()).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
      return out;
    }

    synchronized long reconciliations() throws IOException {
      in.println("count");
      return JSON.readTree(answer()).path("reconciliations").asLong();
    }

    long cpuMs() {
      return Benchmark.cpuMs(process.toHandle());
    }

    /** A line of /proc/PID/status (VmRSS, VmHWM) in bytes, or -1 off Linux. */
    long rss(String field) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
          if (line.startsWith(field + ":")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          }
        }
      } catch (IOException | NumberFormatException e) {
        return -1;
      }
      return -1;
    }

    void stop() throws InterruptedException {
      in.println("stop");
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroy();
      }
    }
  }
}
