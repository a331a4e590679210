package dev.mlops.datastore.dataset;

/**
 * The one place an inspection's read budget is enforced: wraps the store a check reads through,
 * counts the requests made and the bytes read (what the check spent, reported in the status), and
 * refuses with {@link ReadBudgetExceeded} a request over the count, a read larger than one read may
 * be, or one that would take the bytes read past the budget, before the request is sent. One
 * instance per inspection; not shared between threads.
 */
public final class BudgetedObjectStore implements ObjectStore {
  /** Bytes an inspection may read before it must hold one of the inspector's slots. */
  static final long UNSLOTTED_BYTES = 128 * 1024;

  private final ObjectStore delegate;
  private final InspectionLimits limits;
  private final Runnable takeSlot;
  private boolean slotted;
  private int requests;
  private long bytes;

  public BudgetedObjectStore(ObjectStore delegate, InspectionLimits limits) {
    this(delegate, limits, () -> {});
  }

  /**
   * @param takeSlot run (once) before the first read that takes the inspection past {@link
   *     #UNSLOTTED_BYTES}: most inspections read one 64 KiB range and never wait for a slot
   */
  BudgetedObjectStore(ObjectStore delegate, InspectionLimits limits, Runnable takeSlot) {
    this.delegate = delegate;
    this.limits = limits;
    this.takeSlot = takeSlot;
  }

  public int requests() {
    return requests;
  }

  public long bytesRead() {
    return bytes;
  }

  InspectionLimits limits() {
    return limits;
  }

  private void request(String what) {
    if (requests >= limits.maxRequestsPerInspection()) {
      throw new ReadBudgetExceeded("the check stopped at " + requests + " requests, its budget, before " + what
          + (what.contains("_delta_log/") ? ": write a checkpoint so that less of the log is read" : ""));
    }
    requests++;
  }

  private void reserve(String key, long length) {
    if (length > limits.maxSingleRead()) {
      throw new ReadBudgetExceeded("reading " + InspectionLimits.mib(length) + " of " + describe(key) + " is more than the "
          + InspectionLimits.mib(limits.maxSingleRead()) + " one read may take (derived from the operator's heap)");
    }
    if (bytes + length > limits.maxBytesPerInspection()) {
      throw new ReadBudgetExceeded("reading " + InspectionLimits.mib(length) + " of " + describe(key) + " would take the check past its budget of "
          + InspectionLimits.mib(limits.maxBytesPerInspection()) + " (" + InspectionLimits.mib(bytes) + " read already)");
    }
    if (!slotted && bytes + length > UNSLOTTED_BYTES) {
      slotted = true;
      takeSlot.run();
    }
  }

  @Override
  public ObjectInfo head(String key) {
    request("HEAD of " + describe(key));
    return delegate.head(key);
  }

  @Override
  public byte[] read(String key, long offset, int length) {
    reserve(key, length);
    request("reading " + describe(key));
    byte[] b = delegate.read(key, offset, length);
    bytes += b.length;
    return b;
  }

  @Override
  public byte[] readSuffix(String key, int length) {
    reserve(key, length);
    request("reading " + describe(key));
    byte[] b = delegate.readSuffix(key, length);
    bytes += b.length;
    return b;
  }

  @Override
  public Chunk readWithInfo(String key, long offset, int length) {
    reserve(key, length);
    request("reading " + describe(key));
    Chunk c = delegate.readWithInfo(key, offset, length);
    bytes += c.bytes().length;
    return c;
  }

  @Override
  public Chunk readSuffixWithInfo(String key, int length) {
    reserve(key, length);
    request("reading " + describe(key));
    Chunk c = delegate.readSuffixWithInfo(key, length);
    bytes += c.bytes().length;
    return c;
  }

  @Override
  public Listing list(String prefix, String startAfter, int maxKeys) {
    request("listing " + describe(prefix));
    Listing listing = delegate.list(prefix, startAfter, Math.min(maxKeys, limits.maxListedKeys()));
    // Only the first page was counted above; a listing of many pages costs one request each.
    requests += Math.max(0, listing.requests() - 1);
    return listing;
  }

  @Override
  public String cacheScope() {
    return delegate.cacheScope();
  }

  @Override
  public String describe(String key) {
    return delegate.describe(key);
  }
}
