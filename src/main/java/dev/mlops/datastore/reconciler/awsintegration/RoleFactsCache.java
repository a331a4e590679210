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
 * backoff. Entries past their interval are dropped at the next read, and a role's entries when an
 * integration naming it is deleted, so the cache holds no more than the roles in use.
 */
public final class RoleFactsCache {
  /** Either facts or a lasting failure, and when IAM was asked. */
  public record Entry(RoleFacts facts, AwsCallException failure, Instant fetchedAt) {}

  private record Key(String roleArn, String providerArn, boolean attachedPolicies) {}

  private record Held(Entry entry, Instant expiresAt) {}

  private final IamRoleReader reader;
  private final Clock clock;
  private final Map<Key, Held> entries = new ConcurrentHashMap<>();

  public RoleFactsCache(IamRoleReader reader, Clock clock) {
    this.reader = reader;
    this.clock = clock;
  }

  public Entry get(String roleArn, String providerArn, boolean attachedPolicies, Duration maxAge, boolean refresh) {
    Key key = new Key(roleArn, providerArn, attachedPolicies);
    Instant now = clock.instant();
    entries.values().removeIf(h -> !h.expiresAt().isAfter(now));
    Held cached = entries.get(key);
    if (!refresh && cached != null && cached.entry().fetchedAt().plus(maxAge).isAfter(now)) {
      return cached.entry();
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
    entries.put(key, new Held(fresh, now.plus(maxAge)));
    return fresh;
  }

  /** Drops what is known of a role (its integration is gone); the next check reads IAM again. */
  public void forget(String roleArn) {
    entries.keySet().removeIf(k -> k.roleArn().equals(roleArn));
  }

  /** How many answers are kept. */
  public int size() {
    return entries.size();
  }
}
