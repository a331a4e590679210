package dev.mlops.datastore.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Datasets that share a Delta table read its checkpoint once per reading identity: a checkpoint's
 * files never change, so the next check of the table reads only the log's tail.
 */
class CheckpointCacheTest {
  private static final Path TABLE = DatasetInspectorTest.DATA.resolve("delta").resolve("basic-with-inserts-deletes-checkpoint");

  @Test
  void shouldReadACheckpointOncePerScopeAndFindTheSameTable() {
    DatasetInspector inspector = new DatasetInspector(InspectionLimits.forHeap(256L << 20));

    Inspection first = inspector.inspect(scoped("s3://b as role-a"), "", true, Map.of());
    Inspection again = inspector.inspect(scoped("s3://b as role-a"), "", true, Map.of());
    Inspection otherIdentity = inspector.inspect(scoped("s3://b as role-b"), "", true, Map.of());

    assertThat(first.problems()).isEmpty();
    // The checkpoint's footer, its metaData/protocol chunks and its add statistics (the row count)
    // are not read again.
    assertThat(again.requests()).isEqualTo(first.requests() - 3);
    assertThat(again.columns()).isEqualTo(first.columns());
    assertThat(again.delta()).isEqualTo(first.delta());
    assertThat(again.rows()).isEqualTo(first.rows());
    assertThat(otherIdentity.requests()).as("another identity reads for itself").isEqualTo(first.requests());
  }

  @Test
  void shouldShareNothingThroughAStoreWithoutAScope() {
    DatasetInspector inspector = new DatasetInspector(InspectionLimits.forHeap(256L << 20));

    Inspection first = inspector.inspect(scoped(null), "", true, Map.of());
    Inspection again = inspector.inspect(scoped(null), "", true, Map.of());

    assertThat(again.requests()).isEqualTo(first.requests());
  }

  private static ObjectStore scoped(String scope) {
    LocalObjectStore files = new LocalObjectStore(TABLE);
    return new ObjectStore() {
      @Override
      public ObjectInfo head(String key) {
        return files.head(key);
      }

      @Override
      public byte[] read(String key, long offset, int length) {
        return files.read(key, offset, length);
      }

      @Override
      public byte[] readSuffix(String key, int length) {
        return files.readSuffix(key, length);
      }

      @Override
      public Listing list(String prefix, String startAfter, int maxKeys) {
        return files.list(prefix, startAfter, maxKeys);
      }

      @Override
      public String cacheScope() {
        return scope;
      }

      @Override
      public String describe(String key) {
        return files.describe(key);
      }
    };
  }
}
