package dev.mlops.datastore.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The indexed store answers exactly as fabric8's stock store: the same random sequence of creates,
 * updates, label patches, deletes, gets and lists (by namespace, across namespaces, by label, by
 * field) runs against both, and every answer is compared.
 */
class IndexedCrudDispatcherTest {
  private final List<KubernetesMockServer> servers = new ArrayList<>();
  private KubernetesClient stock;
  private KubernetesClient indexed;
  private IndexedCrudDispatcher.Mixed indexedDispatcher;

  @BeforeEach
  void start() {
    Map<ServerRequest, Queue<ServerResponse>> stockResponses = new HashMap<>();
    stock = client(stockResponses, new KubernetesMixedDispatcher(stockResponses));
    Map<ServerRequest, Queue<ServerResponse>> indexedResponses = new HashMap<>();
    indexedDispatcher = new IndexedCrudDispatcher.Mixed(indexedResponses);
    indexed = client(indexedResponses, indexedDispatcher);
  }

  private KubernetesClient client(Map<ServerRequest, Queue<ServerResponse>> responses, Dispatcher dispatcher) {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
    server.init();
    servers.add(server);
    try (KubernetesClient made = server.createClient()) {
      return new KubernetesClientBuilder().withConfig(made.getConfiguration()).build();
    }
  }

  @AfterEach
  void stop() {
    stock.close();
    indexed.close();
    servers.forEach(KubernetesMockServer::destroy);
  }

  @Test
  void shouldAnswerEveryRequestAsTheStockStoreDoes() {
    List<String> namespaces = List.of("a", "b", "c");
    for (KubernetesClient c : List.of(stock, indexed)) {
      namespaces.forEach(ns -> c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create());
    }
    Random random = new Random(42);
    int compared = 0;
    for (int step = 0; step < 1500; step++) {
      String ns = namespaces.get(random.nextInt(namespaces.size()));
      String name = "cm-" + random.nextInt(40);
      String team = "t" + random.nextInt(3);
      int op = random.nextInt(8);
      List<Function<KubernetesClient, Object>> calls = switch (op) {
        case 0, 1 -> List.of(c -> outcome(() -> c.configMaps().inNamespace(ns).resource(configMap(ns, name, team)).create()));
        case 2 -> List.of(c -> outcome(() -> c.configMaps().inNamespace(ns).withName(name).edit(cm -> {
              cm.getData().put("step", "changed");
              return cm;
            })));
        case 3 -> List.of(c -> outcome(() -> c.configMaps().inNamespace(ns).withName(name).delete().size()));
        case 4 -> List.of(c -> outcome(() -> c.configMaps().inNamespace(ns).withName(name).get()));
        case 5 -> List.of(c -> outcome(() -> c.configMaps().inNamespace(ns).list().getItems()));
        case 6 -> List.of(c -> outcome(() -> c.configMaps().inAnyNamespace().withLabel("team", team).list().getItems()));
        default -> List.of(c -> outcome(() -> c.configMaps().inAnyNamespace().list().getItems()));
      };
      for (Function<KubernetesClient, Object> call : calls) {
        assertThat(call.apply(indexed)).as("step %d, operation %d on %s/%s", step, op, ns, name).isEqualTo(call.apply(stock));
        compared++;
      }
    }
    assertThat(compared).isEqualTo(1500);
    assertThat(indexedDispatcher.crud().size()).isEqualTo(stock.configMaps().inAnyNamespace().list().getItems().size() + namespaces.size());
  }

  private static ConfigMap configMap(String ns, String name, String team) {
    return new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName(name).addToLabels("team", team).endMetadata()
        .addToData("step", "created").build();
  }

  /** What a caller sees: the objects' identity and content, or the error code; never resource versions or uids. */
  private static Object outcome(java.util.function.Supplier<Object> call) {
    try {
      return comparable(call.get());
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      return "error " + e.getCode();
    }
  }

  private static Object comparable(Object value) {
    if (value instanceof List<?> list) {
      Map<String, Object> byKey = new TreeMap<>();
      list.forEach(item -> byKey.put(key((HasMetadata) item), comparable(item)));
      return byKey;
    }
    if (value instanceof ConfigMap cm) {
      return key(cm) + " " + cm.getMetadata().getLabels() + " " + cm.getData();
    }
    return value;
  }

  private static String key(HasMetadata object) {
    return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
  }
}
