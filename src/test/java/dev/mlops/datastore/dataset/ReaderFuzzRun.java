package dev.mlops.datastore.dataset;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The fuzz run itself, as a program: {@link DatasetReaderFuzzTest} starts it in a JVM with a small
 * heap, where an allocation sized by an unchecked length is an OutOfMemoryError at once. Runs the
 * readers over mutated and truncated real files (Parquet, Delta tables, text, gzip) and over every
 * hostile shape of {@link HostileObjects}, with the caps this heap derives. Any {@code Throwable}
 * escaping an inspection is a failure: an Error (out of memory, stack overflow) or a
 * RuntimeException (a fault of the readers that data can trigger). Prints one summary line; exits 1
 * with the first failures listed.
 */
public final class ReaderFuzzRun {
  private static final Path DATA = DatasetInspectorTest.DATA;
  private final DatasetInspector inspector = new DatasetInspector(InspectionLimits.forThisJvm());
  private final List<String> failures = new ArrayList<>();
  private int cases;
  private int problems;

  public static void main(String[] args) throws IOException {
    ReaderFuzzRun run = new ReaderFuzzRun();
    run.hostileShapes();
    run.parquetFiles(4000, 11);
    run.textFiles(1500);
    run.deltaTables(60, 5);
    run.toolMadeCheckpoints(300, 16);
    run.encodedPages(1500, 17);
    PrintStream out = System.out;
    out.println("fuzz: cases=" + run.cases + " withProblems=" + run.problems + " failures=" + run.failures.size()
        + " maxHeap=" + Runtime.getRuntime().maxMemory() / (1024 * 1024) + "MiB");
    run.failures.stream().limit(20).forEach(out::println);
    System.exit(run.failures.isEmpty() ? 0 : 1);
  }

  private void inspect(String label, Supplier<Inspection> inspection) {
    cases++;
    try {
      if (!inspection.get().problems().isEmpty()) {
        problems++;
      }
    } catch (Throwable t) {
      failures.add(label + ": " + t.getClass().getName() + ": " + t.getMessage() + " at " + (t.getStackTrace().length > 0 ? t.getStackTrace()[0] : "?"));
    }
  }

  private void hostileShapes() {
    Map<String, byte[]> parquet = Map.of(
        "22-byte footer", HostileObjects.twentyTwoByteParquet(),
        "32-byte footer", HostileObjects.thirtyTwoByteParquet(),
        "34-byte footer", HostileObjects.thirtyFourByteParquet(),
        "deeply nested footer", HostileObjects.deeplyNestedParquet());
    parquet.forEach((label, bytes) -> inspect(label, () -> inspector.inspect(new MemoryObjectStore().put("x.parquet", bytes), "x.parquet", false, Map.of())));
    inspect("64 MiB footer", () -> inspector.inspect(HostileObjects.parquetWithFooter("x.parquet", 64L << 20), "x.parquet", false, Map.of()));
    inspect("2 GiB footer", () -> inspector.inspect(HostileObjects.parquetWithFooter("x.parquet", (1L << 31) - 1), "x.parquet", false, Map.of()));
    inspect("checkpoint page of 2^31-1 values", () -> inspector.inspect(HostileObjects.checkpointClaimingValues(Integer.MAX_VALUE), "t", true, Map.of()));
    inspect("twelve 14 MiB commits", () -> inspector.inspect(HostileObjects.deltaLogOfLargeCommits(12, 14 << 20), "t", true, Map.of()));
    inspect("3,000 commits", () -> inspector.inspect(HostileObjects.deltaLogOfSmallCommits(3000), "t", true, Map.of()));
  }

  private void parquetFiles(int rounds, long seed) throws IOException {
    List<byte[]> seeds = new ArrayList<>();
    try (Stream<Path> files = Files.list(DATA.resolve("parquet"))) {
      for (Path p : files.filter(p -> p.toString().contains(".parquet")).sorted().toList()) {
        seeds.add(Files.readAllBytes(p));
      }
    }
    Random random = new Random(seed);
    for (int r = 0; r < rounds; r++) {
      byte[] bytes = mutateOrTruncate(seeds.get(random.nextInt(seeds.size())), random);
      inspect("parquet round " + r, () -> inspector.inspect(new MemoryObjectStore().put("f.parquet", bytes), "f.parquet", false, Map.of("label_col", "id")));
    }
  }

