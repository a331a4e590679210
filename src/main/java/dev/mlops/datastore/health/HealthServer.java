package dev.mlops.datastore.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Serves {@code /healthz} (the operator has started), {@code /readyz} (every informer is
 * connected and synced, from JOSDK's runtime info) and {@code /metrics} (Prometheus text) on one
 * port, with the JDK's own HTTP server so nothing else rides in the image.
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  public HealthServer(int port, Supplier<RuntimeInfo> runtime, PrometheusMeterRegistry registry)
      throws IOException {
    this(port, runtime, registry, false);
  }

  /**
   * @param leaderElection with leader election, a replica that is not the leader runs no informer;
   *     it is still ready (it has started and stands by), or a rolling update would wait forever
   */
  public HealthServer(int port, Supplier<RuntimeInfo> runtime, PrometheusMeterRegistry registry, boolean leaderElection)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext(
        "/healthz", ex -> respond(ex, runtime.get().isStarted() ? 200 : 503, "text/plain", text(runtime.get().isStarted())));
    server.createContext(
        "/readyz",
        ex -> {
          RuntimeInfo info = runtime.get();
          if (!info.isStarted()) {
            // Also the state of a replica waiting for the leader lease.
            respond(ex, 503, "text/plain", "starting\n");
          } else if (!leaderElection && !info.allEventSourcesAreHealthy()) {
            respond(ex, 503, "text/plain", "unhealthy: " + info.unhealthyEventSources().keySet() + "\n");
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
