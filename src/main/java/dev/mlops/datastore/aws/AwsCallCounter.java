package dev.mlops.datastore.aws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts AWS calls per service and operation, as the SDK executes them (retries included), so
 * tests and metrics can say exactly how many calls a check cost.
 */
public final class AwsCallCounter implements ExecutionInterceptor {
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final Map<String, Registered> counters = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;

  /** Also counts into {@code datastore.aws.calls} (Prometheus: datastore_aws_calls_total{service,operation}). */
  public void bindTo(MeterRegistry meters) {
    this.registry = meters;
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    record(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME), attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
  }

  /** Counts one call made outside an SDK client (the signed EKS Auth request). */
  public void record(String service, String operation) {
    String key = service + ":" + operation;
    calls.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    MeterRegistry meters = registry;
    if (meters != null) {
      // Registered once per service and operation: a registry lookup per call was measurable.
      meterFor(meters, key, service, operation).increment();
    }
  }

  private Counter meterFor(MeterRegistry meters, String key, String service, String operation) {
    Registered r = counters.get(key);
    if (r == null || r.registry() != meters) {
      r = new Registered(meters, Counter.builder("datastore.aws.calls")
          .description("AWS calls the operator made, retries included")
          .tag("service", String.valueOf(service))
          .tag("operation", String.valueOf(operation))
          .register(meters));
      counters.put(key, r);
    }
    return r.counter();
  }

  private record Registered(MeterRegistry registry, Counter counter) {}

  /** Calls so far, keyed "Service:Operation" (e.g. "Iam:GetRole"). */
  public Map<String, Long> snapshot() {
    return calls.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
  }

  public long total(String servicePrefix) {
    return calls.entrySet().stream()
        .filter(e -> e.getKey().startsWith(servicePrefix + ":"))
        .mapToLong(e -> e.getValue().get())
        .sum();
  }
}
