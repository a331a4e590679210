package dev.mlops.datastore.dataset;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Objects in memory: a fake store for reader tests and fuzzing. */
final class MemoryObjectStore implements ObjectStore {
  private final TreeMap<String, byte[]> objects = new TreeMap<>();

  MemoryObjectStore put(String key, byte[] bytes) {
    objects.put(key, bytes);
    return this;
  }

  @Override
  public ObjectInfo head(String key) {
    byte[] b = objects.get(key);
    if (b == null) {
      throw new ObjectStoreException(ObjectStoreException.Kind.NOT_FOUND, key + " does not exist", null);
    }
    return new ObjectInfo(b.length, "\"" + Arrays.hashCode(b) + "\"", Instant.EPOCH, null, null);
  }

  @Override
  public byte[] read(String key, long offset, int length) {
    byte[] b = objects.get(key);
    if (b == null) {
      throw new ObjectStoreException(ObjectStoreException.Kind.NOT_FOUND, key + " does not exist", null);
    }
    if (offset >= b.length) {
      return new byte[0];
    }
    return Arrays.copyOfRange(b, (int) offset, (int) Math.min(b.length, offset + length));
  }

  @Override
  public byte[] readSuffix(String key, int length) {
    byte[] b = objects.get(key);
    if (b == null) {
      throw new ObjectStoreException(ObjectStoreException.Kind.NOT_FOUND, key + " does not exist", null);
    }
    return Arrays.copyOfRange(b, Math.max(0, b.length - length), b.length);
  }

  @Override
  public Listing list(String prefix, String startAfter, int maxKeys) {
    List<Listed> out = new ArrayList<>();
    boolean truncated = false;
    for (Map.Entry<String, byte[]> e : objects.tailMap(prefix, true).entrySet()) {
      String k = e.getKey();
      if (!k.startsWith(prefix)) {
        break;
      }
      if (startAfter == null || k.compareTo(startAfter) > 0) {
        if (out.size() == maxKeys) {
          truncated = true;
          break;
        }
        out.add(new Listed(k, e.getValue().length));
      }
    }
    return new Listing(out, truncated, 1);
  }

  @Override
  public String describe(String key) {
    return "mem://" + key;
  }
}
