package dev.mlops.datastore.dataset;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Counts the requests made and the bytes read through a store: what a check spent. */
public final class CountingObjectStore implements ObjectStore {
  private final ObjectStore delegate;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  public CountingObjectStore(ObjectStore delegate) {
    this.delegate = delegate;
  }

  public int requests() {
    return requests.get();
  }

  public long bytesRead() {
    return bytes.get();
  }

  @Override
  public ObjectInfo head(String key) {
    requests.incrementAndGet();
    return delegate.head(key);
  }

  @Override
  public byte[] read(String key, long offset, int length) {
    requests.incrementAndGet();
    byte[] b = delegate.read(key, offset, length);
    bytes.addAndGet(b.length);
    return b;
  }

  @Override
  public byte[] readSuffix(String key, int length) {
    requests.incrementAndGet();
    byte[] b = delegate.readSuffix(key, length);
    bytes.addAndGet(b.length);
    return b;
  }

  @Override
  public List<Listed> list(String prefix, String startAfter) {
    requests.incrementAndGet();
    return delegate.list(prefix, startAfter);
  }

  @Override
  public String describe(String key) {
    return delegate.describe(key);
  }
}
