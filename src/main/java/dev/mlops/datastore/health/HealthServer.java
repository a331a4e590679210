package dev.mlops.datastore.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Serves {@code /healthz} (the operator has started), {@code /readyz} (every informer is
 * connected, synced and watching, from JOSDK's runtime info) and {@code /metrics} (Prometheus
 * text) on one port, with the JDK's own HTTP server so nothing else rides in the image.
 *
 * <p>Readiness checks the event sources also under leader election: in JOSDK 5.2.3 {@code
 * Operator.start()} starts every controller's event sources (informers) on every replica and only
 * holds back event processing until the lease is won ({@code controllerManager.start(
 * !leaderElectionEnabled)}), so a standby replica's informers are as healthy as the leader's, and
 * a replica whose watch fails (RBAC, a lost connection) must not report ready.
 *
 * <p>{@code /metrics} also carries the process's JVM metrics (memory, GC, threads, classes, CPU,
 * uptime), bound here because this is the one place a served registry is known to exist: test
 * registries that no endpoint serves stay free of them.
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  public HealthServer(int port, Supplier<RuntimeInfo> runtime, PrometheusMeterRegistry registry)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    server.createContext(
        "/healthz", ex -> respond(ex, runtime.get().isStarted() ? 200 : 503, "text/plain", text(runtime.get().isStarted())));
    server.createContext(
        "/readyz",
        ex -> {
          RuntimeInfo info = runtime.get();
          if (!info.isStarted()) {
            // Also the state of a replica waiting for the leader lease.
            respond(ex, 503, "text/plain", "starting\n");
          } else if (!info.allEventSourcesAreHealthy()) {
            respond(ex, 503, "text/plain", "unhealthy: " + unhealthy(info) + "\n");
          } else {
            respond(ex, 200, "text/plain", "ok\n");
          }
        });
    server.createContext(
        "/metrics",
        ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.setExecutor(null);
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    gc.close();
  }

  /** Each controller with its unhealthy event sources, e.g. {@code awsintegration[ServiceAccount]}. */
  private static String unhealthy(RuntimeInfo info) {
    return info.unhealthyEventSources().entrySet().stream()
        .filter(e -> !e.getValue().isEmpty())
        .map(e -> e.getKey() + e.getValue().keySet())
        .collect(Collectors.joining(", "));
  }

  private static String text(boolean ok) {
    return ok ? "ok\n" : "starting\n";
  }

  private static void respond(HttpExchange ex, int code, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
