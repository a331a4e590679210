package dev.mlops.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrunedItemStoreTest {
  @Test
  void shouldCacheWithoutManagedFieldsAndTheLastAppliedCopyButWithEverythingElse() {
    Dataset ds = Resources.dataset("a", "fraud-data");
    ds.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("kubectl").withOperation("Update").build()));
    Map<String, String> annotations = new HashMap<>();
    annotations.put(PrunedItemStore.LAST_APPLIED, "{\"apiVersion\":\"datastore.mlops.dev/v1alpha1\",\"kind\":\"Dataset\"}");
    annotations.put("team", "fraud");
    ds.getMetadata().setAnnotations(annotations);
    PrunedItemStore<Dataset> store = new PrunedItemStore<>();

    store.put(store.getKey(ds), ds);

    Dataset cached = store.get(store.getKey(ds));
    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getMetadata().getAnnotations()).containsOnlyKeys("team");
    assertThat(cached.getSpec().getPath()).isEqualTo(Resources.dataset("a", "fraud-data").getSpec().getPath());
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void shouldKeepOneCopyOfTheStringsCachedObjectsRepeat() {
    PrunedItemStore<Dataset> store = new PrunedItemStore<>();
    Dataset a = parsedWithStatus("a");
    Dataset b = parsedWithStatus("b");
    assertThat(a.getStatus().getColumns().get(0)).isNotSameAs(b.getStatus().getColumns().get(0));

    store.put(store.getKey(a), a);
    store.put(store.getKey(b), b);

    Dataset ca = store.get(store.getKey(a));
    Dataset cb = store.get(store.getKey(b));
    assertThat(cb.getStatus().getColumns()).isEqualTo(List.of("label", "amount"));
    for (int i = 0; i < 2; i++) {
      assertThat(cb.getStatus().getColumns().get(i)).isSameAs(ca.getStatus().getColumns().get(i));
    }
    assertThat(cb.getStatus().getConditions().get(0).getMessage()).isEqualTo("the object was read")
        .isSameAs(ca.getStatus().getConditions().get(0).getMessage());
    assertThat(cb.getMetadata().getNamespace()).isSameAs(ca.getMetadata().getNamespace());
    assertThat(cb.getSpec().getIntegrationRef().getName()).isSameAs(ca.getSpec().getIntegrationRef().getName());
    assertThat(cb.getMetadata().getName()).isEqualTo("b");
  }

  /** A Dataset as an informer gets it: parsed from JSON, every string its own copy. */
  private static Dataset parsedWithStatus(String name) {
    Dataset ds = Resources.dataset(name, "fraud-data");
    dev.mlops.datastore.api.v1alpha1.DatasetStatus status = new dev.mlops.datastore.api.v1alpha1.DatasetStatus();
    status.setColumns(List.of("label", "amount"));
    dev.mlops.datastore.api.v1alpha1.Condition readable = new dev.mlops.datastore.api.v1alpha1.Condition();
    readable.setType("Readable");
    readable.setStatus("True");
    readable.setReason("Readable");
    readable.setMessage("the object was read");
    status.setConditions(List.of(readable));
    ds.setStatus(status);
    return io.fabric8.kubernetes.client.utils.Serialization.unmarshal(io.fabric8.kubernetes.client.utils.Serialization.asJson(ds), Dataset.class);
  }
}
