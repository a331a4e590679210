package dev.mlops.datastore.sandbox;

import dev.mlops.datastore.sandbox.aws.LocalAws;
import dev.mlops.datastore.sandbox.kube.EmbeddedKubernetes;
import dev.mlops.datastore.sandbox.kube.KubectlFront;
import dev.mlops.datastore.sandbox.kube.SandboxKubeconfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code local}: the whole product on one machine, with no cluster and no AWS. Starts an embedded
 * Kubernetes API, S3Proxy behind its authorizing front and the IAM/STS emulator on loopback, loads
 * an AWS world and Kubernetes objects from YAML, runs the real operator against them, and shows
 * what it finds. Built into its own jar (aws-datastore-operator-local.jar) so that none of these
 * test-grade servers ride in the operator's image.
 */
public final class LocalSandbox {
  static final String USAGE =
      "usage: local [--world FILE] [-f FILE]... [--steps FILE] [--once] [--output text|json] [--timeout DURATION] [--kubeconfig-out FILE]";
  static final Path DEFAULT_SCENE = Path.of("deploy", "examples", "local");
  /** Where the local jar carries its own copy of deploy/examples/local (src/assembly/local.xml). */
  static final String EMBEDDED_SCENE = "dev/mlops/datastore/sandbox/default-scene";

  private LocalSandbox() {}

