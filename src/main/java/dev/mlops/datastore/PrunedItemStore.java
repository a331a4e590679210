package dev.mlops.datastore;

import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.DatasetStatus;
import dev.mlops.datastore.api.v1alpha1.ModelArtifact;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.stream.Stream;

/**
 * The primary informers' cache, without what the reconcilers never read and a real API server sends
 * with every object: {@code metadata.managedFields} (a kilobyte or more per object once a few
 * managers wrote it) and kubectl's {@code last-applied-configuration} annotation (a copy of the
 * spec). At ten thousand Datasets that is tens of megabytes of heap. Status writes patch by name,
 * so nothing written is computed from what is dropped.
 *
 * <p>The strings thousands of cached objects repeat (namespace, labels, the integration a Dataset
 * names, condition types, reasons and messages, the columns of Datasets that share a schema) are
 * kept once: each object arrives freshly parsed, with copies of its own.
 */
final class PrunedItemStore<R extends HasMetadata> implements ItemStore<R> {
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private final BasicItemStore<R> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

  static <R extends HasMetadata> R prune(R resource) {
    if (resource != null && resource.getMetadata() != null) {
      ObjectMeta meta = resource.getMetadata();
      meta.setManagedFields(null);
      Map<String, String> annotations = meta.getAnnotations();
      if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
        annotations.remove(LAST_APPLIED);
      }
      meta.setNamespace(STRINGS.intern(meta.getNamespace()));
      if (meta.getLabels() != null && !meta.getLabels().isEmpty()) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        meta.getLabels().forEach((k, v) -> labels.put(STRINGS.intern(k), STRINGS.intern(v)));
        meta.setLabels(labels);
      }
    }
    if (resource instanceof Dataset ds) {
      if (ds.getSpec() != null && ds.getSpec().getIntegrationRef() != null) {
        ds.getSpec().getIntegrationRef().setName(STRINGS.intern(ds.getSpec().getIntegrationRef().getName()));
      }
      DatasetStatus status = ds.getStatus();
      if (status != null) {
        intern(status.getConditions());
        status.setFormat(STRINGS.intern(status.getFormat()));
        if (status.getColumns() != null) {
          status.setColumns(status.getColumns().stream().map(STRINGS::intern).toList());
        }
      }
    } else if (resource instanceof ModelArtifact ma && ma.getStatus() != null) {
      intern(ma.getStatus().getConditions());
    }
    return resource;
  }

  private static void intern(List<Condition> conditions) {
    if (conditions != null) {
      for (Condition c : conditions) {
        c.setType(STRINGS.intern(c.getType()));
        c.setStatus(STRINGS.intern(c.getStatus()));
        c.setReason(STRINGS.intern(c.getReason()));
        c.setMessage(STRINGS.intern(c.getMessage()));
        c.setLastTransitionTime(STRINGS.intern(c.getLastTransitionTime()));
      }
    }
  }

  static final Interner STRINGS = new Interner();

  /**
   * One instance per distinct string while any cached object holds it: weakly held, so a message or
   * column name no object carries any more is collected, never accumulated.
   */
  static final class Interner {
    private final Map<String, WeakReference<String>> strings = new WeakHashMap<>();

    synchronized String intern(String s) {
      if (s == null) {
        return null;
      }
      WeakReference<String> held = strings.get(s);
      String canonical = held == null ? null : held.get();
      if (canonical != null) {
        return canonical;
      }
      strings.put(s, new WeakReference<>(s));
      return s;
    }

    synchronized int size() {
      return strings.size();
    }
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
