package dev.mlops.datastore.sandbox;

import dev.mlops.datastore.sandbox.aws.LocalAws;
import dev.mlops.datastore.sandbox.kube.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
      "usage: local [--world FILE] [-f FILE]... [--steps FILE] [--once] [--output text|json] [--timeout DURATION]";
  static final Path DEFAULT_SCENE = Path.of("deploy", "examples", "local");

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
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--help", "-h" -> {
          out.println(USAGE);
          return 0;
        }
        case "--once" -> once = true;
        case "--world", "-f", "--steps", "--output", "--timeout" -> {
          if (i + 1 >= args.size()) {
            return usage(err, a + " needs a value");
          }
          String v = args.get(++i);
          switch (a) {
            case "--world" -> world = Path.of(v);
            case "-f" -> files.add(Path.of(v));
            case "--steps" -> stepsFile = Path.of(v);
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
    if (world == null && files.isEmpty()) {
      if (!Files.isDirectory(DEFAULT_SCENE)) {
        return usage(err, "no --world or -f given, and the default scene " + DEFAULT_SCENE + " is not here (run from the project folder)");
      }
      world = DEFAULT_SCENE.resolve("world.yaml");
      files.add(DEFAULT_SCENE.resolve("scene.yaml"));
    }
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
    try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes().serveIssuerDiscovery();
        LocalAws aws = new LocalAws()) {
      kubernetes.tokens().clock(clock);
      aws.world().clock(clock);
      if (worldFile != null) {
        try {
          worldFile.load(aws, kubernetes.tokens().publicKey());
        } catch (WorldFile.Invalid e) {
          err.println("error: " + e.getMessage());
          return 2;
        }
      }
      KubernetesClient client = kubernetes.client();
      SceneRun scene = new SceneRun(client, aws, clock);
      scene.startOperator();
      try {
        apply(client, objects);
      } catch (KubernetesClientException e) {
        err.println("error: cannot create the scene's objects: " + e.getMessage().lines().findFirst().orElse(""));
        scene.stopOperator();
        return 2;
      }
      boolean stepsOk = scene.run(steps, json ? null : out);
      if (once) {
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
      while (true) {
        out.print("\033[H\033[2J");
        out.println("aws-datastore-operator sandbox (Ctrl-C to stop)   " + clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        out.println(StatusView.table(client));
        out.flush();
        Thread.sleep(2000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private static void apply(KubernetesClient client, List<HasMetadata> objects) {
    Set<String> namespaces = new HashSet<>();
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