  public static void main(String[] args) {
    // The S3 front forwards requests with the Host header they were signed with.
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    quietLogs();
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] argv, PrintStream out, PrintStream err) {
    List<String> args = new ArrayList<>(List.of(argv));
    if (!args.isEmpty() && args.get(0).equals("local")) {
      args.remove(0);
    }
    Path world = null;
    Path stepsFile = null;
    List<Path> files = new ArrayList<>();
    boolean once = false;
    boolean json = false;
    Duration timeout = Duration.ofSeconds(60);
    Path kubeconfigOut = null;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--help", "-h" -> {
          out.println(USAGE);
          return 0;
        }
        case "--once" -> once = true;
        case "--world", "-f", "--steps", "--output", "--timeout", "--kubeconfig-out" -> {
          if (i + 1 >= args.size()) {
            return usage(err, a + " needs a value");
          }
          String v = args.get(++i);
          switch (a) {
            case "--world" -> world = Path.of(v);
            case "-f" -> files.add(Path.of(v));
            case "--steps" -> stepsFile = Path.of(v);
            case "--kubeconfig-out" -> kubeconfigOut = Path.of(v);
            case "--output" -> {
              if (!v.equals("json") && !v.equals("text")) {
                return usage(err, "--output must be text or json");
              }
              json = v.equals("json");
            }
            default -> {
              try {
                timeout = dev.mlops.datastore.GoDuration.parse(v);
              } catch (IllegalArgumentException e) {
                return usage(err, "--timeout: " + e.getMessage());
              }
            }
          }
        }
        default -> {
          return usage(err, "unexpected argument '" + a + "'");
        }
      }
    }
    DefaultScene scene = null;
    if (world == null && files.isEmpty()) {
      try {
        scene = DefaultScene.find(DEFAULT_SCENE, EMBEDDED_SCENE);
      } catch (IOException e) {
        err.println("error: cannot unpack the default scene (" + e.getMessage() + ")");
        return 2;
      }
      if (scene == null) {
        return usage(err, "no --world or -f given, and the default scene " + DEFAULT_SCENE + " is neither here nor in the jar");
      }
      world = scene.folder().resolve("world.yaml");
      files.add(scene.folder().resolve("scene.yaml"));
      if (scene.unpacked()) {
        // Live mode ends with Ctrl-C, past any finally: the unpacked copy goes with the JVM.
        Runtime.getRuntime().addShutdownHook(new Thread(scene::close, "sandbox-scene-cleanup"));
      }
    }
    try {
      return run(world, files, scene != null && scene.unpacked(), stepsFile, once, json, timeout, kubeconfigOut, out, err);
    } finally {
      if (scene != null) {
        scene.close();
      }
    }
  }

  private static int run(Path world, List<Path> files, boolean defaultScene, Path stepsFile, boolean once, boolean json, Duration timeout, Path kubeconfigOut,
      PrintStream out, PrintStream err) {
    List<HasMetadata> objects = new ArrayList<>();
    for (Path f : files) {
      try {
        objects.addAll(SceneFile.read(f));
      } catch (WorldFile.Invalid e) {
        err.println("error: " + e.getMessage());
        return 2;
      }
    }
    WorldFile worldFile = null;
    List<SceneSteps.Step> steps = List.of();
    try {
      if (world != null) {
        worldFile = WorldFile.read(world);
      }
      if (stepsFile != null) {
        steps = SceneSteps.read(stepsFile);
      }
    } catch (WorldFile.Invalid e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    Instant started = Instant.now();
    // One clock for the operator, STS and the cluster's token issuer, so a step can move time for all.
    SceneClock clock = new SceneClock();
    Progress progress = new Progress(err, started);
    progress.step("starting the Kubernetes API");
    try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes().serveIssuerDiscovery();
        LocalAws aws = startAws(progress)) {
      kubernetes.tokens().clock(clock);
      aws.world().clock(clock);
      if (worldFile != null) {
        progress.step("loading the AWS world " + (defaultScene ? "of the default scene (the jar's copy)" : world));
        try {
          worldFile.load(aws, kubernetes.tokens().publicKey());
        } catch (WorldFile.Invalid e) {
          err.println("error: " + e.getMessage());
          return 2;
        }
      }
      KubernetesClient client = kubernetes.client();
      SceneRun scene = new SceneRun(client, aws, clock);
      progress.step("starting the operator");
      scene.startOperator();
      progress.step("creating " + objects.size() + " object" + (objects.size() == 1 ? "" : "s") + " from "
          + (defaultScene ? "the default scene (the jar's copy)" : files.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(", "))));
      try {
        apply(client, objects);
      } catch (KubernetesClientException e) {
        err.println("error: cannot create the scene's objects: " + e.getMessage().lines().findFirst().orElse(""));
        scene.stopOperator();
        return 2;
      }
      if (!steps.isEmpty()) {
        progress.step("running " + steps.size() + " step" + (steps.size() == 1 ? "" : "s") + " from " + stepsFile);
      }
      boolean stepsOk = scene.run(steps, json ? null : out);
      if (once) {
        progress.step("waiting until every resource is settled (at most " + timeout.toSeconds() + "s)");
        boolean settled = awaitSettled(client, timeout);
        Duration took = Duration.between(started, Instant.now());
        out.println(json ? StatusView.json(client, took, settled, stepsFile == null ? null : scene.reports()) : StatusView.table(client));
        if (!json) {
          out.println((settled ? "settled" : "NOT settled within " + timeout.toSeconds() + "s") + " after " + took.toMillis() + " ms"
              + (stepsOk ? "" : "; a step failed or was not met"));
        }
        scene.stopOperator();
        return settled && stepsOk ? 0 : 1;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(scene::stopOperator, "sandbox-stop"));
      Path kubeconfig;
      try {
        // kubectl talks to a front that adds discovery, OpenAPI, tables and HTTP watches to the mock.
        KubectlFront front = new KubectlFront(client.getMasterUrl().toString(), EmbeddedKubernetes.crds());
        Runtime.getRuntime().addShutdownHook(new Thread(front::close, "kubectl-front-stop"));
        kubeconfig = SandboxKubeconfig.write(kubeconfigOut, front.url());
      } catch (IOException e) {
        err.println("error: cannot serve kubectl (" + e.getMessage() + ")");
        scene.stopOperator();
        return 2;
      }
      progress.done("ready; for kubectl: export KUBECONFIG=" + kubeconfig);
      live(client, clock, out, System.console() != null, "kubectl: export KUBECONFIG=" + kubeconfig);
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /**
   * The live view until Ctrl-C: on a terminal, the table redrawn in place every 2 s; else (piped,
   * redirected) the table appended each time it changes, with no control codes.
   */
  private static void live(KubernetesClient client, SceneClock clock, PrintStream out, boolean terminal, String kubectl)
      throws InterruptedException {
    String shown = null;
    while (true) {
      String table = StatusView.table(client);
      String title = "aws-datastore-operator sandbox (Ctrl-C to stop)   " + clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      if (terminal) {
        // Redrawn in place, so the start-up lines are gone: the kubectl hint stays in the title.
        out.print("\033[H\033[2J");
        out.println(title + "   " + kubectl);
        out.println(table);
      } else if (!table.equals(shown)) {
        out.println(title);
        out.println(table);
      }
      shown = table;
      out.flush();
      Thread.sleep(2000);
    }
  }

  private static LocalAws startAws(Progress progress) {
    progress.step("starting S3 (S3Proxy) and IAM/STS");
    return new LocalAws();
  }

  private static void apply(KubernetesClient client, List<HasMetadata> objects) {
    Set<String> namespaces = new HashSet<>();
    // Where kubectl puts what it is given without a namespace.
    namespaces.add(SceneFile.DEFAULT_NAMESPACE);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(SceneFile.DEFAULT_NAMESPACE).endMetadata().build()).create();
    for (HasMetadata o : objects) {
      String ns = o.getMetadata().getNamespace();
      if (ns != null && namespaces.add(ns) && client.namespaces().withName(ns).get() == null) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      }
    }
    for (HasMetadata o : objects) {
      if (o.getKind().equals("Namespace")) {
        if (client.namespaces().withName(o.getMetadata().getName()).get() == null) {
          client.resource(o).create();
        }
      } else {
        client.resource(o).create();
      }
    }
  }

  /** Every AwsIntegration and Dataset has a status for its generation, nothing retries, and two looks agree. */
  static boolean awaitSettled(KubernetesClient client, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    String previous = null;
    while (Instant.now().isBefore(deadline)) {
      String now = StatusView.snapshot(client);
      if (now != null && now.equals(previous)) {
        return true;
      }
      previous = now;
      Thread.sleep(750);
    }
    return false;
  }

  /** The sandbox's output is its table or JSON on stdout: logs go to stderr, warnings and up. */
  private static void quietLogs() {
    if (!(org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context)) {
      return;
    }
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    ch.qos.logback.classic.encoder.PatternLayoutEncoder encoder = new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss} %-5level %logger{0} %msg%n");
    encoder.start();
    ch.qos.logback.core.ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new ch.qos.logback.core.ConsoleAppender<>();
    appender.setContext(context);
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    root.addAppender(appender);
    root.setLevel(ch.qos.logback.classic.Level.WARN);
    context.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils").setLevel(ch.qos.logback.classic.Level.ERROR);
  }

  private static int usage(PrintStream err, String problem) {
    err.println("error: " + problem + " (" + USAGE + ")");
    return 2;
  }
}
