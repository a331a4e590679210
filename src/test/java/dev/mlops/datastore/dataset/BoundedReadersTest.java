package dev.mlops.datastore.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10's hostile and huge objects, one test each: every size read from a file is checked
 * against the bytes present and the budget before anything is allocated or requested, and the
 * result is a problem naming what was being read, never an Error or a request per commit.
 */
class BoundedReadersTest {
  private static final long MIB = 1024 * 1024;
  /** The caps of a 256 MiB heap, whatever heap this test JVM has. */
  private static final InspectionLimits LIMITS = InspectionLimits.forHeap(256 * MIB);
  private static final DatasetInspector INSPECTOR = new DatasetInspector(LIMITS);

  private static List<String> reasons(Inspection i) {
    return i.problems().stream().map(Problem::reason).toList();
  }

  private static Inspection parquet(byte[] bytes) {
    return INSPECTOR.inspect(new MemoryObjectStore().put("x.parquet", bytes), "x.parquet", false, Map.of());
  }

  @Test
  void shouldReportTheTwentyTwoByteFooterAsCorruptWithoutAllocatingItsListSize() {
    byte[] bytes = HostileObjects.twentyTwoByteParquet();
    assertThat(bytes).hasSize(22);

    Inspection i = parquet(bytes);

    assertThat(reasons(i)).containsExactly("CorruptParquet");
    assertThat(i.problems().get(0).message()).contains("2147483647 elements");
  }

  @Test
  void shouldReportThirtyTwoAndThirtyFourByteFootersAsCorrupt() {
    assertThat(HostileObjects.thirtyTwoByteParquet()).hasSize(32);
    assertThat(HostileObjects.thirtyFourByteParquet()).hasSize(34);

    assertThat(reasons(parquet(HostileObjects.thirtyTwoByteParquet()))).containsExactly("CorruptParquet");
    assertThat(reasons(parquet(HostileObjects.thirtyFourByteParquet()))).containsExactly("CorruptParquet");
  }

  @Test
  void shouldRefuseFootersNestedDeeperThanParquetEverNests() {
    Inspection i = parquet(HostileObjects.deeplyNestedParquet());

    assertThat(reasons(i)).containsExactly("CorruptParquet");
    assertThat(i.problems().get(0).message()).contains("nest deeper");
  }

  @Test
  void shouldRefuseASixtyFourMegabyteFooterBeforeReadingIt() {
    HostileObjects.Fabricated store = HostileObjects.parquetWithFooter("big.parquet", 64 * MIB);

    Inspection i = INSPECTOR.inspect(store, "big.parquet", false, Map.of());

    assertThat(reasons(i)).containsExactly(ReadBudgetExceeded.REASON);
    assertThat(i.problems().get(0).message()).contains("fab://big.parquet").contains("64.0 MiB");
    assertThat(i.requests()).isEqualTo(1); // the 64 KiB suffix (which gives the size), nothing more
    assertThat(store.largestRead).isEqualTo(ParquetFooterReader.SUFFIX);
  }

  @Test
  void shouldReportACheckpointPageClaimingTwoToTheThirtyOneValues() {
    Inspection i = INSPECTOR.inspect(HostileObjects.checkpointClaimingValues(Integer.MAX_VALUE), "t", true, Map.of());

    assertThat(reasons(i)).containsExactly(ReadBudgetExceeded.REASON);
    assertThat(i.problems().get(0).message()).contains("00000000000000000000.checkpoint.parquet").contains("2147483647 values");
  }

  @Test
  void shouldReportACheckpointPageClaimingMoreValuesThanItsChunkAsCorrupt() {
    MemoryObjectStore store = HostileObjects.checkpointClaimingValues(-5);

    assertThat(reasons(INSPECTOR.inspect(store, "t", true, Map.of()))).containsExactly("CorruptCheckpoint");
  }

