package dev.mlops.datastore.dataset;

import java.time.Instant;
import java.util.List;

/**
 * The few ranged operations dataset inspection needs, over S3 or a local folder. Keys are relative
 * to the store (an S3 bucket, or a local root).
 */
public interface ObjectStore {
  /** Size, version and encryption of an object. */
  record ObjectInfo(long size, String etag, Instant lastModified, String encryption, String kmsKeyId) {}

  /** A listed object. */
  record Listed(String key, long size) {}

  /**
   * Keys found under a prefix, sorted; {@code truncated} when more keys exist than were asked for
   * (a reader must not take a cut listing for the whole, e.g. a Delta log's latest version), and
   * the number of requests the listing took.
   */
  record Listing(List<Listed> keys, boolean truncated, int requests) {}

  /** Bytes read and, from the same answer, the object's size, version and encryption. */
  record Chunk(byte[] bytes, ObjectInfo info) {}

  /** @throws ObjectStoreException NOT_FOUND when there is no such object */
  ObjectInfo head(String key);

  /**
   * Bytes {@code [offset, offset + length)} and what a HEAD would have said, in one request where
   * the store can (an S3 ranged GET answers with Content-Range's total size, ETag, Last-Modified
   * and the SSE headers). This default asks twice; a remote store should override it.
   */
  default Chunk readWithInfo(String key, long offset, int length) {
    ObjectInfo info = head(key);
    return new Chunk(read(key, offset, length), info);
  }

  /** The last {@code length} bytes and the object's info, as {@link #readWithInfo}. */
  default Chunk readSuffixWithInfo(String key, int length) {
    ObjectInfo info = head(key);
    return new Chunk(readSuffix(key, length), info);
  }

  /** Bytes {@code [offset, offset + length)}, fewer at the end of the object. */
  byte[] read(String key, long offset, int length);

  /** The last {@code length} bytes (all of them when the object is shorter). */
  byte[] readSuffix(String key, int length);

  /** At most {@code maxKeys} keys under {@code prefix}, sorted, after {@code startAfter} when given. */
  Listing list(String prefix, String startAfter, int maxKeys);

  /**
   * Who reads what through this store, e.g. the bucket and the reading identity, for caches of
   * immutable facts (Delta checkpoints); null, the default, when facts must not be shared.
   */
  default String cacheScope() {
    return null;
  }

  /** A description for messages, e.g. s3://bucket. */
  String describe(String key);
}
