package dev.mlops.datastore.aws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts AWS calls per service and operation, as the SDK executes them (retries included), so
 * tests and metrics can say exactly how many calls a check cost, and with which outcome.
 *
 * <p>The outcome is decided per attempt, from the answer of that attempt: the SDK only shows the
 * last attempt's exception, and the attempts it retried are exactly the throttled ones an alert
 * wants to see. So an error answer's code is read from the response itself (the {@code
 * x-amzn-ErrorType} header of the JSON protocols, else the {@code <Code>} of the XML body, of
 * which the first few KB are peeked and handed back to the SDK unchanged). An attempt that got no
 * answer at all (connection refused, timeout) is an {@code error}.
 */
public final class AwsCallCounter implements ExecutionInterceptor {
  /** What became of one attempt: the {@code outcome} label of {@code datastore_aws_calls_total}. */
  public enum Outcome {
    SUCCESS,
    DENIED,
    THROTTLED,
    ERROR;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Error codes AWS services use for "slow down"; the SDK's own list, plus S3's and EC2's spellings. */
  private static final Set<String> THROTTLING_CODES = Set.of(
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "RequestThrottled",
      "TooManyRequests", "TooManyRequestsException", "ProvisionedThroughputExceededException",
      "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "SlowDown",
      "PriorRequestNotComplete", "EC2ThrottledException", "TransactionInProgressException");

  /** How much of an error body is read to find its code: AWS error documents are a few hundred bytes. */
  private static final int PEEK = 4096;

  private static final Pattern XML_CODE = Pattern.compile("<Code>([^<]{1,128})</Code>");
  private static final Pattern JSON_CODE = Pattern.compile("\"(?:__type|code)\"\\s*:\\s*\"([^\"]{1,256})\"");

  /** Whether the current attempt has been transmitted and not yet counted with an outcome. */
  private static final ExecutionAttribute<Boolean> OPEN_ATTEMPT = new ExecutionAttribute<>("datastore.openAttempt");

  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
  private final Map<String, Registered> counters = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;

  /**
   * Also counts into {@code datastore.aws.calls} (Prometheus:
   * datastore_aws_calls_total{service,operation,outcome}).
   */
  public void bindTo(MeterRegistry meters) {
    this.registry = meters;
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    calls.computeIfAbsent(service + ":" + operation, k -> new AtomicLong()).incrementAndGet();
    // The previous attempt was retried without an answer reaching us: no connection, or a timeout.
    closeAttempt(attributes, Outcome.ERROR);
    attributes.putAttribute(OPEN_ATTEMPT, Boolean.TRUE);
  }

  @Override
  public Optional<InputStream> modifyHttpResponseContent(
      Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    Optional<InputStream> body = context.responseBody();
    int status = context.httpResponse().statusCode();
    if (status < 400) {
      closeAttempt(attributes, Outcome.SUCCESS);
      return body;
    }
    String code = context.httpResponse().firstMatchingHeader("x-amzn-ErrorType")
        .map(t -> t.split(":", 2)[0])
        .orElse(null);
    if (code == null && body.isPresent()) {
      try {
        byte[] head = body.get().readNBytes(PEEK);
        code = errorCode(new String(head, StandardCharsets.UTF_8));
        body = Optional.of(new SequenceInputStream(new ByteArrayInputStream(head), body.get()));
      } catch (IOException e) {
        // The SDK meets the same failure when it reads the body; the outcome is an error.
        closeAttempt(attributes, Outcome.ERROR);
        return body;
      }
    }
    closeAttempt(attributes, classify(status, code));
    return body;
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    closeAttempt(attributes, classify(context.exception()));
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    closeAttempt(attributes, Outcome.SUCCESS);
  }

  private void closeAttempt(ExecutionAttributes attributes, Outcome outcome) {
    if (!Boolean.TRUE.equals(attributes.getAttribute(OPEN_ATTEMPT))) {
      return;
    }
    attributes.putAttribute(OPEN_ATTEMPT, Boolean.FALSE);
    count(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME), attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), outcome);
  }

  /**
   * Counts one call made outside an SDK client (the signed EKS Auth request) with its answer's HTTP
   * status (0: no answer) and AWS error code (may be null).
   */
  public void record(String service, String operation, int status, String code) {
    calls.computeIfAbsent(service + ":" + operation, k -> new AtomicLong()).incrementAndGet();
    count(service, operation, status == 0 ? Outcome.ERROR : classify(status, code));
  }

  private void count(String service, String operation, Outcome outcome) {
    String key = service + ":" + operation + ":" + outcome.label();
    outcomes.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    MeterRegistry meters = registry;
    if (meters != null) {
      // Registered once per service, operation and outcome: a registry lookup per call was measurable.
      meterFor(meters, key, service, operation, outcome).increment();
    }
  }

  /** The outcome of an answer with HTTP status {@code status} and AWS error code {@code code} (may be null). */
  static Outcome classify(int status, String code) {
    if (status < 400) {
      return Outcome.SUCCESS;
    }
    if (code != null) {
      if (THROTTLING_CODES.contains(code)) {
        return Outcome.THROTTLED;
      }
      if (code.startsWith("AccessDenied") || code.endsWith("AccessDeniedException") || code.startsWith("KMS.")) {
        return Outcome.DENIED;
      }
    }
    if (status == 429) {
      return Outcome.THROTTLED;
    }
    // S3 answers HEAD requests without a body: a bare 403 is a denial, a bare 503 is S3's SlowDown.
    if (code == null && status == 403) {
      return Outcome.DENIED;
    }
    if (code == null && status == 503) {
      return Outcome.THROTTLED;
    }
    return Outcome.ERROR;
  }

  /** The outcome of a call that ended with {@code failure}. */
  public static Outcome classify(Throwable failure) {
    if (failure instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
      return classify(aws.statusCode(), aws.awsErrorDetails().errorCode());
    }
    if (failure instanceof SdkServiceException service) {
      return service.isThrottlingException() ? Outcome.THROTTLED : classify(service.statusCode(), null);
    }
    return Outcome.ERROR;
  }

  static String errorCode(String body) {
    Matcher xml = XML_CODE.matcher(body);
    if (xml.find()) {
      return xml.group(1).trim();
    }
    Matcher json = JSON_CODE.matcher(body);
    if (json.find()) {
      String type = json.group(1);
      // "__type" may be namespaced: "com.amazonaws.kms#AccessDeniedException".
      return type.substring(type.lastIndexOf('#') + 1);
    }
    return null;
  }

  private Counter meterFor(MeterRegistry meters, String key, String service, String operation, Outcome outcome) {
    Registered r = counters.get(key);
    if (r == null || r.registry() != meters) {
      r = new Registered(meters, Counter.builder("datastore.aws.calls")
          .description("AWS call attempts the operator made, retries included, by outcome")
          .tag("service", String.valueOf(service))
          .tag("operation", String.valueOf(operation))
          .tag("outcome", outcome.label())
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

  /** Attempts answered so far, keyed "Service:Operation:outcome" (e.g. "Iam:GetRole:throttled"). */
  public Map<String, Long> outcomes() {
    return outcomes.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
  }

  public long total(String servicePrefix) {
    return calls.entrySet().stream()
        .filter(e -> e.getKey().startsWith(servicePrefix + ":"))
        .mapToLong(e -> e.getValue().get())
        .sum();
  }
}
