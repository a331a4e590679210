package dev.mlops.datastore;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The primary informers' cache, without what the reconcilers never read and a real API server sends
 * with every object: {@code metadata.managedFields} (a kilobyte or more per object once a few
 * managers wrote it) and kubectl's {@code last-applied-configuration} annotation (a copy of the
 * spec). At ten thousand Datasets that is tens of megabytes of heap. Status writes patch by name,
 * so nothing written is computed from what is dropped.
 */
final class PrunedItemStore<R extends HasMetadata> implements ItemStore<R> {
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private final BasicItemStore<R> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

  static <R extends HasMetadata> R prune(R resource) {
    if (resource != null && resource.getMetadata() != null) {
      resource.getMetadata().setManagedFields(null);
      Map<String, String> annotations = resource.getMetadata().getAnnotations();
      if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
        annotations.remove(LAST_APPLIED);
      }
    }
    return resource;
  }

  @Override
  public String getKey(R resource) {
    return store.getKey(resource);
  }

  @Override
  public R put(String key, R resource) {
    return store.put(key, prune(resource));
  }

  @Override
  public R remove(String key) {
    return store.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return store.keySet();
  }

  @Override
  public Stream<R> values() {
    return store.values();
  }

  @Override
  public int size() {
    return store.size();
  }

  @Override
  public R get(String key) {
    return store.get(key);
  }
}
