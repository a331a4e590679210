package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.aws.AwsCallException;
import dev.mlops.datastore.aws.IamRoleReader;
import dev.mlops.datastore.aws.RoleFacts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What IAM said about each role, kept for a check interval so that reconciles triggered by
 * service accounts or Datasets cost no IAM call. A spec change asks for a fresh read. Failures
 * that waiting can cure soon (throttling, 5xx) are not kept: they are thrown for a retry with
 * backoff.
 */
public final class RoleFactsCache {
  /** Either facts or a lasting failure, and when IAM was asked. */
  public record Entry(RoleFacts facts, AwsCallException failure, Instant fetchedAt) {}

  private record Key(String roleArn, String providerArn, boolean attachedPolicies) {}

  private final IamRoleReader reader;
  private final Clock clock;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

  public RoleFactsCache(IamRoleReader reader, Clock clock) {
    this.reader = reader;
    this.clock = clock;
  }

  public Entry get(String roleArn, String providerArn, boolean attachedPolicies, Duration maxAge, boolean refresh) {
    Key key = new Key(roleArn, providerArn, attachedPolicies);
    Instant now = clock.instant();
    Entry cached = entries.get(key);
    if (!refresh && cached != null && cached.fetchedAt().plus(maxAge).isAfter(now)) {
      return cached;
    }
    Entry fresh;
    try {
      fresh = new Entry(reader.read(roleArn, providerArn, attachedPolicies), null, now);
    } catch (AwsCallException e) {
      if (e.kind() == AwsCallException.Kind.TRANSIENT) {
        throw e;
      }
      fresh = new Entry(null, e, now);
    }
    entries.put(key, fresh);
    return fresh;
  }
}
