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
}
