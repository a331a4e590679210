package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.api.v1alpha1.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what a person needs to hear about as Kubernetes Events: failures (a Warning when Ready is
 * not True, on the first status too) and recoveries (Ready changing, status or reason). A condition
 * that first appears in a good state says nothing new (the status has it), and the other conditions
 * are summed up by Ready's reason: at ten thousand Datasets one Event per Dataset that becomes Ready
 * was five times the status writes.
 *
 * <p>As client-go's event broadcaster does, Events are sent off the reconcile thread (a bounded
 * queue and one sender thread), an identical Event for the same object within {@link
 * Limits#dedupeWindow()} is only counted, and a token bucket caps the rate over all objects; what
 * is dropped is counted and logged, never retried: the status carries the same facts.
 */
public final class TransitionEvents implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TransitionEvents.class);
  public static final String COMPONENT = "aws-datastore-operator";

  /**
   * How much the recorder may send: {@code burst} Events at once, then {@code perSecond}; the same
   * object, type, reason and message once per {@code dedupeWindow}; {@code queue} waiting at most.
   */
  public record Limits(int burst, double perSecond, Duration dedupeWindow, int queue, int remembered) {
    public static final Limits DEFAULT = new Limits(100, 10, Duration.ofMinutes(10), 1024, 4096);
  }

  private final KubernetesClient client;
  private final Clock clock;
  private final Limits limits;
  private final BlockingQueue<Event> queue;
  private final Map<String, Instant> recent;
  /** The sender thread while events are flowing; it ends after an idle second (none at rest). */
  private Thread sender;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong deduplicated = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private double tokens;
  private Instant refilled;
  private volatile boolean closed;

  public TransitionEvents(KubernetesClient client, Clock clock) {
    this(client, clock, Limits.DEFAULT);
  }

  public TransitionEvents(KubernetesClient client, Clock clock, Limits limits) {
    this.client = client;
    this.clock = clock;
    this.limits = limits;
    this.queue = new ArrayBlockingQueue<>(limits.queue());
    this.recent = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
        return size() > limits.remembered();
      }
    };
    this.tokens = limits.burst();
    this.refilled = clock.instant();
  }

  /** Queues the Event the change from {@code before} to {@code after} calls for, if any. */
  public void emit(HasMetadata resource, List<Condition> before, List<Condition> after) {
    Condition now = Conditions.find(after, Conditions.READY).orElse(null);
    if (now == null) {
      return;
    }
    Condition old = Conditions.find(before, Conditions.READY).orElse(null);
    boolean failing = !Conditions.TRUE.equals(now.getStatus());
    boolean news = old == null
        ? failing
        : !Objects.equals(old.getStatus(), now.getStatus()) || !Objects.equals(old.getReason(), now.getReason());
    if (!news) {
      return;
    }
    Event event = build(resource, now, failing);
    if (!admit(resource, event)) {
      return;
    }
    if (closed || !queue.offer(event)) {
      dropped.incrementAndGet();
      log.atDebug().addKeyValue("reason", now.getReason()).log("event queue full; event dropped");
      return;
    }
    ensureSender();
  }

  private synchronized void ensureSender() {
    if (sender == null || !sender.isAlive()) {
      sender = new Thread(this::send, "transition-events");
      sender.setDaemon(true);
      sender.start();
    }
  }

  /** Whether the Event is new for its object within the window, and within the rate. */
  private synchronized boolean admit(HasMetadata resource, Event event) {
    Instant at = clock.instant();
    String key = resource.getMetadata().getUid() + "/" + resource.getMetadata().getName() + "/" + event.getType() + "/"
        + event.getReason() + "/" + event.getMessage();
    Instant last = recent.get(key);
    if (last != null && Duration.between(last, at).compareTo(limits.dedupeWindow()) < 0) {
      deduplicated.incrementAndGet();
      return false;
    }
    double elapsed = Math.max(0, Duration.between(refilled, at).toNanos() / 1e9);
    tokens = Math.min(limits.burst(), tokens + elapsed * limits.perSecond());
    refilled = at;
    if (tokens < 1) {
      dropped.incrementAndGet();
      log.atDebug().addKeyValue("reason", event.getReason()).log("event rate limit reached; event dropped");
      return false;
    }
    tokens -= 1;
    recent.put(key, at);
    return true;
  }

  private Event build(HasMetadata resource, Condition condition, boolean warning) {
    String time = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    return new EventBuilder()
        .withNewMetadata()
        .withName(resource.getMetadata().getName() + "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
        .withNamespace(resource.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(
            new ObjectReferenceBuilder()
                .withApiVersion(resource.getApiVersion())
                .withKind(resource.getKind())
                .withName(resource.getMetadata().getName())
                .withNamespace(resource.getMetadata().getNamespace())
                .withUid(resource.getMetadata().getUid())
                .build())
        .withType(warning ? "Warning" : "Normal")
        .withReason(condition.getReason())
        .withMessage(condition.getType() + "=" + condition.getStatus() + ": " + condition.getMessage())
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .withNewSource()
        .withComponent(COMPONENT)
        .endSource()
        .withReportingComponent(COMPONENT)
        .build();
  }

  private void send() {
    while (true) {
      Event event;
      try {
        event = queue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (event == null) {
        synchronized (this) {
          if (queue.isEmpty()) {
            sender = null;
            return;
          }
        }
        continue;
      }
      try {
        client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
        sent.incrementAndGet();
      } catch (KubernetesClientException e) {
        // An event is a courtesy; the status already carries the same facts.
        log.atWarn().addKeyValue("reason", event.getReason()).addKeyValue("code", e.getCode()).log("could not record event");
      } catch (RuntimeException e) {
        log.atWarn().addKeyValue("reason", event.getReason()).addKeyValue("error", e.getClass().getSimpleName()).log("could not record event");
      }
    }
  }

  /** Events sent, identical ones only counted, and ones dropped (queue full or over the rate). */
  public long sent() {
    return sent.get();
  }

  public long deduplicated() {
    return deduplicated.get();
  }

  public long dropped() {
    return dropped.get();
  }

  /** Takes no more Events and waits (a few seconds at most) for the queued ones to be sent. */
  @Override
  public void close() {
    closed = true;
    Thread running;
    synchronized (this) {
      running = sender;
    }
    if (running != null) {
      try {
        running.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
