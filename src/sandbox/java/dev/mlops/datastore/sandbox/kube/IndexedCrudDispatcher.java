package dev.mlops.datastore.sandbox.kube;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import java.lang.reflect.Field;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;

/**
 * fabric8's CRUD dispatcher with its store indexed by namespace and name. The stock store is a map
 * that every read, create, update and delete copies and scans whole ({@code AttributeSet.matches}
 * per stored object), so at thousands of objects the mock API server spends its time scanning and
 * a benchmark of the operator measures the server. Here each lookup first narrows the store to the
 * objects with the request's namespace and name (or namespace) and lets the stock code match within
 * them: the answers are the stock dispatcher's, only the candidates are fewer. Requests that name
 * neither (cluster-wide lists, label-selected lists) scan as before.
 */
final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {
  private final IndexedStore store = new IndexedStore();

  IndexedCrudDispatcher() {
    super(List.of());
    try {
      Field field = io.fabric8.mockwebserver.crud.CrudDispatcher.class.getDeclaredField("map");
      field.setAccessible(true);
      field.set(this, store);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("fabric8's CrudDispatcher no longer keeps its store in 'map'", e);
    }
  }

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
    return store.narrowedTo(query, () -> super.findResource(query));
  }

  @Override
  public MockResponse handleGet(String path) {
    AttributeSet query = attributeExtractor.fromPath(path);
    return store.narrowedTo(query, () -> super.handleGet(path));
  }

  @Override
  public MockResponse handleDelete(String path) {
    AttributeSet query = attributeExtractor.fromPath(path);
    return store.narrowedTo(query, () -> super.handleDelete(path));
  }

  /** Objects currently stored: for tests of this class. */
  int size() {
    return store.size();
  }

  /**
   * The store: a LinkedHashMap, as the stock one, that also keeps every key under its name and its
   * namespace. While a lookup runs on a thread, {@link #entrySet()} shows that thread only the
   * candidates of its query; writes always go to the whole map.
   */
  static final class IndexedStore extends LinkedHashMap<AttributeSet, String> {
    private final Map<String, Set<AttributeSet>> byName = new HashMap<>();
    private final Map<String, Set<AttributeSet>> byNamespace = new HashMap<>();
    private final ThreadLocal<Set<AttributeSet>> narrowed = new ThreadLocal<>();

    <T> T narrowedTo(AttributeSet query, java.util.function.Supplier<T> lookup) {
      Set<AttributeSet> candidates = candidates(query);
      if (candidates == null || narrowed.get() != null) {
        return lookup.get();
      }
      narrowed.set(candidates);
      try {
        return lookup.get();
      } finally {
        narrowed.remove();
      }
    }

    /** Keys that can match {@code query}, or null when the index cannot narrow it. */
    private synchronized Set<AttributeSet> candidates(AttributeSet query) {
      String name = single(query, KubernetesAttributesExtractor.NAME);
      if (name != null) {
        return new LinkedHashSet<>(byName.getOrDefault(name, Set.of()));
      }
      String namespace = single(query, KubernetesAttributesExtractor.NAMESPACE);
      if (namespace != null) {
        return new LinkedHashSet<>(byNamespace.getOrDefault(namespace, Set.of()));
      }
      return null;
    }

    private static String single(AttributeSet set, String key) {
      Attribute attribute = set.getAttribute(key);
      if (attribute == null || attribute.getValues().size() != 1) {
        return null;
      }
      return attribute.getValues().get(0).toString();
    }

    @Override
    public synchronized String put(AttributeSet key, String value) {
      index(key);
      return super.put(key, value);
    }

    @Override
    public synchronized void putAll(Map<? extends AttributeSet, ? extends String> m) {
      m.forEach(this::put);
    }

    @Override
    public synchronized String remove(Object key) {
      if (key instanceof AttributeSet set && containsKey(set)) {
        unindex(set);
      }
      return super.remove(key);
    }

    @Override
    public synchronized void clear() {
      byName.clear();
      byNamespace.clear();
      super.clear();
    }

    private void index(AttributeSet key) {
      add(byName, single(key, KubernetesAttributesExtractor.NAME), key);
      add(byNamespace, single(key, KubernetesAttributesExtractor.NAMESPACE), key);
    }

    private void unindex(AttributeSet key) {
      drop(byName, single(key, KubernetesAttributesExtractor.NAME), key);
      drop(byNamespace, single(key, KubernetesAttributesExtractor.NAMESPACE), key);
    }

    private static void add(Map<String, Set<AttributeSet>> index, String value, AttributeSet key) {
      if (value != null) {
        index.computeIfAbsent(value, v -> new LinkedHashSet<>()).add(key);
      }
    }

    private static void drop(Map<String, Set<AttributeSet>> index, String value, AttributeSet key) {
      if (value == null) {
        return;
      }
      Set<AttributeSet> keys = index.get(value);
      if (keys != null && keys.remove(key) && keys.isEmpty()) {
        index.remove(value);
      }
    }

    @Override
    public Set<Map.Entry<AttributeSet, String>> entrySet() {
      Set<AttributeSet> candidates = narrowed.get();
      if (candidates == null) {
        return super.entrySet();
      }
      return new AbstractSet<>() {
        @Override
        public Iterator<Map.Entry<AttributeSet, String>> iterator() {
          return candidates.stream()
              .filter(IndexedStore.this::containsKey)
              .map(k -> Map.entry(k, IndexedStore.super.get(k)))
              .iterator();
        }

        @Override
        public int size() {
          return (int) candidates.stream().filter(IndexedStore.this::containsKey).count();
        }
      };
    }
  }

  /** {@link KubernetesMixedDispatcher} over the indexed CRUD dispatcher: expectations first, then the store. */
  static final class Mixed extends KubernetesMixedDispatcher {
    private final Map<ServerRequest, Queue<ServerResponse>> responses;
    private final MockDispatcher expectations;
    private final IndexedCrudDispatcher crud = new IndexedCrudDispatcher();

    Mixed(Map<ServerRequest, Queue<ServerResponse>> responses) {
      super(responses);
      this.responses = responses;
      this.expectations = new MockDispatcher(responses);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      Queue<ServerResponse> queue = responses.get(
          new io.fabric8.mockwebserver.internal.SimpleRequest(
              io.fabric8.mockwebserver.dsl.HttpMethod.valueOf(request.getMethod()), request.getPath()));
      if (queue != null && !queue.isEmpty()) {
        return expectations.dispatch(request);
      }
      return crud.dispatch(request);
    }

    @Override
    public void reset() {
      crud.reset();
    }

    @Override
    public void expectCustomResource(CustomResourceDefinitionContext context) {
      crud.expectCustomResource(context);
    }

    IndexedCrudDispatcher crud() {
      return crud;
    }
  }
}
