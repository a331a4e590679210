package dev.mlops.datastore.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.dataset.ToolMadeCheckpoint.Action;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.Encoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 16's Delta classes: a log without a protocol action is refused; rows are counted through
 * a checkpoint (its add actions' numRecords, less the files touched after it, plus the commits
 * after it), and a count missing statistics says it is partial; checkpoint pages in the v2 string
 * encodings are read, and a codec the reader lacks is named.
 */
class DeltaProtocolAndRowsTest {
  private static final DatasetInspector INSPECTOR = new DatasetInspector(InspectionLimits.forHeap(256L << 20));
  private static final String SCHEMA = "{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
      + "{\"name\":\"label\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}";
  private static final String PROTOCOL = "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}";
  private static final String METADATA = "{\"metaData\":{\"id\":\"t\",\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":"
      + quote(SCHEMA) + ",\"partitionColumns\":[],\"configuration\":{}}}";

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String stats(long rows) {
    return "{\"numRecords\":" + rows + ",\"minValues\":{\"id\":1},\"maxValues\":{\"id\":9},\"nullCount\":{\"id\":0}}";
  }

  private static String add(String path, Long rows) {
    return "{\"add\":{\"path\":\"" + path + "\",\"partitionValues\":{},\"size\":100,\"modificationTime\":1,\"dataChange\":true"
        + (rows == null ? "" : ",\"stats\":" + quote(stats(rows))) + "}}";
  }

  private static String remove(String path) {
    return "{\"remove\":{\"path\":\"" + path + "\",\"deletionTimestamp\":2,\"dataChange\":true}}";
  }