  @Test
  void shouldStopReadingFourteenMegabyteCommitsAtTheBudget() {
    HostileObjects.Fabricated store = HostileObjects.deltaLogOfLargeCommits(12, 14 * (int) MIB);

    Inspection i = INSPECTOR.inspect(store, "t", true, Map.of());

    assertThat(reasons(i)).containsExactly(ReadBudgetExceeded.REASON);
    assertThat(i.problems().get(0).message()).contains("_delta_log/0000000000000000000").contains("budget");
    assertThat(i.bytesRead()).isLessThanOrEqualTo(LIMITS.maxBytesPerInspection());
  }

  @Test
  void shouldRefuseOneCommitLargerThanOneReadMayTakeWithoutReadingIt() {
    HostileObjects.Fabricated store = HostileObjects.deltaLogOfLargeCommits(1, LIMITS.maxSingleRead() + 1);

    Inspection i = INSPECTOR.inspect(store, "t", true, Map.of());

    assertThat(reasons(i)).containsExactly(ReadBudgetExceeded.REASON);
    assertThat(store.largestRead).isZero();
  }

  @Test
  void shouldAskForACheckpointInsteadOfReplayingThreeThousandCommits() {
    MemoryObjectStore store = HostileObjects.deltaLogOfSmallCommits(3000);

    Inspection i = INSPECTOR.inspect(store, "t", true, Map.of());

    assertThat(reasons(i)).containsExactly(DeltaLogReader.CHECKPOINT_NEEDED);
    assertThat(i.problems().get(0).message()).contains("3000 commits").contains("write a checkpoint");
    assertThat(i.requests()).isEqualTo(2); // _last_checkpoint and one listing: no commit read
  }

  @Test
  void shouldReplayALogWithinTheCommitCap() {
    MemoryObjectStore store = HostileObjects.deltaLogOfSmallCommits(LIMITS.maxReplayedCommits());

    Inspection i = INSPECTOR.inspect(store, "t", true, Map.of());

    assertThat(i.problems()).isEmpty();
    assertThat(i.delta().version()).isEqualTo(LIMITS.maxReplayedCommits() - 1);
  }

  @Test
  void shouldReportATruncatedListingInsteadOfAnOlderVersion() {
    InspectionLimits fewKeys = new InspectionLimits(1, 64 * MIB, 1000, (int) MIB, (int) MIB, MIB, 500, 10, 1 << 16);

    Inspection i = new DatasetInspector(fewKeys).inspect(HostileObjects.deltaLogOfSmallCommits(20), "t", true, Map.of());

    assertThat(reasons(i)).containsExactly(DeltaLogReader.LISTING_TRUNCATED);
    assertThat(i.delta()).isNull();
  }

  @Test
  void shouldStopAtTheRequestBudgetAndNameTheLog() {
    InspectionLimits fewRequests = new InspectionLimits(1, 64 * MIB, 5, (int) MIB, (int) MIB, MIB, 500, 1000, 1 << 16);

    Inspection i = new DatasetInspector(fewRequests).inspect(HostileObjects.deltaLogOfSmallCommits(20), "t", true, Map.of());

    assertThat(reasons(i)).containsExactly(ReadBudgetExceeded.REASON);
    assertThat(i.problems().get(0).message()).contains("5 requests").contains("_delta_log/").contains("checkpoint");
    assertThat(i.requests()).isEqualTo(5);
  }

  @Test
  void shouldBoundTheMemoryOfTheFilesAReplayedLogAdds() {
    InspectionLimits littleMemory = new InspectionLimits(1, 64 * MIB, 1000, (int) MIB, (int) MIB, 8 * 1024, 500, 1000, 1 << 16);

    Inspection i = new DatasetInspector(littleMemory).inspect(HostileObjects.deltaLogOfLargeCommits(1, 200_000), "t", true, Map.of());

    assertThat(reasons(i)).containsExactly(ReadBudgetExceeded.REASON);
    assertThat(i.problems().get(0).message()).contains("files").contains("write a checkpoint");
  }

