package dev.mlops.datastore.reconciler;

import dev.mlops.datastore.aws.AwsCallException;
import dev.mlops.datastore.dataset.ObjectStoreException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What happens after an unexpected error: JOSDK retries with exponential backoff for a few
 * attempts; after that the reconciler reschedules itself at this capped, jittered interval so a
 * long outage neither stops the checks nor turns into a hot loop.
 */
public final class ErrorBackoff {
  private final Duration cap;

  public ErrorBackoff(Duration cap) {
    this.cap = cap;
  }

  /** Between 75% and 100% of the cap, so resources that failed together do not retry together. */
  public Duration afterRetriesExhausted() {
    long millis = cap.toMillis();
    return Duration.ofMillis(millis - ThreadLocalRandom.current().nextLong(millis / 4 + 1));
  }

  /**
   * A one-line description of an error for status and logs. Kubernetes errors are reduced to
   * their code and reason, never their request bodies; AWS and object-store errors carry their
   * operation and AWS's code and message, which name no credential.
   */
  public static String describe(Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null
        && !(cause instanceof KubernetesClientException)
        && !(cause instanceof AwsCallException)
        && !(cause instanceof ObjectStoreException)
        && cause != cause.getCause()) {
      cause = cause.getCause();
    }
    if (cause instanceof AwsCallException || cause instanceof ObjectStoreException) {
      String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      return message.lines().findFirst().orElse(message) + "; retrying";
    }
    if (cause instanceof KubernetesClientException k) {
      String reason =
          k.getStatus() != null && k.getStatus().getReason() != null
              ? k.getStatus().getReason()
              : "error";
      return "Kubernetes API answered " + k.getCode() + " (" + reason + "); retrying";
    }
    return cause.getClass().getSimpleName() + "; retrying";
  }
}