  private static MemoryObjectStore commit(MemoryObjectStore store, long version, String... actions) {
    return store.put("t/_delta_log/" + DeltaLogReader.pad(version) + ".json", (String.join("\n", actions) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static Inspection inspect(MemoryObjectStore store) {
    return INSPECTOR.inspect(store, "t", true, Map.of());
  }

  private static List<String> reasons(Inspection i) {
    return i.problems().stream().map(Problem::reason).toList();
  }

  /** A table whose checkpoint at version 5 holds protocol, metaData and {@code adds}. */
  private static MemoryObjectStore checkpointed(List<Action> adds, Encoding strings, CompressionCodec codec) {
    List<Action> rows = new ArrayList<>();
    rows.add(Action.protocol(1));
    rows.add(Action.metaData(SCHEMA));
    rows.addAll(adds);
    return new MemoryObjectStore()
        .put("t/_delta_log/" + DeltaLogReader.pad(5) + ".checkpoint.parquet", ToolMadeCheckpoint.write(rows, strings, codec))
        .put("t/_delta_log/_last_checkpoint", "{\"version\":5,\"size\":5}".getBytes(StandardCharsets.UTF_8));
  }

  // 4. No protocol action

  @Test
  void shouldRefuseACommitWithMetadataButNoProtocolNamingTheActionAndTheVersion() {
    MemoryObjectStore store = commit(new MemoryObjectStore(), 0, METADATA, add("a.parquet", 3L));

    Inspection i = inspect(store);

    assertThat(reasons(i)).containsExactly("MissingProtocol");
    assertThat(i.problems().get(0).message()).contains("no protocol action at version 0").contains("Delta readers refuse");
  }

  @Test
  void shouldRefuseACheckpointWithMetadataButNoProtocol() {
    List<Action> rows = List.of(Action.metaData(SCHEMA), Action.add("a.parquet", stats(3)));
    MemoryObjectStore store = new MemoryObjectStore()
        .put("t/_delta_log/" + DeltaLogReader.pad(5) + ".checkpoint.parquet", ToolMadeCheckpoint.write(rows, Encoding.PLAIN, CompressionCodec.UNCOMPRESSED))
        .put("t/_delta_log/_last_checkpoint", "{\"version\":5}".getBytes(StandardCharsets.UTF_8));
    commit(store, 6, add("b.parquet", 1L));

    Inspection i = inspect(store);

    assertThat(reasons(i)).containsExactly("MissingProtocol");
    assertThat(i.problems().get(0).message()).contains("at version 6").contains("checkpoint 5");
  }

  @Test
  void shouldAcceptTheSameCommitOnceItHasAProtocol() {
    Inspection i = inspect(commit(new MemoryObjectStore(), 0, PROTOCOL, METADATA, add("a.parquet", 3L)));

    assertThat(i.problems()).isEmpty();
    assertThat(i.rows()).isEqualTo(3);
  }

  // 5. Row counts with a checkpoint

  @ParameterizedTest
  @EnumSource(value = Encoding.class, names = {"PLAIN", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY"})
  void shouldCountRowsFromTheCheckpointLessFilesRemovedAfterItPlusTheCommitsAfterIt(Encoding strings) {
    MemoryObjectStore store = checkpointed(List.of(
        Action.add("part-00000-a.parquet", stats(10)),
        Action.add("part-00001-b.parquet", stats(20)),
        Action.add("part-00002-c.parquet", stats(30))), strings, CompressionCodec.UNCOMPRESSED);
    commit(store, 6, remove("part-00001-b.parquet"), add("part-00003-d.parquet", 5L));

    Inspection i = inspect(store);

    assertThat(i.problems()).isEmpty();
    assertThat(i.columns()).containsExactly("id", "label");
    assertThat(i.rows()).isEqualTo(10 + 30 + 5);
    assertThat(i.rowsNote()).isNull();
    assertThat(i.delta().files()).isEqualTo(3);
    assertThat(i.delta().version()).isEqualTo(6);
  }

  @Test
  void shouldCountAFileReAddedAfterTheCheckpointOnceWithItsNewRows() {
    // A deletion-vector DELETE re-adds the same path: the commit's add replaces the checkpoint's.
    MemoryObjectStore store = checkpointed(List.of(
        Action.add("a.parquet", stats(10)),
        Action.add("b.parquet", stats(20))), Encoding.PLAIN, CompressionCodec.UNCOMPRESSED);
    commit(store, 6, remove("b.parquet"),
        "{\"add\":{\"path\":\"b.parquet\",\"partitionValues\":{},\"size\":100,\"modificationTime\":1,\"dataChange\":true,\"stats\":"
            + quote(stats(20)) + ",\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":\"x\",\"offset\":1,\"sizeInBytes\":10,\"cardinality\":4}}}");

    Inspection i = inspect(store);

    assertThat(i.problems()).isEmpty();
    assertThat(i.rows()).isEqualTo(10 + 20 - 4);
    assertThat(i.delta().files()).isEqualTo(2);
  }

  @Test
  void shouldSubtractTheCheckpointsDeletionVectorCardinalities() {
    MemoryObjectStore store = checkpointed(List.of(
        Action.addWithDeletionVector("a.parquet", stats(10), 3),
        Action.add("b.parquet", stats(20))), Encoding.PLAIN, CompressionCodec.UNCOMPRESSED);

    Inspection i = inspect(store);

    assertThat(i.problems()).isEmpty();
    assertThat(i.rows()).isEqualTo(10 - 3 + 20);
  }

  @Test
  void shouldSayTheCountIsPartialWhenSomeFilesCarryNoStatistics() {
    MemoryObjectStore store = checkpointed(List.of(
        Action.add("a.parquet", stats(10)),
        Action.add("b.parquet", null)), Encoding.DELTA_BYTE_ARRAY, CompressionCodec.UNCOMPRESSED);
    commit(store, 6, add("c.parquet", null), add("d.parquet", 7L));

    Inspection i = inspect(store);

    assertThat(i.problems()).isEmpty();
    assertThat(i.rows()).isEqualTo(17);
    assertThat(i.rowsNote()).isEqualTo("partial count: 2 of 4 files carry no numRecords statistics, so their rows are not counted");
  }

  @Test
  void shouldLeaveRowsUnknownWithTheReasonWhenTheStatisticsAreTooLargeToRead() {
    List<Action> adds = new ArrayList<>();
    for (int f = 0; f < 200; f++) {
      adds.add(Action.add("part-" + f + ".parquet", stats(1) + " ".repeat(1000)));
    }
    MemoryObjectStore store = checkpointed(adds, Encoding.PLAIN, CompressionCodec.UNCOMPRESSED);
    InspectionLimits small = new InspectionLimits(1, 64L << 20, 1000, 256 << 10, 256 << 10, 4L << 20, 500, 10_000, 1 << 16);
    assertThat(200 * 1000).isGreaterThan(small.maxSingleRead() / 4);

    Inspection i = new DatasetInspector(small).inspect(store, "t", true, Map.of());

    assertThat(i.problems()).isEmpty();
    assertThat(i.delta().files()).isEqualTo(200);
    assertThat(i.rows()).isNull();
    assertThat(i.rowsNote()).startsWith("rows not counted: ").contains("statistics");
  }

  // 6. Codecs

  @Test
  void shouldNameABrotliCheckpointAsAnUnsupportedCodec() {
    MemoryObjectStore store = checkpointed(List.of(Action.add("a.parquet", stats(1))), Encoding.PLAIN, CompressionCodec.BROTLI);

    Inspection i = inspect(store);

    assertThat(reasons(i)).containsExactly("UnsupportedCodec");
    assertThat(i.problems().get(0).message()).contains("BROTLI").contains("cannot decompress");
  }
}
