package dev.mlops.datastore.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the checks of resources cost: {@code datastore_check_duration_seconds{kind}}, the time of
 * each due check (credentials, AWS calls, inspection, until its status is written), and {@code
 * datastore_inspection_read_bytes{kind}}, the bytes one inspection of a Dataset or ModelArtifact
 * read. Histograms with a few fixed buckets, so that a dashboard can draw quantiles over all
 * operator replicas; meters are registered once per kind, not per check.
 *
 * <p>Reconcilers reach it through the reconcile {@link Context} ({@link #of}), as they reach the
 * readiness gauge: a test's bare Context gets one that records nothing.
 */
public final class CheckMetrics {
  static final String DURATION = "datastore.check.duration";
  static final String BYTES_READ = "datastore.inspection.read";

  private static final CheckMetrics NONE = new CheckMetrics(null);

  private final MeterRegistry registry;
  private final Map<String, Timer> durations = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> bytes = new ConcurrentHashMap<>();

  /** @param registry where the meters go; the three kinds' meters are registered at once, so they show before any check */
  public CheckMetrics(MeterRegistry registry) {
    this.registry = registry;
    if (registry != null) {
      for (String kind : new String[] {"AwsIntegration", "Dataset", "ModelArtifact"}) {
        duration(kind);
      }
      bytesRead("Dataset");
      bytesRead("ModelArtifact");
    }
  }

  /** The check metrics of the running operator; one that records nothing when it has none. */
  public static CheckMetrics of(Context<?> context) {
    return ReadinessMetrics.of(context).map(ReadinessMetrics::checks).orElse(NONE);
  }

  /** Starts timing a check of {@code resource}; {@link Timing#stop} records it. */
  public Timing start(HasMetadata resource) {
    return new Timing(registry == null ? null : duration(resource.getKind()), System.nanoTime());
  }

  /** Records what one inspection of {@code resource} read. */
  public void inspected(HasMetadata resource, long bytesRead) {
    if (registry != null) {
      bytesRead(resource.getKind()).record(bytesRead);
    }
  }

  private Timer duration(String kind) {
    return durations.computeIfAbsent(kind, k -> Timer.builder(DURATION)
        .description("Time of a due check of a resource: credentials, AWS calls, inspection, status write")
        .tag("kind", k)
        .serviceLevelObjectives(
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60))
        .register(registry));
  }

  private DistributionSummary bytesRead(String kind) {
    return bytes.computeIfAbsent(kind, k -> DistributionSummary.builder(BYTES_READ)
        .description("Bytes one inspection of a Dataset or ModelArtifact read from S3")
        .baseUnit("bytes")
        .tag("kind", k)
        .serviceLevelObjectives(4 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024, 16 * 1024 * 1024,
            64 * 1024 * 1024, 256 * 1024 * 1024)
        .register(registry));
  }

  /** A check being timed; stopping it twice records it once. */
  public static final class Timing {
    private final Timer timer;
    private final long started;
    private boolean stopped;

    private Timing(Timer timer, long started) {
      this.timer = timer;
      this.started = started;
    }

    public void stop() {
      if (!stopped && timer != null) {
        timer.record(Duration.ofNanos(System.nanoTime() - started));
      }
      stopped = true;
    }
  }
}
