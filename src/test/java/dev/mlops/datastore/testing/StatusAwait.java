package dev.mlops.datastore.testing;

import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.reconciler.Conditions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The one way ITs read and wait for a resource's conditions, for every kind of ours: the stored
 * object as the API returns it, its {@code status.conditions}, and a poll until one of them reads
 * as the test expects (30 s by default, a bound on a hung test, not a timing the test asserts).
 */
public final class StatusAwait {
  public static final Duration WAIT = Duration.ofSeconds(30);

  private StatusAwait() {}

  /** The stored resource, or null. */
  public static <T extends HasMetadata> T get(KubernetesClient client, Class<T> kind, String namespace, String name) {
    return client.resources(kind).inNamespace(namespace).withName(name).get();
  }

  /** The conditions of a resource of any of our kinds; empty when it or its status is missing. */
  public static List<Condition> conditions(HasMetadata resource) {
    if (resource == null) {
      return List.of();
    }
    Map<?, ?> tree = Serialization.jsonMapper().convertValue(resource, Map.class);
    Object status = tree.get("status");
    if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> list)) {
      return List.of();
    }
    return list.stream().map(c -> Serialization.jsonMapper().convertValue(c, Condition.class)).toList();
  }

  public static <T extends HasMetadata> Optional<Condition> condition(KubernetesClient client, Class<T> kind, String namespace, String name,
      String type) {
    return Conditions.find(conditions(get(client, kind, namespace, name)), type);
  }

  /** Waits until the condition exists and passes {@code test}; returns it. */
  public static <T extends HasMetadata> Condition awaitCondition(KubernetesClient client, Class<T> kind, String namespace, String name,
      String type, Predicate<Condition> test) {
    await().atMost(WAIT).until(() -> condition(client, kind, namespace, name, type).map(test::test).orElse(false));
    return condition(client, kind, namespace, name, type).orElseThrow();
  }

  /** Waits until the condition has this status ("True", "False", "Unknown"); returns it. */
  public static <T extends HasMetadata> Condition awaitCondition(KubernetesClient client, Class<T> kind, String namespace, String name,
      String type, String status) {
    return awaitCondition(client, kind, namespace, name, type, c -> status.equals(c.getStatus()));
  }
}
