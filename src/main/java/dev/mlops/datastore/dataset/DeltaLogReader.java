package dev.mlops.datastore.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 */
public final class DeltaLogReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern COMMIT = Pattern.compile("^(\\d{20})\\.json$");
  private static final Pattern CLASSIC_CHECKPOINT = Pattern.compile("^(\\d{20})\\.checkpoint\\.parquet$");
  private static final Pattern MULTIPART_CHECKPOINT = Pattern.compile("^(\\d{20})\\.checkpoint\\.(\\d{10})\\.(\\d{10})\\.parquet$");
  private static final Pattern V2_CHECKPOINT = Pattern.compile("^(\\d{20})\\.checkpoint\\.[0-9a-fA-F-]{36}\\.(json|parquet)$");
  private static final int MAX_COMMIT_BYTES = 16 * 1024 * 1024;
  /** Reader features that do not change what this check reads (schema, files, partitions). */
  static final Set<String> HONOURED_FEATURES =
      Set.of("columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint", "vacuumProtocolCheck", "typeWidening",
          "typeWidening-preview", "variantType", "variantType-preview", "icebergCompatV1", "icebergCompatV2", "domainMetadata",
          "checkpointProtection", "inCommitTimestamp", "rowTracking", "clustering", "appendOnly", "invariants", "checkConstraints",
          "changeDataFeed", "generatedColumns", "allowColumnDefaults", "identityColumns");

  private DeltaLogReader() {}

  /** A checkpoint: its version and the keys that make it up. */
  private record Checkpoint(long version, List<String> keys, boolean v2Json) {}

  public static void read(ObjectStore store, String tablePrefix, Inspection result) {
    String table = tablePrefix.isEmpty() || tablePrefix.endsWith("/") ? tablePrefix : tablePrefix + "/";
    String log = table + "_delta_log/";
    result.format = DataFormat.DELTA_TABLE;

    Long hinted = lastCheckpoint(store, log);
    List<ObjectStore.Listed> listing = store.list(log, hinted == null ? null : log + pad(hinted));
    TreeMap<Long, String> commits = new TreeMap<>();
    TreeMap<Long, Checkpoint> checkpoints = new TreeMap<>();
    classify(listing, log, commits, checkpoints);
    if (hinted != null && !checkpoints.containsKey(hinted)) {
      // _last_checkpoint points at a checkpoint that is not there (stale, or half written): list it all.
      listing = store.list(log, null);
      commits.clear();
      checkpoints.clear();
      classify(listing, log, commits, checkpoints);
    }
    if (listing.isEmpty()) {
      result.problem(Problem.format("NotADeltaTable", store.describe(table) + " has no _delta_log/: it is not a Delta table (or the path is not the table's folder)"));
      return;
    }
    if (commits.isEmpty() && checkpoints.isEmpty()) {
      result.problem(Problem.format("NotADeltaTable", store.describe(log) + " holds no commit and no checkpoint"));
      return;
    }
    long latest = Math.max(commits.isEmpty() ? -1 : commits.lastKey(), checkpoints.isEmpty() ? -1 : checkpoints.lastKey());
    Checkpoint checkpoint = checkpoints.isEmpty() ? null : checkpoints.floorEntry(latest).getValue();
    long from = checkpoint == null ? 0 : checkpoint.version() + 1;
    for (long v = from; v <= latest; v++) {
      if (!commits.containsKey(v)) {
        result.problem(Problem.format("DeltaLogGap", "commit " + v + " is missing from " + store.describe(log) + " (versions must be contiguous"
            + (checkpoint == null ? " from 0 when there is no checkpoint" : " after checkpoint " + checkpoint.version()) + ")"));
        return;
      }
    }

    JsonNode metaData = null;
    JsonNode protocol = null;
    Map<String, Long> files = new LinkedHashMap<>();
    Set<String> removed = new LinkedHashSet<>();
    List<Map.Entry<Long, JsonNode>> actions = new ArrayList<>();
    for (long v = from; v <= latest; v++) {
      for (JsonNode action : commitActions(store, commits.get(v), result)) {
        actions.add(Map.entry(v, action));
      }
      if (result.has(Problem.Link.FORMAT)) {
        return;
      }
    }
    for (Map.Entry<Long, JsonNode> e : actions) {
      JsonNode a = e.getValue();
      if (a.has("metaData")) {
        metaData = a.get("metaData");
      }
      if (a.has("protocol")) {
        protocol = a.get("protocol");
      }
      if (a.has("add")) {
        String path = a.get("add").path("path").asText();
        files.put(path, numRecords(a.get("add").path("stats")));
        removed.remove(path);
      }
      if (a.has("remove")) {
        String path = a.get("remove").path("path").asText();
        if (files.remove(path) == null) {
          removed.add(path);
        }
      }
    }

    long checkpointFiles = 0;
    boolean rowsKnown = checkpoint == null;
    if (checkpoint != null) {
      CheckpointState state = readCheckpoint(store, log, checkpoint, metaData == null || protocol == null, result);
      if (state == null) {
        return;
      }
      if (metaData == null) {
        metaData = state.metaData;
      }
      if (protocol == null) {
        protocol = state.protocol;
      }
      checkpointFiles = Math.max(0, state.adds - removed.size());
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
    int fileCount = (int) Math.min(Integer.MAX_VALUE, files.size() + checkpointFiles);
    result.delta = new Inspection.Delta(latest, fileCount, partitions,
        result.delta == null ? 1 : result.delta.minReaderVersion(), result.delta == null ? List.of() : result.delta.readerFeatures());
    if (rowsKnown && !files.isEmpty() && files.values().stream().allMatch(r -> r != null)) {
      result.rows = files.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** The table's latest version from {@code _last_checkpoint} and one listing, or -1. */
  public static long latestVersion(ObjectStore store, String tablePrefix) {
    String table = tablePrefix.isEmpty() || tablePrefix.endsWith("/") ? tablePrefix : tablePrefix + "/";
    String log = table + "_delta_log/";
    Long hinted = lastCheckpoint(store, log);
    TreeMap<Long, String> commits = new TreeMap<>();
    TreeMap<Long, Checkpoint> checkpoints = new TreeMap<>();
    classify(store.list(log, hinted == null ? null : log + pad(hinted)), log, commits, checkpoints);
    return Math.max(commits.isEmpty() ? -1 : commits.lastKey(), checkpoints.isEmpty() ? -1 : checkpoints.lastKey());
  }

  private static Long numRecords(JsonNode stats) {
    if (stats == null || !stats.isTextual()) {
      return null;
    }
    try {
      JsonNode parsed = JSON.readTree(stats.asText());
      return parsed.has("numRecords") ? parsed.get("numRecords").asLong() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static Long lastCheckpoint(ObjectStore store, String log) {
    try {
      byte[] bytes = store.read(log + "_last_checkpoint", 0, 64 * 1024);
      JsonNode node = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
      if (node != null && node.path("version").canConvertToLong() && node.path("version").asLong() >= 0) {
        return node.path("version").asLong();
      }
    } catch (ObjectStoreException e) {
      if (e.kind() == ObjectStoreException.Kind.TRANSIENT || e.kind() == ObjectStoreException.Kind.ACCESS_DENIED) {
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      // Empty or garbage: the listing finds the checkpoints anyway.
    }
    return null;
  }

  private static void classify(List<ObjectStore.Listed> listing, String log, TreeMap<Long, String> commits, TreeMap<Long, Checkpoint> checkpoints) {
    Map<Long, Map<Integer, String>> parts = new HashMap<>();
    Map<Long, Integer> partCounts = new HashMap<>();
    for (ObjectStore.Listed o : listing) {
      if (!o.key().startsWith(log)) {
        continue;
      }
      String name = o.key().substring(log.length());
      Matcher m;
      if ((m = COMMIT.matcher(name)).matches()) {
        commits.put(Long.parseLong(m.group(1)), o.key());
      } else if ((m = CLASSIC_CHECKPOINT.matcher(name)).matches()) {
        checkpoints.put(Long.parseLong(m.group(1)), new Checkpoint(Long.parseLong(m.group(1)), List.of(o.key()), false));
      } else if ((m = MULTIPART_CHECKPOINT.matcher(name)).matches()) {
        long v = Long.parseLong(m.group(1));
        parts.computeIfAbsent(v, k -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), o.key());
        partCounts.put(v, Integer.parseInt(m.group(3)));
      } else if ((m = V2_CHECKPOINT.matcher(name)).matches()) {
        long v = Long.parseLong(m.group(1));
        checkpoints.put(v, new Checkpoint(v, List.of(o.key()), m.group(2).equals("json")));
      }
    }
    parts.forEach((v, p) -> {
      if (p.size() == partCounts.get(v)) {
        checkpoints.putIfAbsent(v, new Checkpoint(v, List.copyOf(p.values()), false));
      }
    });
  }

  private static List<JsonNode> commitActions(ObjectStore store, String key, Inspection result) {
    byte[] bytes = store.read(key, 0, MAX_COMMIT_BYTES);
    List<JsonNode> actions = new ArrayList<>();
    int lineNo = 0;
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      try {
        actions.add(JSON.readTree(line));
      } catch (IOException e) {
        result.problem(Problem.format("CorruptDeltaLog", store.describe(key) + " line " + lineNo + " is not a JSON action"));
        return List.of();
      }
    }
    return actions;
  }

  private static final class CheckpointState {
    JsonNode metaData;
    JsonNode protocol;
    long adds;
  }

  private static CheckpointState readCheckpoint(ObjectStore store, String log, Checkpoint checkpoint, boolean needMetadata, Inspection result) {
    CheckpointState state = new CheckpointState();
    List<String> parquetParts = new ArrayList<>();
    if (checkpoint.v2Json()) {
      for (JsonNode a : commitActions(store, checkpoint.keys().get(0), result)) {
        if (a.has("metaData")) {
          state.metaData = a.get("metaData");
        }
        if (a.has("protocol")) {
          state.protocol = a.get("protocol");
        }
        if (a.has("add")) {
          state.adds++;
        }
        if (a.has("sidecar")) {
          parquetParts.add(log + "_sidecars/" + a.get("sidecar").path("path").asText());
        }
      }
      needMetadata = false;
    } else {
      parquetParts.addAll(checkpoint.keys());
    }
    for (String part : parquetParts) {
      try {
        readCheckpointPart(store, part, needMetadata, state);
      } catch (ParquetFooterReader.UnreadableFooter e) {
        result.problem(Problem.format("CorruptCheckpoint", "checkpoint " + store.describe(part) + ": " + e.problem().message()));
        return null;
      } catch (IOException | RuntimeException e) {
        if (e instanceof ObjectStoreException o && o.kind() != ObjectStoreException.Kind.NOT_FOUND) {
          throw o;
        }
        result.problem(Problem.format("CorruptCheckpoint", "checkpoint " + store.describe(part) + " cannot be read (" + e.getClass().getSimpleName() + ")"));
        return null;
      }
      if (state.metaData != null && state.protocol != null) {
        needMetadata = false;
      }
    }
    return state;
  }

  private static void readCheckpointPart(ObjectStore store, String key, boolean needMetadata, CheckpointState state)
      throws ParquetFooterReader.UnreadableFooter, IOException {
    byte[] tail = store.readSuffix(key, ParquetFooterReader.SUFFIX);
    long size = tail.length < ParquetFooterReader.SUFFIX ? tail.length : store.head(key).size();
    FileMetaData footer = ParquetFooterReader.read(store, key, tail, size).metadata();
    ParquetColumnReader.Leaf addPath = ParquetColumnReader.leaf(footer, List.of("add", "path"), null);
    if (addPath != null) {
      for (ColumnMetaData chunk : ParquetColumnReader.chunks(footer, addPath)) {
        if (chunk.isSetStatistics() && chunk.getStatistics().isSetNull_count()) {
          state.adds += chunk.getNum_values() - chunk.getStatistics().getNull_count();
        } else {
          state.adds += readChunk(store, key, chunk, addPath).stream().filter(v -> v != null).count();
        }
      }
    }
    if (!needMetadata) {
      return;
    }
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
      long start = Long.MAX_VALUE;
      long end = 0;
      Map<ParquetColumnReader.Leaf, ColumnMetaData> chunks = new LinkedHashMap<>();
      for (ParquetColumnReader.Leaf l : wanted) {
        ColumnMetaData c = ParquetColumnReader.chunks(footer, l).get(rg);
        chunks.put(l, c);
        start = Math.min(start, ParquetColumnReader.start(c));
        end = Math.max(end, ParquetColumnReader.start(c) + c.getTotal_compressed_size());
      }
      if (chunks.isEmpty() || end - start > 256L * 1024 * 1024) {
        continue;
      }
      byte[] span = store.read(key, start, (int) (end - start));
      Map<ParquetColumnReader.Leaf, List<Object>> values = new HashMap<>();
      for (Map.Entry<ParquetColumnReader.Leaf, ColumnMetaData> e : chunks.entrySet()) {
        int from = (int) (ParquetColumnReader.start(e.getValue()) - start);
        int length = (int) e.getValue().getTotal_compressed_size();
        if (from < 0 || from + length > span.length) {
          throw new IOException("a column chunk lies outside the object");
        }
        values.put(e.getKey(), ParquetColumnReader.values(java.util.Arrays.copyOfRange(span, from, from + length), e.getValue(), e.getKey()));
      }
      boolean hasMeta = (metaId != null && values.getOrDefault(metaId, List.of()).stream().anyMatch(v -> v != null))
          || (schema != null && values.getOrDefault(schema, List.of()).stream().anyMatch(v -> v != null));
      if (hasMeta && state.metaData == null) {
        var node = JSON.createObjectNode();
        if (schema != null) {
          values.get(schema).stream().filter(v -> v != null).findFirst().ifPresent(v -> node.put("schemaString", (String) v));
        }
        var array = node.putArray("partitionColumns");
        if (partitions != null) {
          values.get(partitions).stream().filter(v -> v != null).forEach(v -> array.add(String.valueOf(v)));
        }
        state.metaData = node;
      }
      if (minReader != null && state.protocol == null) {
        Object v = values.get(minReader).stream().filter(x -> x != null).findFirst().orElse(null);
        if (v != null) {
          var node = JSON.createObjectNode().put("minReaderVersion", ((Number) v).intValue());
          var features = node.putArray("readerFeatures");
          if (readerFeatures != null) {
            values.get(readerFeatures).stream().filter(x -> x != null).forEach(x -> features.add(String.valueOf(x)));
          }
          state.protocol = node;
        }
      }
    }
  }

  private static List<Object> readChunk(ObjectStore store, String key, ColumnMetaData chunk, ParquetColumnReader.Leaf leaf) throws IOException {
    long size = chunk.getTotal_compressed_size();
    if (size > 256L * 1024 * 1024) {
      throw new IOException("column chunk too large");
    }
    return ParquetColumnReader.values(store.read(key, ParquetColumnReader.start(chunk), (int) size), chunk, leaf);
  }

  static String pad(long version) {
    return String.format("%020d", version);
  }
}