  private void textFiles(int roundsPerName) throws IOException {
    List<byte[]> seeds = List.of(
        "id,amount,label\r\n1,2,0\r\n".getBytes(StandardCharsets.UTF_8),
        "\"a\",\"b\nc\"\n1,2\n".getBytes(StandardCharsets.UTF_8),
        "{\"id\":1,\"label\":0}\n{\"id\":2}\n".getBytes(StandardCharsets.UTF_8),
        DatasetInspectorTest.gzip("{\"id\":1}\n{\"label\":2}\n"),
        DatasetInspectorTest.gzip("[{\"id\":1},{\"id\":2}]"),
        // Issue 16: Latin-1 and windows-1252 headers, BOM-less UTF-16, a wide first record, a cut last record.
        "id,caf\u00e9,label\n1,2,0\n".getBytes(StandardCharsets.ISO_8859_1),
        "id,\u201cnote\u201d,label\n1,2,0\n".getBytes(java.nio.charset.Charset.forName("windows-1252")),
        "id,label\n1,0\n".getBytes(StandardCharsets.UTF_16LE),
        (wideRecord(7000) + "\n{\"label\":1}\n").getBytes(StandardCharsets.UTF_8),
        DatasetInspectorTest.gzip(wideRecord(7000) + "\n"),
        DatasetInspectorTest.gzip("{\"id\":1,\"label\":0}\n{\"id\":2,\"lab"),
        "{\"caf\u00e9\":1,\"label\":[1,2,".getBytes(StandardCharsets.ISO_8859_1));
    for (String name : new String[] {"f.csv", "f.jsonl", "f.jsonl.gz", "f.json.gz", "f"}) {
      Random random = new Random(name.hashCode());
      for (int r = 0; r < roundsPerName; r++) {
        byte[] bytes = mutateOrTruncate(seeds.get(random.nextInt(seeds.size())), random);
        inspect(name + " round " + r, () -> inspector.inspect(new MemoryObjectStore().put(name, bytes), name, false, Map.of("label_col", "label")));
      }
    }
  }

  /** Every real table, {@code rounds} times each, with some of its log files (checkpoints most often) mutated or cut. */
  private void deltaTables(int rounds, long seed) throws IOException {
    List<Path> tables;
    try (Stream<Path> dirs = Files.list(DATA.resolve("delta"))) {
      tables = dirs.filter(p -> Files.isDirectory(p.resolve("_delta_log"))).sorted().toList();
    }
    Random random = new Random(seed);
    for (Path table : tables) {
      List<Path> logFiles;
      try (Stream<Path> files = Files.walk(table.resolve("_delta_log"))) {
        logFiles = files.filter(Files::isRegularFile).sorted().toList();
      }
      for (int round = 0; round < rounds; round++) {
        MemoryObjectStore store = new MemoryObjectStore();
        for (Path p : logFiles) {
          byte[] b = Files.readAllBytes(p);
          boolean checkpoint = p.getFileName().toString().contains("checkpoint");
          if (random.nextInt(checkpoint ? 2 : 6) == 0) {
            b = mutateOrTruncate(b, random);
          }
          store.put("t/" + table.relativize(p).toString().replace('\\', '/'), b);
        }
        inspect(table.getFileName() + " round " + round, () -> inspector.inspect(store, "t", true, Map.of("label_col", "id")));
      }
    }
  }

  private static String wideRecord(int keys) {
    StringBuilder b = new StringBuilder("{");
    for (int k = 0; k < keys; k++) {
      b.append(k == 0 ? "" : ",").append("\"feature_").append(k).append("\":").append(k % 7);
    }
    return b.append("}").toString();
  }

  /**
   * Checkpoints made by {@link ToolMadeCheckpoint} in each string encoding (and one labelled
   * Brotli), with a commit after that removes and re-adds files, so the row count reads
   * DELTA_BYTE_ARRAY / DELTA_LENGTH_BYTE_ARRAY pages and matches paths; the checkpoint is mutated
   * or cut every round.
   */
  private void toolMadeCheckpoints(int rounds, long seed) {
    Random random = new Random(seed);
    String schema = "{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}";
    List<ToolMadeCheckpoint.Action> actions = new ArrayList<>();
    actions.add(ToolMadeCheckpoint.Action.protocol(1));
    actions.add(ToolMadeCheckpoint.Action.metaData(schema));
    for (int f = 0; f < 300; f++) {
      actions.add(f % 5 == 0 ? ToolMadeCheckpoint.Action.addWithDeletionVector("part-" + f + ".parquet", "{\"numRecords\":" + f + "}", 1)
          : ToolMadeCheckpoint.Action.add("part-" + f + ".parquet", f % 7 == 0 ? null : "{\"numRecords\":" + f + "}"));
    }
    org.apache.parquet.format.Encoding[] encodings = {org.apache.parquet.format.Encoding.PLAIN,
        org.apache.parquet.format.Encoding.DELTA_LENGTH_BYTE_ARRAY, org.apache.parquet.format.Encoding.DELTA_BYTE_ARRAY};
    List<byte[]> checkpoints = new ArrayList<>();
    for (org.apache.parquet.format.Encoding e : encodings) {
      checkpoints.add(ToolMadeCheckpoint.write(actions, e, org.apache.parquet.format.CompressionCodec.UNCOMPRESSED));
    }
    checkpoints.add(ToolMadeCheckpoint.write(actions, org.apache.parquet.format.Encoding.DELTA_BYTE_ARRAY, org.apache.parquet.format.CompressionCodec.BROTLI));
    byte[] commit = ("{\"remove\":{\"path\":\"part-3.parquet\",\"dataChange\":true}}\n"
        + "{\"add\":{\"path\":\"part-4.parquet\",\"partitionValues\":{},\"size\":1,\"modificationTime\":1,\"dataChange\":true,"
        + "\"stats\":\"{\\\"numRecords\\\":9}\"}}\n").getBytes(StandardCharsets.UTF_8);
    for (int r = 0; r < rounds; r++) {
      byte[] checkpoint = checkpoints.get(r % checkpoints.size());
      byte[] bytes = r < checkpoints.size() ? checkpoint : mutateOrTruncate(checkpoint, random);
      MemoryObjectStore store = new MemoryObjectStore()
          .put("t/_delta_log/" + DeltaLogReader.pad(5) + ".checkpoint.parquet", bytes)
          .put("t/_delta_log/" + DeltaLogReader.pad(6) + ".json", commit)
          .put("t/_delta_log/_last_checkpoint", "{\"version\":5}".getBytes(StandardCharsets.UTF_8));
      inspect("tool-made checkpoint round " + r, () -> inspector.inspect(store, "t", true, Map.of("label_col", "id")));
    }
  }