  @Test
  void shouldReadTheRealParquetFilesWithinTheSmallestLimits() throws Exception {
    DatasetInspector smallest = new DatasetInspector(InspectionLimits.forHeap(0));
    try (Stream<Path> files = Files.list(DatasetInspectorTest.DATA.resolve("parquet"))) {
      for (Path file : files.filter(p -> p.toString().contains(".parquet")).toList()) {
        LocalObjectStore store = new LocalObjectStore(file.getParent());
        String key = file.getFileName().toString();
        Inspection small = smallest.inspect(store, key, false, Map.of());
        Inspection usual = INSPECTOR.inspect(store, key, false, Map.of());
        assertThat(reasons(small)).as(key).isEqualTo(reasons(usual)).doesNotContain(ReadBudgetExceeded.REASON);
        assertThat(small.columns()).as(key).isEqualTo(usual.columns());
      }
    }
  }

  @Test
  void shouldReadTheRealTablesWithinTheSmallestLimits() throws Exception {
    DatasetInspector smallest = new DatasetInspector(InspectionLimits.forHeap(0));
    try (Stream<Path> tables = Files.list(DatasetInspectorTest.DATA.resolve("delta"))) {
      for (Path table : tables.filter(p -> Files.isDirectory(p.resolve("_delta_log"))).toList()) {
        Inspection small = smallest.inspect(new LocalObjectStore(table), "", true, Map.of());
        Inspection usual = INSPECTOR.inspect(new LocalObjectStore(table), "", true, Map.of());
        assertThat(reasons(small)).as(table.toString()).isEqualTo(reasons(usual)).doesNotContain(ReadBudgetExceeded.REASON);
      }
    }
  }

  @Test
  @Timeout(60)
  void shouldRunNoMoreLargeReadsAtOnceThanItsSlots() throws Exception {
    // A CSV header longer than the first 64 KiB read: the check reads up to 1 MiB more, and only
    // that larger read needs one of the inspector's slots.
    byte[] wide = ("label," + "x".repeat(100 * 1024) + "\n1,2\n").getBytes(StandardCharsets.UTF_8);
    assertThat(mostInsideAtOnce(wide, length -> length > DatasetInspector.PREFIX, false)).isEqualTo(2);
  }

  @Test
  @Timeout(60)
  void shouldNotMakeAOneRangeCheckWaitForASlot() throws Exception {
    // Ten small checks over a slow S3 all run at once: a slot bounds memory, not requests.
    byte[] small = "id,label\n1,0\n".getBytes(StandardCharsets.UTF_8);
    assertThat(mostInsideAtOnce(small, length -> true, true)).isEqualTo(10);
  }

  /**
   * Ten threads inspect one CSV, with two slots, through a store that holds each read it watches
   * until all ten have started (or, with {@code untilAllInside}, are inside such a read).
   */
  private static int mostInsideAtOnce(byte[] csv, java.util.function.IntPredicate watched, boolean untilAllInside) throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch tenInside = new CountDownLatch(10);
    MemoryObjectStore data = new MemoryObjectStore().put("d.csv", csv);
    ObjectStore slow = new ObjectStore() {
      @Override
      public ObjectInfo head(String key) {
        return data.head(key);
      }

      @Override
      public byte[] read(String key, long offset, int length) {
        if (!watched.test(length)) {
          return data.read(key, offset, length);
        }
        int now = inside.incrementAndGet();
        most.accumulateAndGet(now, Math::max);
        if (untilAllInside) {
          tenInside.countDown();
        }
        try {
          // Hold the read until every caller could be inside, so any excess (or any wait) is seen.
          tenInside.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        inside.decrementAndGet();
        return data.read(key, offset, length);
      }

      @Override
      public byte[] readSuffix(String key, int length) {
        return data.readSuffix(key, length);
      }

      @Override
      public Listing list(String prefix, String startAfter, int maxKeys) {
        return data.list(prefix, startAfter, maxKeys);
      }

      @Override
      public String describe(String key) {
        return data.describe(key);
      }
    };
    DatasetInspector inspector = new DatasetInspector(LIMITS.withMaxConcurrentInspections(2));
    ExecutorService threads = Executors.newFixedThreadPool(10);
    try {
      List<Future<Inspection>> results = new ArrayList<>();
      for (int t = 0; t < 10; t++) {
        results.add(threads.submit(() -> {
          if (!untilAllInside) {
            tenInside.countDown();
          }
          return inspector.inspect(slow, "d.csv", false, Map.of());
        }));
      }
      for (Future<Inspection> r : results) {
        assertThat(r.get().problems()).isEmpty();
      }
    } finally {
      threads.shutdownNow();
    }
    return most.get();
  }

