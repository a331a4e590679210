package dev.mlops.datastore;

import ch.qos.logback.classic.LoggerContext;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.aws.AwsServices;
import dev.mlops.datastore.dataset.DatasetInspector;
import dev.mlops.datastore.dataset.InspectionLimits;
import dev.mlops.datastore.aws.IntegrationSessions;
import dev.mlops.datastore.health.HealthServer;
import dev.mlops.datastore.logging.ConsoleLogging;
import dev.mlops.datastore.reconciler.CheckSchedule;
import dev.mlops.datastore.reconciler.ErrorBackoff;
import dev.mlops.datastore.reconciler.TransitionEvents;
import dev.mlops.datastore.reconciler.awsintegration.AwsIntegrationReconciler;
import dev.mlops.datastore.reconciler.awsintegration.AwsIntegrationStatusFactory;
import dev.mlops.datastore.reconciler.awsintegration.IntegrationCredentials;
import dev.mlops.datastore.reconciler.awsintegration.LiveChecker;
import dev.mlops.datastore.reconciler.awsintegration.OidcIssuerResolver;
import dev.mlops.datastore.reconciler.awsintegration.PodIdentityChecker;
import dev.mlops.datastore.reconciler.awsintegration.RoleFactsCache;
import dev.mlops.datastore.reconciler.awsintegration.TrustChecker;
import dev.mlops.datastore.reconciler.awsintegration.ServiceAccountPatcher;
import dev.mlops.datastore.reconciler.dataset.DatasetReconciler;
import dev.mlops.datastore.reconciler.dataset.DatasetStatusFactory;
import dev.mlops.datastore.model.ModelInspector;
import dev.mlops.datastore.reconciler.modelartifact.ModelArtifactReconciler;
import dev.mlops.datastore.reconciler.modelartifact.ModelArtifactStatusFactory;
import dev.mlops.datastore.reconciler.policy.AwsIntegrationPolicyReconciler;
import dev.mlops.datastore.reconciler.policy.PolicyGate;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring only: configuration, clients, the operator with its two reconcilers, probes, start. Tests
 * build the same operator through {@link #create} against the mock API server.
 */
public final class OperatorMain {
  private static final Logger log = LoggerFactory.getLogger(OperatorMain.class);

  /**
   * The field manager of every write the operator makes: JOSDK's status and finalizer applies name
   * it, and it is the client's User-Agent, from which the API server names the manager of the
   * writes that carry none (service account patches, Events).
   */
  public static final String FIELD_MANAGER = "aws-datastore-operator";

  private OperatorMain() {}

  /** Builds the operator with both reconcilers registered; does not start it. */
  public static Operator create(
      KubernetesClient client,
      OperatorConfig config,
      Clock clock,
      MeterRegistry registry,
      AwsServices aws) {
    return create(client, config, clock, registry, aws, o -> {});
  }

  /**
   * As {@link #create(KubernetesClient, OperatorConfig, Clock, MeterRegistry, AwsServices)}, with
   * {@code overrides} applied last: for tests, e.g. leader election that does not end the JVM when
   * the operator stops leading.
   */
  public static Operator create(
      KubernetesClient client,
      OperatorConfig config,
      Clock clock,
      MeterRegistry registry,
      AwsServices aws,
      Consumer<ConfigurationServiceOverrider> overrides) {
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withConcurrentReconciliationThreads(config.reconcileThreads())
                  .withMetrics(new dev.mlops.datastore.reconciler.ReadinessMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry), registry));
              if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        config.leaseName(), config.leaseNamespace().orElseThrow()));
              }
              overrides.accept(o);
            });
    TransitionEvents events = new TransitionEvents(client, clock);
    ErrorBackoff backoff = new ErrorBackoff(config.maxErrorBackoff());
    CheckSchedule schedule = new CheckSchedule(config.minCheckInterval(), clock);
    aws.calls().bindTo(registry);
    IntegrationSessions sessions = new IntegrationSessions(aws);
    Gauge.builder("datastore.integration.sessions", sessions, IntegrationSessions::size)
        .description("integrations whose credentials this process holds for their Datasets")
        .register(registry);
    TrustChecker trust =
        new TrustChecker(
            new OidcIssuerResolver(client, config.oidcIssuer()),
            new RoleFactsCache(aws.roles(), clock));
    operator.register(
        new AwsIntegrationReconciler(
            new ServiceAccountPatcher(client),
            new AwsIntegrationStatusFactory(clock),
            events,
            backoff,
            trust,
            new LiveChecker(client, aws, sessions, clock, registry),
            schedule,
            (namespace, name) -> client.secrets().inNamespace(namespace).withName(name).get(),
            clock,
            new PolicyGate(config.policyMode()),
            new PodIdentityChecker(aws.eks(), config.eksClusterName(), config.eksRegion(), clock)),
        controller(config));
    // Cluster-scoped: watched cluster-wide whatever OPERATOR_WATCH_NAMESPACES says.
    operator.register(new AwsIntegrationPolicyReconciler(clock), c -> {
      c.withRetry(GenericRetry.defaultLimitedExponentialRetry());
      c.withFieldManager(FIELD_MANAGER);
    });
    operator.register(
        new DatasetReconciler(new DatasetStatusFactory(clock), events, new IntegrationCredentials(client, aws, sessions, clock, config.eksClusterName(), config.eksRegion()), clock,
            schedule, backoff, new DatasetInspector(InspectionLimits.forThisJvm())),
        controller(config));
    operator.register(
        new ModelArtifactReconciler(new ModelArtifactStatusFactory(clock), events, new IntegrationCredentials(client, aws, sessions, clock, config.eksClusterName(), config.eksRegion()), clock,
            schedule, backoff, new ModelInspector(InspectionLimits.forThisJvm())),
        controller(config));
    return operator;
  }

  /** Objects per page of an informer's list. */
  static final long INFORMER_LIST_PAGE = 500;

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      Consumer<ControllerConfigurationOverrider<R>> controller(OperatorConfig config) {
    return c -> {
      if (!config.watchNamespaces().isEmpty()) {
        c.settingNamespaces(config.watchNamespaces());
      }
      // A shard: only the primaries this selector picks. The informers of what they refer to
      // (integrations seen from Datasets, service accounts, Secrets) stay whole, so a Dataset
      // labelled into another shard than its integration still finds it (see README).
      config.shardSelector().ifPresent(c::withLabelSelector);
      c.withRetry(GenericRetry.defaultLimitedExponentialRetry());
      c.withFieldManager(FIELD_MANAGER);
      // Informers list in pages, so a start over thousands of objects is no one huge answer, and
      // cache objects without managedFields and kubectl's last-applied copy, which nothing reads.
      c.withInformerListLimit(INFORMER_LIST_PAGE);
      c.withItemStore(new PrunedItemStore<>());
    };
  }

  /**
   * The operator's {@code /healthz}, {@code /readyz} and {@code /metrics} on {@code
   * config.httpPort()}; not started. Readiness checks the informers also under leader election.
   */
  public static HealthServer probes(OperatorConfig config, Operator operator, PrometheusMeterRegistry registry)
      throws java.io.IOException {
    return new HealthServer(config.httpPort(), operator::getRuntimeInfo, registry);
  }

  /**
   * The client configuration the operator writes with: {@code config} under its field manager. A
   * plain-http API server is spoken to in HTTP/1.1: the JDK client would try h2c, and fabric8's
   * h2c path fails on list answers over a few MB (thousands of Datasets).
   */
  public static Config asOperator(Config config) {
    ConfigBuilder builder = new ConfigBuilder(config).withUserAgent(FIELD_MANAGER);
    if (config.getMasterUrl() != null && config.getMasterUrl().startsWith("http://")) {
      builder.withHttp2Disable(true);
    }
    return builder.build();
  }

  /** The system property that sizes the JVM's common fork-join pool. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  /**
   * Gives the JVM's common pool at least two threads, unless {@link #COMMON_POOL_PARALLELISM} is set.
   * The JDK HTTP client under fabric8 completes every response on {@code CompletableFuture}'s default
   * executor, which is the common pool only when its parallelism is above one; on one or two CPUs
   * (parallelism = CPUs - 1) it is a new thread per task: one thread started per API call (1,047 of
   * the 1,120 threads the operator started applying 1,000 Datasets, docs/perf-warmup.md). Takes effect
   * only before the JVM first uses the common pool or {@code CompletableFuture}: the first thing the
   * process does.
   *
   * @return whether {@code CompletableFuture}'s default executor is now the common pool
   */
  public static boolean poolAsyncTasks() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
    return new java.util.concurrent.CompletableFuture<Void>().defaultExecutor() instanceof java.util.concurrent.ForkJoinPool;
  }

  /** {@code java -jar aws-datastore-operator.jar [run]}: returns the process exit code. */
  public static int run() {
    poolAsyncTasks();
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnvironment(System.getenv());
    } catch (OperatorConfig.InvalidConfigException e) {
      System.err.println("error: invalid configuration: " + e.getMessage());
      return 2;
    }
    configureLogging(config.logFormat());

    Config kubeConfig = asOperator(Config.autoConfigure(null));
    String unreachable = preflight(kubeConfig, config);
    if (unreachable != null) {
      System.err.println("error: " + unreachable);
      return 1;
    }
    KubernetesClient client = new KubernetesClientBuilder().withConfig(kubeConfig).build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AwsServices aws = AwsServices.fromEnvironment(System.getenv());
    Operator operator = create(client, config, Clock.systemUTC(), registry, aws);
    try {
      HealthServer health = probes(config, operator, registry);
      health.start();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    log.info("shutting down");
                    operator.stop();
                    health.close();
                    aws.close();
                    client.close();
                  },
                  "shutdown"));
      operator.start();
      log.atInfo()
          .addKeyValue("apiServer", kubeConfig.getMasterUrl())
          .addKeyValue("namespaces", config.watchNamespaces().isEmpty() ? "all" : config.watchNamespaces())
          .addKeyValue("httpPort", health.port())
          .log("operator started");
      Thread.currentThread().join();
      return 0;
    } catch (java.io.IOException e) {
      System.err.println("error: cannot listen on port " + config.httpPort() + ": " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (RuntimeException e) {
      System.err.println("error: the operator could not start: " + oneLine(e));
      return 1;
    }
  }

  /**
   * Checks, with a short timeout and no retries, that the API server answers and our CRDs are
   * installed, so a missing cluster is one clear line rather than a stack trace after a minute.
   *
   * @return why the operator cannot run, or null when it can
   */
  static String preflight(Config kubeConfig, OperatorConfig config) {
    Config quick =
        new ConfigBuilder(kubeConfig)
            .withConnectionTimeout(5_000)
            .withRequestTimeout(10_000)
            .withRequestRetryBackoffLimit(0)
            .build();
    try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(quick).build()) {
      try {
        probe.getKubernetesVersion();
      } catch (KubernetesClientException e) {
        return "cannot reach the Kubernetes API at "
            + quick.getMasterUrl()
            + " ("
            + oneLine(e)
            + "); check your kubeconfig or KUBECONFIG";
      }
      try {
        var list = probe.resources(AwsIntegration.class);
        var options = new ListOptionsBuilder().withLimit(1L).build();
        if (config.watchNamespaces().isEmpty()) {
          list.inAnyNamespace().list(options);
        } else {
          list.inNamespace(config.watchNamespaces().iterator().next()).list(options);
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return "the AwsIntegration CRD is not installed in this cluster: kubectl apply -f crds/";
        }
        if (e.getCode() == 403) {
          return "not allowed to list AwsIntegrations (" + oneLine(e) + "); check the operator's RBAC";
        }
        return "cannot list AwsIntegrations (" + oneLine(e) + ")";
      }
    }
    return null;
  }

  private static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.lines().findFirst().orElse(message);
  }

  private static void configureLogging(OperatorConfig.LogFormat format) {
    if (format == OperatorConfig.LogFormat.JSON && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      ConsoleLogging.useJson(context);
    }
  }
}
