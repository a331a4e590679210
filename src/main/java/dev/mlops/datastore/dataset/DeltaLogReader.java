package dev.mlops.datastore.dataset;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FileMetaData;

/**
 * Reads a Delta Lake table's state from its log with as few requests as the log allows:
 * {@code _last_checkpoint} (tolerating it empty, garbage or stale), one listing of
 * {@code _delta_log/} from that checkpoint on, the commits after the checkpoint, and the checkpoint
 * itself only when the commits after it do not carry the table's metadata and protocol (its
 * footer, then one ranged read of the metaData and protocol column chunks). Single, multi-part
 * and v2 checkpoints (with sidecars) are understood. No Delta Kernel, no Hadoop.
 *
 * <p>Bounded by the inspection's limits: a listing cut at the key cap is reported, never taken for
 * the whole log; at most {@link InspectionLimits#maxReplayedCommits()} commits are replayed (more
 * is a problem that asks for a checkpoint, found from the listing before any commit is read); each
 * commit is read at its listed size, within one read's cap, and replayed line by line.
 */
public final class DeltaLogReader {
  public static final String CHECKPOINT_NEEDED = "CheckpointNeeded";
  public static final String LISTING_TRUNCATED = "ListingTruncated";
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
      .build());
  private static final Pattern COMMIT = Pattern.compile("^(\\d{20})\\.json$");
  private static final Pattern CLASSIC_CHECKPOINT = Pattern.compile("^(\\d{20})\\.checkpoint\\.parquet$");
  private static final Pattern MULTIPART_CHECKPOINT = Pattern.compile("^(\\d{20})\\.checkpoint\\.(\\d{10})\\.(\\d{10})\\.parquet$");
  private static final Pattern V2_CHECKPOINT = Pattern.compile("^(\\d{20})\\.checkpoint\\.[0-9a-fA-F-]{36}\\.(json|parquet)$");
  /** Keys {@link #latestVersion} lists at most; a longer log is "unknown", and inspected in full. */
  private static final int LATEST_VERSION_KEYS = 10_000;
  private static final int LAST_CHECKPOINT_BYTES = 64 * 1024;
  /** Reader features that do not change what this check reads (schema, files, partitions). */
  static final Set<String> HONOURED_FEATURES =
      Set.of("columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint", "vacuumProtocolCheck", "typeWidening",
          "typeWidening-preview", "variantType", "variantType-preview", "icebergCompatV1", "icebergCompatV2", "domainMetadata",
          "checkpointProtection", "inCommitTimestamp", "rowTracking", "clustering", "appendOnly", "invariants", "checkConstraints",
          "changeDataFeed", "generatedColumns", "allowColumnDefaults", "identityColumns");

  private DeltaLogReader() {}

  /** A checkpoint: its version and the keys that make it up. */
  private record Checkpoint(long version, List<String> keys, boolean v2Json) {}

  /** The log's files by version, and the listed size of each key. */
  private static final class Log {
    final TreeMap<Long, String> commits = new TreeMap<>();
    final TreeMap<Long, Checkpoint> checkpoints = new TreeMap<>();
    final Map<String, Long> sizes = new HashMap<>();
    boolean truncated;
    boolean empty;

    long latest() {
      return Math.max(commits.isEmpty() ? -1 : commits.lastKey(), checkpoints.isEmpty() ? -1 : checkpoints.lastKey());
    }
  }

  /**
   * The table state replayed from commits. The paths it keeps are what grows with the log, so their
   * heap is estimated as they come and bounded by {@link InspectionLimits#maxDecodedBytes()}.
   */
  private static final class Replay {
    /** A map entry, its key String and a boxed count, from above. */
    private static final int ENTRY_COST = 120;
    private final long maxBytes;
    private long bytes;
    JsonNode metaData;
    JsonNode protocol;
    final Map<String, Long> files = new LinkedHashMap<>();
    final Set<String> removed = new LinkedHashSet<>();

    Replay(long maxBytes) {
      this.maxBytes = maxBytes;
    }

    private void charge(String path) {
      bytes += ENTRY_COST + 2L * path.length();
      if (bytes > maxBytes) {
        throw new ReadBudgetExceeded("the log's commits add " + files.size() + " files and more, over the " + InspectionLimits.mib(maxBytes)
            + " of memory one check may use to count them (derived from the operator's heap): write a checkpoint");
      }
    }

    void apply(JsonNode a) {
      if (a.has("metaData")) {
        metaData = a.get("metaData");
      }
      if (a.has("protocol")) {
        protocol = a.get("protocol");
      }
      if (a.has("add")) {
        String path = a.get("add").path("path").asText();
        charge(path);
        files.put(path, rows(a.get("add")));
        removed.remove(path);
      }
      if (a.has("remove")) {
        String path = a.get("remove").path("path").asText();
        if (files.remove(path) == null) {
          charge(path);
          removed.add(path);
        }
      }
    }
  }

  public static void read(ObjectStore store, String tablePrefix, Inspection result, InspectionLimits limits) {
    read(store, tablePrefix, result, limits, null);
  }

  /** As {@link #read(ObjectStore, String, Inspection, InspectionLimits)}, reusing checkpoint facts from {@code checkpoints} when given. */
  static void read(ObjectStore store, String tablePrefix, Inspection result, InspectionLimits limits, CheckpointCache checkpoints) {
    String table = tablePrefix.isEmpty() || tablePrefix.endsWith("/") ? tablePrefix : tablePrefix + "/";
    String log = table + "_delta_log/";
    result.format = DataFormat.DELTA_TABLE;

    Long hinted = lastCheckpoint(store, log);
    Log listed = list(store, log, hinted == null ? null : log + pad(hinted), limits.maxListedKeys());
    if (hinted != null && !listed.checkpoints.containsKey(hinted)) {
      // _last_checkpoint points at a checkpoint that is not there (stale, or half written): list it all.
      listed = list(store, log, null, limits.maxListedKeys());
    }
    if (listed.empty) {
      result.problem(Problem.format("NotADeltaTable", store.describe(table) + " has no _delta_log/: it is not a Delta table (or the path is not the table's folder)"));
      return;
    }
    if (listed.truncated) {
      result.problem(Problem.format(LISTING_TRUNCATED, "the listing of " + store.describe(log) + " stopped at " + limits.maxListedKeys()
          + " keys, so the table's latest version cannot be known: write a checkpoint (and _last_checkpoint), or clean up old log files"));
      return;
    }
    if (listed.commits.isEmpty() && listed.checkpoints.isEmpty()) {
      result.problem(Problem.format("NotADeltaTable", store.describe(log) + " holds no commit and no checkpoint"));
      return;
    }
    long latest = listed.latest();
    Checkpoint checkpoint = listed.checkpoints.isEmpty() ? null : listed.checkpoints.floorEntry(latest).getValue();
    long from = checkpoint == null ? 0 : checkpoint.version() + 1;
    for (long v = from; v <= latest; v++) {
      if (!listed.commits.containsKey(v)) {
        result.problem(Problem.format("DeltaLogGap", "commit " + v + " is missing from " + store.describe(log) + " (versions must be contiguous"
            + (checkpoint == null ? " from 0 when there is no checkpoint" : " after checkpoint " + checkpoint.version()) + ")"));
        return;
      }
    }
    long toReplay = latest - from + 1;
    if (toReplay > limits.maxReplayedCommits()) {
      result.problem(Problem.format(CHECKPOINT_NEEDED, "the table has " + toReplay + " commits "
          + (checkpoint == null ? "and no checkpoint" : "after checkpoint " + checkpoint.version())
          + "; this check replays at most " + limits.maxReplayedCommits() + ": write a checkpoint (Spark writes one every 10 commits; "
          + "delta-rs: create_checkpoint()), and Delta readers get faster too"));
      return;
    }

    Replay replay = new Replay(limits.maxDecodedBytes());
    for (long v = from; v <= latest; v++) {
      String key = listed.commits.get(v);
      if (!replayActions(store, key, listed.sizes.getOrDefault(key, -1L), limits, result, replay::apply)) {
        return;
      }
    }

    long checkpointFiles = 0;
    Rows rows = new Rows();
    JsonNode metaData = replay.metaData;
    JsonNode protocol = replay.protocol;
    if (checkpoint != null) {
      boolean needMetadata = metaData == null || protocol == null;
      Set<String> shadowed = new java.util.HashSet<>(replay.files.keySet());
      shadowed.addAll(replay.removed);
      String scope = checkpoints == null ? null : store.cacheScope();
      CheckpointState state = checkpoints == null ? null : checkpoints.get(scope, log, checkpoint.version(), checkpoint.keys(), needMetadata);
      if (state != null && !state.shadowed.equals(shadowed)) {
        state = null; // its rows were summed for other commits after the checkpoint
      }
      if (state == null) {
        state = readCheckpoint(store, log, checkpoint, listed.sizes, needMetadata, result, limits, shadowed);
        if (state == null) {
          return;
        }
        if (checkpoints != null) {
          checkpoints.put(scope, log, checkpoint.version(), checkpoint.keys(), state, state.metaData != null && state.protocol != null);
        }
      }
      rows = state.rows.copy();
      if (metaData == null) {
        metaData = state.metaData;
      }
      if (protocol == null) {
        protocol = state.protocol;
      }
      // Paths touched after the checkpoint replace its entries: exact when their rows were matched by path.
      checkpointFiles = Math.max(0, state.adds - (rows.pathsMatched ? rows.shadowedAdds : replay.removed.size()));
    }
    for (Long r : replay.files.values()) {
      rows.add(r);
    }

    if (protocol == null) {
      result.problem(Problem.format("MissingProtocol", "the log of " + store.describe(table) + " has no protocol action at version " + latest
          + (checkpoint == null ? " (commits 0 to " + latest + " read)" : " (checkpoint " + checkpoint.version() + " and the commits after it read)")
          + ": Delta readers refuse a table without one (\"no protocol found\"), as this check does; write the table with a Delta writer, "
          + "or commit a protocol action (minReaderVersion, minWriterVersion)"));
    }

    if (protocol != null) {
      int minReader = protocol.path("minReaderVersion").asInt(1);
      List<String> features = new ArrayList<>();
      protocol.path("readerFeatures").forEach(f -> features.add(f.asText()));
      if (minReader > 3) {
        result.problem(Problem.format("UnsupportedReaderVersion", "the table needs Delta reader version " + minReader + "; this check understands up to 3"));
      }
      List<String> unknown = features.stream().filter(f -> !HONOURED_FEATURES.contains(f)).toList();
      if (!unknown.isEmpty()) {
        result.problem(Problem.format("UnsupportedReaderFeature", "the table needs reader features " + unknown + " that this check does not know"));
      }
      result.delta = new Inspection.Delta(latest, 0, List.of(), minReader, features);
    }
    if (metaData == null) {
      result.problem(Problem.format("MissingMetadata", "no metaData action in the log of " + store.describe(table)
          + ": the table has no schema (Delta's own readers reject it)"));
      return;
    }
    String schemaString = metaData.path("schemaString").asText(null);
    if (schemaString == null || schemaString.isBlank()) {
      result.problem(Problem.format("MissingSchema", "the table's metaData has no schemaString: its columns are unknown"));
      return;
    }
    List<String> columns = new ArrayList<>();
    try {
      JsonNode schema = JSON.readTree(schemaString);
      schema.path("fields").forEach(f -> columns.add(f.path("name").asText()));
    } catch (IOException e) {
      result.problem(Problem.format("MissingSchema", "the table's schemaString is not valid JSON"));
      return;
    }
    List<String> partitions = new ArrayList<>();
    metaData.path("partitionColumns").forEach(p -> partitions.add(p.asText()));
    result.columns = columns;
    int fileCount = (int) Math.min(Integer.MAX_VALUE, replay.files.size() + checkpointFiles);
    result.delta = new Inspection.Delta(latest, fileCount, partitions,
        result.delta == null ? 1 : result.delta.minReaderVersion(), result.delta == null ? List.of() : result.delta.readerFeatures());
    if (rows.unknown != null) {
      result.rowsNote = "rows not counted: " + rows.unknown;
    } else if (rows.withStats == 0 && rows.withoutStats > 0) {
      result.rowsNote = "rows not counted: none of the " + rows.withoutStats + " files carries numRecords statistics";
    } else {
      result.rows = rows.sum;
      if (rows.withoutStats > 0) {
        result.rowsNote = "partial count: " + rows.withoutStats + " of " + (rows.withStats + rows.withoutStats)
            + " files carry no numRecords statistics, so their rows are not counted";
      }
    }
  }

  /**
   * The table's latest version from {@code _last_checkpoint} and one listing, or -1 when it cannot
   * be told cheaply (no log, or a log longer than {@value #LATEST_VERSION_KEYS} keys after the
   * checkpoint): the caller then inspects the table in full, within its budget.
   */
  public static long latestVersion(ObjectStore store, String tablePrefix) {
    String table = tablePrefix.isEmpty() || tablePrefix.endsWith("/") ? tablePrefix : tablePrefix + "/";
    String log = table + "_delta_log/";
    Long hinted = lastCheckpoint(store, log);
    Log listed = list(store, log, hinted == null ? null : log + pad(hinted), LATEST_VERSION_KEYS);
    return listed.truncated ? -1 : listed.latest();
  }

  /** The rows of an add action: its stats' numRecords less its deletion vector's cardinality, or null without stats. */
  private static Long rows(JsonNode add) {
    Long n = numRecords(add.path("stats"));
    return n == null ? null : n - add.path("deletionVector").path("cardinality").asLong(0);
  }

  private static Long numRecords(JsonNode stats) {
    if (stats == null || !stats.isTextual()) {
      return null;
    }
    try {
      JsonNode parsed = JSON.readTree(stats.asText());
      return parsed != null && parsed.has("numRecords") ? parsed.get("numRecords").asLong() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static Long lastCheckpoint(ObjectStore store, String log) {
    try {
      byte[] bytes = store.read(log + "_last_checkpoint", 0, LAST_CHECKPOINT_BYTES);
      JsonNode node = JSON.readTree(bytes);
      if (node != null && node.path("version").canConvertToLong() && node.path("version").asLong() >= 0) {
        return node.path("version").asLong();
      }
    } catch (ObjectStoreException e) {
      if (e.kind() == ObjectStoreException.Kind.TRANSIENT || e.kind() == ObjectStoreException.Kind.ACCESS_DENIED) {
        throw e;
      }
    } catch (IOException e) {
      // Empty or garbage: the listing finds the checkpoints anyway.
    }
    return null;
  }

  private static Log list(ObjectStore store, String log, String startAfter, int maxKeys) {
    ObjectStore.Listing listing = store.list(log, startAfter, maxKeys);
    Log out = new Log();
    out.truncated = listing.truncated();
    out.empty = listing.keys().isEmpty();
    Map<Long, Map<Integer, String>> parts = new HashMap<>();
    Map<Long, Integer> partCounts = new HashMap<>();
    for (ObjectStore.Listed o : listing.keys()) {
      if (!o.key().startsWith(log)) {
        continue;
      }
      out.sizes.put(o.key(), o.size());
      String name = o.key().substring(log.length());
      Matcher m;
      if ((m = COMMIT.matcher(name)).matches()) {
        version(m.group(1)).ifPresent(v -> out.commits.put(v, o.key()));
      } else if ((m = CLASSIC_CHECKPOINT.matcher(name)).matches()) {
        version(m.group(1)).ifPresent(v -> out.checkpoints.put(v, new Checkpoint(v, List.of(o.key()), false)));
      } else if ((m = MULTIPART_CHECKPOINT.matcher(name)).matches()) {
        var v = version(m.group(1));
        var part = version(m.group(2));
        var count = version(m.group(3));
        if (v.isPresent() && part.isPresent() && count.isPresent() && count.get() <= Integer.MAX_VALUE) {
          parts.computeIfAbsent(v.get(), k -> new TreeMap<>()).put(part.get().intValue(), o.key());
          partCounts.put(v.get(), count.get().intValue());
        }
      } else if ((m = V2_CHECKPOINT.matcher(name)).matches()) {
        boolean json = m.group(2).equals("json");
        version(m.group(1)).ifPresent(v -> out.checkpoints.put(v, new Checkpoint(v, List.of(o.key()), json)));
      }
    }
    parts.forEach((v, p) -> {
      if (p.size() == partCounts.get(v)) {
        out.checkpoints.putIfAbsent(v, new Checkpoint(v, List.copyOf(p.values()), false));
      }
    });
    return out;
  }

  /** A version (or part number) from a file name; digits past {@code Long.MAX_VALUE} are not a version. */
  private static java.util.Optional<Long> version(String digits) {
    try {
      return java.util.Optional.of(Long.parseLong(digits));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  /**
   * Reads one commit (or v2 JSON checkpoint) at its listed size and hands each JSON action to
   * {@code apply}, line by line, from the bytes: no copy of the whole commit as text. False, with a
   * problem, when a line is not a JSON action.
   */
  private static boolean replayActions(ObjectStore store, String key, long listedSize, InspectionLimits limits, Inspection result,
      java.util.function.Consumer<JsonNode> apply) {
    if (listedSize > limits.maxSingleRead()) {
      throw new ReadBudgetExceeded(store.describe(key) + " is " + InspectionLimits.mib(listedSize) + ", more than the "
          + InspectionLimits.mib(limits.maxSingleRead()) + " one read may take (derived from the operator's heap)");
    }
    int length = listedSize >= 0 ? (int) listedSize : limits.maxSingleRead();
    byte[] bytes = length == 0 ? new byte[0] : store.read(key, 0, length);
    int lineNo = 0;
    int start = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      lineNo++;
      if (!blank(bytes, start, end)) {
        try {
          JsonNode action = JSON.readTree(bytes, start, end - start);
          if (action != null) {
            apply.accept(action);
          }
        } catch (IOException e) {
          result.problem(Problem.format("CorruptDeltaLog", store.describe(key) + " line " + lineNo + " is not a JSON action"));
          return false;
        }
      }
      start = end + 1;
    }
    return true;
  }

  private static boolean blank(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
        return false;
      }
    }
    return true;
  }

  /** What a checkpoint says; shared read-only once cached (see {@link CheckpointCache}). */
  static final class CheckpointState {
    JsonNode metaData;
    JsonNode protocol;
    long adds;
    /** Paths added or removed after the checkpoint: their checkpoint rows no longer count. */
    Set<String> shadowed = Set.of();
    final Rows rows = new Rows();
    /** Bytes of statistics columns read so far, bounded so counting rows never takes the budget the schema needs. */
    long statsBytes;
  }

  /** The table's row count as it is summed: from numRecords statistics, with what is missing. */
  private static final class Rows {
    long sum;
    long withStats;
    long withoutStats;
    /** Why the rows cannot be counted at all (null: they can). */
    String unknown;
    /** Whether every checkpoint add was matched by path against the paths touched after it. */
    boolean pathsMatched = true;
    long shadowedAdds;

    /** A copy to sum onto: the checkpoint's own count may be cached and shared by later checks. */
    Rows copy() {
      Rows c = new Rows();
      c.sum = sum;
      c.withStats = withStats;
      c.withoutStats = withoutStats;
      c.unknown = unknown;
      c.pathsMatched = pathsMatched;
      c.shadowedAdds = shadowedAdds;
      return c;
    }

    void add(Long rows) {
      if (rows == null) {
        withoutStats++;
      } else {
        sum += rows;
        withStats++;
      }
    }
  }

  /**
   * The chunks of the wanted leaves in one row group of a checkpoint part, each checked to lie in
   * the object, and the byte span one ranged read of them all covers.
   */
  private record RowGroupChunks(Map<ParquetColumnReader.Leaf, ColumnMetaData> chunks, long start, long end) {
    static RowGroupChunks of(FileMetaData footer, List<ParquetColumnReader.Leaf> wanted, int rg, long size) throws IOException {
      long start = Long.MAX_VALUE;
      long end = 0;
      Map<ParquetColumnReader.Leaf, ColumnMetaData> chunks = new LinkedHashMap<>();
      for (ParquetColumnReader.Leaf l : wanted) {
        List<ColumnMetaData> leafChunks = ParquetColumnReader.chunks(footer, l);
        if (leafChunks.size() != footer.getRow_groupsSize()) {
          throw new IOException("column " + String.join(".", l.path()) + " has " + leafChunks.size() + " chunks for "
              + footer.getRow_groupsSize() + " row groups");
        }
        ColumnMetaData c = leafChunks.get(rg);
        checkExtent(c, size);
        chunks.put(l, c);
        start = Math.min(start, ParquetColumnReader.start(c));
        end = Math.max(end, ParquetColumnReader.start(c) + c.getTotal_compressed_size());
      }
      return new RowGroupChunks(chunks, start, end);
    }
  }

  private static CheckpointState readCheckpoint(ObjectStore store, String log, Checkpoint checkpoint, Map<String, Long> sizes, boolean needMetadata,
      Inspection result, InspectionLimits limits, Set<String> shadowed) {
    CheckpointState state = new CheckpointState();
    state.shadowed = shadowed;
    List<String> parquetParts = new ArrayList<>();
    if (checkpoint.v2Json()) {
      String key = checkpoint.keys().get(0);
      boolean ok = replayActions(store, key, sizes.getOrDefault(key, -1L), limits, result, a -> {
        if (a.has("metaData")) {
          state.metaData = a.get("metaData");
        }
        if (a.has("protocol")) {
          state.protocol = a.get("protocol");
        }
        if (a.has("add")) {
          state.adds++;
          if (shadowed.contains(a.get("add").path("path").asText())) {
            state.rows.shadowedAdds++;
          } else {
            state.rows.add(rows(a.get("add")));
          }
        }
        if (a.has("sidecar")) {
          parquetParts.add(log + "_sidecars/" + a.get("sidecar").path("path").asText());
        }
      });
      if (!ok) {
        return null;
      }
      needMetadata = false;
    } else {
      parquetParts.addAll(checkpoint.keys());
    }
    for (String part : parquetParts) {
      try {
        readCheckpointPart(store, part, needMetadata, state, limits);
      } catch (ParquetFooterReader.UnreadableFooter e) {
        result.problem(Problem.format(e.problem().reason().equals(ReadBudgetExceeded.REASON) ? ReadBudgetExceeded.REASON : "CorruptCheckpoint",
            "checkpoint " + store.describe(part) + ": " + e.problem().message()));
        return null;
      } catch (ReadBudgetExceeded e) {
        result.problem(Problem.format(ReadBudgetExceeded.REASON, "checkpoint " + store.describe(part) + ": " + e.getMessage()));
        return null;
      } catch (ParquetColumnReader.UnsupportedCodec e) {
        result.problem(Problem.format("UnsupportedCodec", "checkpoint " + store.describe(part) + " has " + e.getMessage()
            + ": rewrite the checkpoint with Snappy or zstd (Spark and delta-rs default to Snappy)"));
        return null;
      } catch (IOException e) {
        result.problem(Problem.format("CorruptCheckpoint", "checkpoint " + store.describe(part) + " cannot be read: " + e.getMessage()));
        return null;
      } catch (ObjectStoreException e) {
        if (e.kind() != ObjectStoreException.Kind.NOT_FOUND) {
          throw e;
        }
        result.problem(Problem.format("CorruptCheckpoint", "checkpoint " + store.describe(part) + " cannot be read: " + e.getMessage()));
        return null;
      }
      if (state.metaData != null && state.protocol != null) {
        needMetadata = false;
      }
    }
    return state;
  }

  private static void readCheckpointPart(ObjectStore store, String key, boolean needMetadata, CheckpointState state, InspectionLimits limits)
      throws ParquetFooterReader.UnreadableFooter, IOException {
    // The suffix GET's answer gives the part's total size too: no HEAD.
    ObjectStore.Chunk suffix = store.readSuffixWithInfo(key, ParquetFooterReader.SUFFIX);
    byte[] tail = suffix.bytes();
    long size = tail.length < ParquetFooterReader.SUFFIX ? tail.length : suffix.info().size();
    FileMetaData footer = ParquetFooterReader.read(store, key, tail, size, limits).metadata();
    ParquetColumnReader.Leaf addPath = ParquetColumnReader.leaf(footer, List.of("add", "path"), null);
    long addsBefore = state.adds;
    if (addPath != null) {
      for (ColumnMetaData chunk : ParquetColumnReader.chunks(footer, addPath)) {
        if (chunk.isSetStatistics() && chunk.getStatistics().isSetNull_count()) {
          state.adds += Math.max(0, chunk.getNum_values() - chunk.getStatistics().getNull_count());
        } else {
          state.adds += ParquetColumnReader.countPresent(readChunk(store, key, size, chunk), chunk, addPath, limits);
        }
      }
    }
    if (needMetadata) {
      readMetadataColumns(store, key, size, footer, state, limits);
    }
    countRows(store, key, size, footer, state, state.adds - addsBefore, limits);
  }

  /** The metaData and protocol of a checkpoint part: one ranged read of their column chunks per row group. */
  private static void readMetadataColumns(ObjectStore store, String key, long size, FileMetaData footer, CheckpointState state,
      InspectionLimits limits) throws IOException {
    ParquetColumnReader.Leaf schema = ParquetColumnReader.leaf(footer, List.of("metaData", "schemaString"), null);
    ParquetColumnReader.Leaf metaId = ParquetColumnReader.leaf(footer, List.of("metaData", "id"), null);
    ParquetColumnReader.Leaf partitions = ParquetColumnReader.leaf(footer, List.of("metaData", "partitionColumns"), null);
    ParquetColumnReader.Leaf minReader = ParquetColumnReader.leaf(footer, List.of("protocol", "minReaderVersion"), null);
    ParquetColumnReader.Leaf readerFeatures = ParquetColumnReader.leaf(footer, List.of("protocol", "readerFeatures"), null);
    List<ParquetColumnReader.Leaf> wanted = new ArrayList<>();
    for (ParquetColumnReader.Leaf l : new ParquetColumnReader.Leaf[] {schema, metaId, partitions, minReader, readerFeatures}) {
      if (l != null) {
        wanted.add(l);
      }
    }
    for (int rg = 0; rg < footer.getRow_groupsSize(); rg++) {
      // One ranged read spanning the wanted chunks of this row group.
      RowGroupChunks group = RowGroupChunks.of(footer, wanted, rg, size);
      Map<ParquetColumnReader.Leaf, ColumnMetaData> chunks = group.chunks();
      long start = group.start();
      long end = group.end();
      if (chunks.isEmpty()) {
        continue;
      }
      byte[] span = read(store, key, start, end - start, limits);
      Map<ParquetColumnReader.Leaf, List<Object>> values = new HashMap<>();
      for (Map.Entry<ParquetColumnReader.Leaf, ColumnMetaData> e : chunks.entrySet()) {
        int from = (int) (ParquetColumnReader.start(e.getValue()) - start);
        int length = (int) e.getValue().getTotal_compressed_size();
        if (from < 0 || from + length > span.length) {
          throw new IOException("a column chunk lies outside the object");
        }
        values.put(e.getKey(), ParquetColumnReader.values(java.util.Arrays.copyOfRange(span, from, from + length), e.getValue(), e.getKey(), limits));
      }
      boolean hasMeta = (metaId != null && !values.getOrDefault(metaId, List.of()).isEmpty())
          || (schema != null && !values.getOrDefault(schema, List.of()).isEmpty());
      if (hasMeta && state.metaData == null) {
        var node = JSON.createObjectNode();
        if (schema != null) {
          values.get(schema).stream().findFirst().ifPresent(v -> node.put("schemaString", String.valueOf(v)));
        }
        var array = node.putArray("partitionColumns");
        if (partitions != null) {
          values.get(partitions).forEach(v -> array.add(String.valueOf(v)));
        }
        state.metaData = node;
      }
      if (minReader != null && state.protocol == null) {
        Object v = values.get(minReader).stream().findFirst().orElse(null);
        if (v instanceof Number number) {
          var node = JSON.createObjectNode().put("minReaderVersion", number.intValue());
          var features = node.putArray("readerFeatures");
          if (readerFeatures != null) {
            values.get(readerFeatures).forEach(x -> features.add(String.valueOf(x)));
          }
          state.protocol = node;
        } else if (v != null) {
          throw new IOException("protocol.minReaderVersion is not an integer column");
        }
      }
    }
  }

  /**
   * Adds this part's rows to {@code state.rows}: per add action, {@code stats_parsed.numRecords}
   * (or the {@code numRecords} of the {@code stats} JSON) less {@code deletionVector.cardinality};
   * adds whose path was touched after the checkpoint are left out (and counted, which makes the
   * file count exact). One ranged read of those column chunks per row group, within a quarter of
   * one read's cap over all parts: a count is never worth the budget the schema needs. A codec this
   * reader lacks, or statistics too large to read, leave the rows unknown (said why), not the table
   * unusable.
   */
  private static void countRows(ObjectStore store, String key, long size, FileMetaData footer, CheckpointState state, long partAdds,
      InspectionLimits limits) throws IOException {
    Rows rows = state.rows;
    ParquetColumnReader.Leaf path = ParquetColumnReader.leaf(footer, List.of("add", "path"), null);
    if (path == null || rows.unknown != null) {
      return;
    }
    ParquetColumnReader.Leaf parsed = ParquetColumnReader.leaf(footer, List.of("add", "stats_parsed", "numRecords"), null);
    ParquetColumnReader.Leaf numbers = parsed != null ? parsed : ParquetColumnReader.leaf(footer, List.of("add", "stats"), null);
    ParquetColumnReader.Leaf cardinality = ParquetColumnReader.leaf(footer, List.of("add", "deletionVector", "cardinality"), null);
    if (numbers == null) {
      // No statistics column at all: no add of this part has stats (and none was matched by path).
      rows.withoutStats += partAdds;
      rows.pathsMatched &= state.shadowed.isEmpty();
      return;
    }
    int addLevel = ParquetColumnReader.definitionLevel(footer, List.of("add"));
    List<ParquetColumnReader.Leaf> wanted = new ArrayList<>();
    if (!state.shadowed.isEmpty()) {
      wanted.add(path);
    }
    wanted.add(numbers);
    if (cardinality != null) {
      wanted.add(cardinality);
    }
    for (int rg = 0; rg < footer.getRow_groupsSize(); rg++) {
      RowGroupChunks group = RowGroupChunks.of(footer, wanted, rg, size);
      Map<ParquetColumnReader.Leaf, ColumnMetaData> chunks = group.chunks();
      long start = group.start();
      long end = group.end();
      Map<ParquetColumnReader.Leaf, byte[]> bytes = new HashMap<>();
      if (!chunks.isEmpty()) {
        state.statsBytes += end - start;
        if (state.statsBytes > limits.maxSingleRead() / 4) {
          rows.unknown = "the checkpoint's add statistics take more than " + InspectionLimits.mib(limits.maxSingleRead() / 4)
              + ", the share of one check's reads a row count may take (derived from the operator's heap)";
          rows.pathsMatched = false;
          return;
        }
        byte[] span = store.read(key, start, (int) (end - start));
        for (Map.Entry<ParquetColumnReader.Leaf, ColumnMetaData> e : chunks.entrySet()) {
          int from = (int) (ParquetColumnReader.start(e.getValue()) - start);
          int length = (int) e.getValue().getTotal_compressed_size();
          if (from < 0 || from + length > span.length) {
            throw new IOException("a column chunk lies outside the object");
          }
          bytes.put(e.getKey(), java.util.Arrays.copyOfRange(span, from, from + length));
        }
      }
      // Row k of the adds in this row group: which were shadowed, then what each of the others holds.
      Set<Long> skipped = new java.util.HashSet<>();
      long[] k = {0};
      try {
        if (bytes.containsKey(path)) {
          ParquetColumnReader.rows(bytes.get(path), chunks.get(path), path, limits, (def, value) -> {
            if (def >= addLevel) {
              if (value != null && state.shadowed.contains(value.toString())) {
                skipped.add(k[0]);
                rows.shadowedAdds++;
              }
              k[0]++;
            }
          });
        }
        k[0] = 0;
        long[] cardinalities = {0};
        ParquetColumnReader.rows(bytes.get(numbers), chunks.get(numbers), numbers, limits, (def, value) -> {
          if (def >= addLevel) {
            if (!skipped.contains(k[0])) {
              rows.add(value instanceof Number n ? Long.valueOf(n.longValue())
                  : value == null ? null : numRecords(JSON.getNodeFactory().textNode(value.toString())));
            }
            k[0]++;
          }
        });
        if (cardinality != null) {
          k[0] = 0;
          ParquetColumnReader.rows(bytes.get(cardinality), chunks.get(cardinality), cardinality, limits, (def, value) -> {
            if (def >= addLevel) {
              if (!skipped.contains(k[0]) && value instanceof Number n) {
                cardinalities[0] += n.longValue();
              }
              k[0]++;
            }
          });
          rows.sum -= cardinalities[0];
        }
      } catch (ParquetColumnReader.UnsupportedCodec e) {
        rows.unknown = "the checkpoint's add statistics are in " + e.getMessage();
        rows.pathsMatched = false;
        return;
      } catch (ReadBudgetExceeded e) {
        rows.unknown = e.getMessage();
        rows.pathsMatched = false;
        return;
      }
    }
  }

  /** A chunk's offsets and size must lie inside the object before they size a read. */
  private static void checkExtent(ColumnMetaData chunk, long objectSize) throws IOException {
    long start = ParquetColumnReader.start(chunk);
    long length = chunk.getTotal_compressed_size();
    if (start < 0 || length < 0 || start > objectSize || length > objectSize - start) {
      throw new IOException("a column chunk claims bytes " + start + "+" + length + " of an object of " + objectSize);
    }
  }

  private static byte[] readChunk(ObjectStore store, String key, long objectSize, ColumnMetaData chunk) throws IOException {
    checkExtent(chunk, objectSize);
    return store.read(key, ParquetColumnReader.start(chunk), (int) Math.min(Integer.MAX_VALUE, chunk.getTotal_compressed_size()));
  }

  private static byte[] read(ObjectStore store, String key, long start, long length, InspectionLimits limits) {
    if (length > limits.maxSingleRead()) {
      throw new ReadBudgetExceeded("the metaData and protocol columns span " + InspectionLimits.mib(length) + ", more than the "
          + InspectionLimits.mib(limits.maxSingleRead()) + " one read may take (derived from the operator's heap)");
    }
    return store.read(key, start, (int) length);
  }

  static String pad(long version) {
    return String.format("%020d", version);
  }
}