  @Test
  void shouldDeriveCapsFromTheHeapWithinFloorsAndCeilings() {
    InspectionLimits pod = InspectionLimits.forHeap(384 * MIB); // the chart: 75% of 512 Mi
    assertThat(pod.maxConcurrentInspections()).isEqualTo(4);
    assertThat((long) pod.maxConcurrentInspections() * pod.maxBytesPerInspection()).isLessThanOrEqualTo(384 * MIB);
    assertThat(pod.maxFooterBytes()).isLessThan(64 * (int) MIB);

    InspectionLimits tiny = InspectionLimits.forHeap(16 * MIB);
    assertThat(tiny.maxConcurrentInspections()).isEqualTo(1);
    assertThat(tiny.maxSingleRead()).isEqualTo(4 * (int) MIB); // the floor

    InspectionLimits huge = InspectionLimits.forHeap(64L * 1024 * MIB);
    assertThat(huge.maxSingleRead()).isEqualTo(64 * (int) MIB); // the ceiling
    assertThat(huge.maxListedKeys()).isEqualTo(100_000);
  }

  @Test
  void shouldLetAFaultOfTheCodePropagateInsteadOfCallingTheDataUnreadable() {
    ObjectStore failing = new ForwardingStore(new MemoryObjectStore().put("d.csv", new byte[] {'a'})) {
      @Override
      public byte[] read(String key, long offset, int length) {
        throw new IllegalStateException("a bug");
      }
    };

    assertThatThrownBy(() -> INSPECTOR.inspect(failing, "d.csv", false, Map.of())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void shouldLetAFaultOfTheCodeInACheckpointPropagateInsteadOfCallingItCorrupt() throws Exception {
    Path table = DatasetInspectorTest.DATA.resolve("delta/basic-with-inserts-deletes-checkpoint");
    ObjectStore failing = new ForwardingStore(new LocalObjectStore(table)) {
      @Override
      public byte[] readSuffix(String key, int length) {
        throw new NullPointerException("a bug");
      }
    };

    assertThatThrownBy(() -> INSPECTOR.inspect(failing, "", true, Map.of())).isInstanceOf(NullPointerException.class);
  }

  @Test
  void shouldLetTransientStoreFailuresPropagateForTheCallerToRetry() {
    ObjectStore throttled = new ForwardingStore(new MemoryObjectStore()) {
      @Override
      public ObjectInfo head(String key) {
        throw new ObjectStoreException(ObjectStoreException.Kind.TRANSIENT, "HeadObject of " + key + " failed with 503", null);
      }
    };

    assertThatThrownBy(() -> INSPECTOR.inspect(throttled, "d.csv", false, Map.of()))
        .isInstanceOfSatisfying(ObjectStoreException.class, e -> assertThat(e.kind()).isEqualTo(ObjectStoreException.Kind.TRANSIENT));
  }

  /** Forwards everything; a test overrides the one operation it breaks. */
  private static class ForwardingStore implements ObjectStore {
    private final ObjectStore d;

    ForwardingStore(ObjectStore d) {
      this.d = d;
    }

    @Override
    public ObjectInfo head(String key) {
      return d.head(key);
    }

    @Override
    public byte[] read(String key, long offset, int length) {
      return d.read(key, offset, length);
    }

    @Override
    public byte[] readSuffix(String key, int length) {
      return d.readSuffix(key, length);
    }

    @Override
    public Listing list(String prefix, String startAfter, int maxKeys) {
      return d.list(prefix, startAfter, maxKeys);
    }

    @Override
    public String describe(String key) {
      return d.describe(key);
    }
  }
}
