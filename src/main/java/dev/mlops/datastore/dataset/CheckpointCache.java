package dev.mlops.datastore.dataset;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsed Delta checkpoint facts (metaData, protocol, the count of files it adds) by store scope,
 * table log and checkpoint: a checkpoint's files never change once written, and many Datasets
 * share a table, so each further check of it reads its log's tail and not the checkpoint's footer
 * and column chunks again (7 requests become 5 for a table checkpointed three commits ago).
 *
 * <p>The scope is the store's {@link ObjectStore#cacheScope()}: the bucket and the identity that
 * read it, so a Dataset never learns from the cache what its own identity could not read. Bounded
 * by entries, and an entry whose schema is large is not kept.
 */
final class CheckpointCache {
  /** The schema text a kept entry may carry; a larger one is read again each time. */
  static final int MAX_SCHEMA_CHARS = 64 * 1024;

  private record Key(String scope, String log, long version, List<String> keys) {}

  private record Entry(DeltaLogReader.CheckpointState state, boolean withMetadata) {}

  private final Map<Key, Entry> entries;
  private long hits;

  CheckpointCache(int maxEntries) {
    this.entries = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /** The facts read before, when they hold what is needed now (the metaData when {@code needMetadata}). */
  synchronized DeltaLogReader.CheckpointState get(String scope, String log, long version, List<String> keys, boolean needMetadata) {
    if (scope == null) {
      return null;
    }
    Entry e = entries.get(new Key(scope, log, version, keys));
    if (e == null || needMetadata && !e.withMetadata()) {
      return null;
    }
    hits++;
    return e.state();
  }

  synchronized void put(String scope, String log, long version, List<String> keys, DeltaLogReader.CheckpointState state, boolean withMetadata) {
    if (scope == null || state.metaData != null && state.metaData.path("schemaString").asText("").length() > MAX_SCHEMA_CHARS) {
      return;
    }
    entries.put(new Key(scope, log, version, List.copyOf(keys)), new Entry(state, withMetadata));
  }

  synchronized long hits() {
    return hits;
  }
}