  /**
   * The page decoder straight on mutated column chunks of parquet-testing's delta-encoded files
   * (DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY): an IOException or a budget
   * reached is the reader's answer; anything else escaping is a failure.
   */
  private void encodedPages(int rounds, long seed) throws IOException {
    record Chunk(byte[] bytes, org.apache.parquet.format.ColumnMetaData meta, ParquetColumnReader.Leaf leaf) {}
    List<Chunk> chunks = new ArrayList<>();
    InspectionLimits limits = inspector.limits();
    for (String name : List.of("delta_byte_array.parquet", "delta_length_byte_array.parquet", "delta_encoding_optional_column.parquet")) {
      byte[] file = Files.readAllBytes(DATA.resolve("parquet").resolve(name));
      org.apache.parquet.format.FileMetaData footer;
      try {
        footer = ParquetFooterReader.read(new MemoryObjectStore().put(name, file), name,
            java.util.Arrays.copyOfRange(file, Math.max(0, file.length - ParquetFooterReader.SUFFIX), file.length), file.length, limits).metadata();
      } catch (ParquetFooterReader.UnreadableFooter e) {
        throw new IOException(name + ": " + e.problem().message());
      }
      for (org.apache.parquet.format.ColumnChunk c : footer.getRow_groups().get(0).getColumns()) {
        ParquetColumnReader.Leaf leaf = ParquetColumnReader.leaf(footer, c.getMeta_data().getPath_in_schema(), null);
        int from = (int) ParquetColumnReader.start(c.getMeta_data());
        chunks.add(new Chunk(java.util.Arrays.copyOfRange(file, from, from + (int) c.getMeta_data().getTotal_compressed_size()), c.getMeta_data(), leaf));
      }
    }
    Random random = new Random(seed);
    for (int r = 0; r < rounds; r++) {
      Chunk chunk = chunks.get(random.nextInt(chunks.size()));
      byte[] bytes = mutateOrTruncate(chunk.bytes(), random);
      cases++;
      try {
        long[] seen = {0};
        ParquetColumnReader.rows(bytes, chunk.meta(), chunk.leaf(), limits, (def, value) -> seen[0]++);
      } catch (IOException | ReadBudgetExceeded answered) {
        problems++;
      } catch (Throwable t) {
        failures.add("encoded page round " + r + ": " + t.getClass().getName() + ": " + t.getMessage() + " at "
            + (t.getStackTrace().length > 0 ? t.getStackTrace()[0] : "?"));
      }
    }
  }

  static byte[] mutateOrTruncate(byte[] base, Random random) {
    return random.nextBoolean() ? mutate(base, random) : java.util.Arrays.copyOf(base, random.nextInt(base.length + 1));
  }

  static byte[] mutate(byte[] b, Random random) {
    byte[] out = b.clone();
    int edits = 1 + random.nextInt(8);
    for (int e = 0; e < edits && out.length > 0; e++) {
      int at = random.nextInt(out.length);
      switch (random.nextInt(4)) {
        case 0 -> out[at] = (byte) random.nextInt(256);
        case 1 -> out[at] = (byte) (out[at] ^ (1 << random.nextInt(8)));
        case 2 -> out[at] = (byte) 0xff; // a varint that goes on: large counts and lengths
        default -> {
          // Lengths and counts live in the last bytes of Parquet: hit them often.
          int tail = Math.max(0, out.length - 1 - random.nextInt(Math.min(out.length, 64)));
          out[tail] = (byte) random.nextInt(256);
        }
      }
    }
    return out;
  }
}
