package dev.mlops.datastore.dataset;

/**
 * What one dataset inspection may spend, and how many may run at once. Every size read from a file
 * is checked against these before anything is allocated, so a hostile or merely huge object ends
 * as the problem {@code ReadBudgetExceeded}, never as an OutOfMemoryError that takes the whole
 * operator (and every other namespace's checks) down.
 *
 * <p>{@link #forHeap(long)} derives the memory-bound caps from the JVM's heap: at most a quarter
 * of it is spent by inspections together ({@code maxConcurrentInspections} times the per-inspection
 * memory), with floors that keep small heaps useful and ceilings that keep big heaps from making
 * one check read hundreds of megabytes.
 *
 * @param maxConcurrentInspections inspections running at once; more wait for a slot
 * @param maxBytesPerInspection bytes one inspection may read in all
 * @param maxRequestsPerInspection requests (HEAD, GET, list pages) one inspection may make
 * @param maxSingleRead bytes of one ranged read, and of one decompressed page
 * @param maxFooterBytes bytes of one Parquet footer (or checkpoint footer)
 * @param maxDecodedBytes estimated heap the decoded state of one inspection may take: a footer, or the
 *     files a replayed Delta log adds
 * @param maxReplayedCommits Delta commits replayed after the checkpoint (or from version 0)
 * @param maxListedKeys keys one listing may return; more is reported as a truncated listing
 * @param maxPageValues values one Parquet page may claim
 */
public record InspectionLimits(
    int maxConcurrentInspections,
    long maxBytesPerInspection,
    int maxRequestsPerInspection,
    int maxSingleRead,
    int maxFooterBytes,
    long maxDecodedBytes,
    int maxReplayedCommits,
    int maxListedKeys,
    int maxPageValues) {
  private static final long MIB = 1024 * 1024;
  /** Heap one concurrent inspection is given room for, when deciding how many may run. */
  private static final long HEAP_PER_SLOT = 96 * MIB;
  private static final int MAX_SLOTS = 4;
  private static final long MIN_MEMORY = 4 * MIB;
  private static final long MAX_MEMORY = 64 * MIB;
  /**
   * Spark checkpoints every 10 commits and delta-rs every 100 by default: 500 leaves room for both
   * while keeping a check to a few hundred requests.
   */
  static final int REPLAYED_COMMITS = 500;
  static final int REQUESTS = 1000;

  public InspectionLimits {
    if (maxConcurrentInspections < 1 || maxBytesPerInspection < 1 || maxRequestsPerInspection < 1 || maxSingleRead < 1 || maxFooterBytes < 1
        || maxDecodedBytes < 1 || maxReplayedCommits < 1 || maxListedKeys < 1 || maxPageValues < 1) {
      throw new IllegalArgumentException("every inspection limit must be positive");
    }
  }

  /** Caps for a JVM whose maximum heap is {@code maxHeapBytes} (e.g. {@code Runtime.maxMemory()}). */
  public static InspectionLimits forHeap(long maxHeapBytes) {
    int slots = (int) Math.max(1, Math.min(MAX_SLOTS, maxHeapBytes / HEAP_PER_SLOT));
    long memory = Math.max(MIN_MEMORY, Math.min(MAX_MEMORY, maxHeapBytes / (4L * slots)));
    int single = (int) memory;
    return new InspectionLimits(
        slots,
        2 * memory,
        REQUESTS,
        single,
        single / 2,
        memory,
        REPLAYED_COMMITS,
        (int) Math.max(10_000, Math.min(100_000, memory / 256)),
        (int) Math.max(1 << 16, Math.min(1 << 24, memory / 8)));
  }

  /** Caps for this JVM's heap. */
  public static InspectionLimits forThisJvm() {
    return forHeap(Runtime.getRuntime().maxMemory());
  }

  /** The same caps with another number of concurrent inspections. */
  public InspectionLimits withMaxConcurrentInspections(int n) {
    return new InspectionLimits(n, maxBytesPerInspection, maxRequestsPerInspection, maxSingleRead, maxFooterBytes, maxDecodedBytes,
        maxReplayedCommits, maxListedKeys, maxPageValues);
  }

  static String mib(long bytes) {
    return bytes >= MIB ? String.format("%.1f MiB", bytes / (double) MIB) : bytes + " bytes";
  }
}
