package dev.mlops.datastore.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Readers over the real files of shared/data and text cases written here. */
class DatasetInspectorTest {
  static final Path DATA = Path.of("src", "test", "resources", "data");
  static final DatasetInspector INSPECTOR = new DatasetInspector(InspectionLimits.forThisJvm());

  private static Inspection file(Path path, Map<String, String> params) {
    return INSPECTOR.inspect(new LocalObjectStore(path.getParent()), path.getFileName().toString(), false, params);
  }

  private static Inspection text(String name, byte[] bytes, Map<String, String> params) {
    return INSPECTOR.inspect(new MemoryObjectStore().put(name, bytes), name, false, params);
  }

  private static Inspection text(String name, String content) {
    return text(name, content.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  private static List<String> reasons(Inspection i) {
    return i.problems().stream().map(Problem::reason).toList();
  }

  @Nested
  class Parquet {
    @ParameterizedTest
    @CsvSource({
      "alltypes_plain.parquet, 11, 8, id, timestamp_col",
      "alltypes_plain.snappy.parquet, 11, 2, id, timestamp_col",
      "alltypes_dictionary.parquet, 11, 2, id, timestamp_col",
      "datapage_v2.snappy.parquet, 5, 5, a, e",
      "byte_stream_split.zstd.parquet, 2, 300, f32, f64",
      "nulls.snappy.parquet, 1, 8, b_struct, b_struct",
      "list_columns.parquet, 2, 3, int64_list, utf8_list",
      "encrypt_columns_plaintext_footer.parquet.encrypted, 8, 50, boolean_field, flba_field"
    })
    void shouldReadColumnsAndRowsFromTheFooterInOneGet(String name, int columns, long rows, String first, String last) {
      Inspection i = file(DATA.resolve("parquet").resolve(name), Map.of());

      assertThat(i.problems()).isEmpty();
      assertThat(i.format()).isEqualTo(DataFormat.PARQUET);
      assertThat(i.columns()).hasSize(columns).startsWith(first).endsWith(last);
      assertThat(i.rows()).isEqualTo(rows);
      assertThat(i.requests()).isEqualTo(1); // one ranged read, whose answer also gives size and ETag
    }

    @Test
    void shouldNameTopLevelFieldsOfNestedStructs() {
      Inspection i = file(DATA.resolve("parquet/nested_structs.rust.parquet"), Map.of());

      assertThat(i.problems()).isEmpty();
      assertThat(i.columns()).contains("roll_num", "PC_CUR").doesNotHaveDuplicates();
    }

    @Test
    void shouldReportAnEncryptedFooterAsEncryptedNotCorrupt() {
      Inspection i = file(DATA.resolve("parquet/uniform_encryption.parquet.encrypted"), Map.of());

      assertThat(reasons(i)).containsExactly("EncryptedFooter");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad_PARQUET-1481.parquet", "bad_ARROW-GH-41321.parquet"})
    void shouldAnswerMalformedFilesWithAReasonOrTheirSchema(String name) {
      Inspection i = file(DATA.resolve("parquet").resolve(name), Map.of());

      assertThat(i.format()).isEqualTo(DataFormat.PARQUET);
      assertThat(reasons(i)).doesNotContain("Unreadable");
      if (!i.problems().isEmpty()) {
        assertThat(reasons(i)).containsExactly("CorruptParquet");
      }
    }

    @Test
    void shouldReadALargeFooterWithOneMoreRead() throws IOException {
      byte[] file = Files.readAllBytes(DATA.resolve("parquet/nested_structs.rust.parquet"));
      byte[] padded = new byte[file.length + 200_000];
      // A large file whose footer still ends it: the footer is read from its own offset.
      System.arraycopy(file, 0, padded, 0, 4);
      System.arraycopy(file, 0, padded, padded.length - file.length, file.length);
      Inspection i = text("big.parquet", padded, Map.of());

      assertThat(i.problems()).isEmpty();
      assertThat(i.requests()).isLessThanOrEqualTo(3);
    }
  }

  @Nested
  class DeltaTables {
    /** The truth, by replaying every JSON commit: independent of checkpoints. */
    private Map<String, Object> replay(Path table) throws IOException {
      ObjectMapper json = new ObjectMapper();
      Map<String, Long> files = new java.util.HashMap<>();
      JsonNode meta = null;
      long version = -1;
      try (Stream<Path> s = Files.list(table.resolve("_delta_log"))) {
        for (Path p : s.filter(p -> p.getFileName().toString().matches("\\d{20}\\.json")).sorted().toList()) {
          version = Long.parseLong(p.getFileName().toString().substring(0, 20));
          for (String line : Files.readAllLines(p)) {
            if (line.isBlank()) {
              continue;
            }
            JsonNode a = json.readTree(line);
            if (a.has("add")) {
              JsonNode stats = a.get("add").has("stats") ? json.readTree(a.get("add").get("stats").asText()) : null;
              files.put(a.get("add").get("path").asText(), stats != null && stats.has("numRecords") ? stats.get("numRecords").asLong() : -1L);
            }
            if (a.has("remove")) {
              files.remove(a.get("remove").get("path").asText());
            }
            if (a.has("metaData")) {
              meta = a.get("metaData");
            }
          }
        }
      }
      List<String> columns = new ArrayList<>();
      json.readTree(meta.get("schemaString").asText()).get("fields").forEach(f -> columns.add(f.get("name").asText()));
      List<String> partitions = new ArrayList<>();
      meta.get("partitionColumns").forEach(p -> partitions.add(p.asText()));
      long rows = files.values().stream().filter(r -> r >= 0).mapToLong(Long::longValue).sum();
      boolean partial = files.values().stream().anyMatch(r -> r < 0);
      return Map.of("version", version, "files", files.size(), "columns", columns, "partitions", partitions, "rows", rows, "partial", partial);
    }

    @ParameterizedTest
    @ValueSource(strings = {"basic-with-inserts-deletes-checkpoint", "multi-part-checkpoint", "only-checkpoint-files",
        "v2-checkpoint-json", "snapshot-data0", "data-reader-partition-values", "table-with-columnmapping-mode-name"})
    void shouldAgreeWithAReplayOfEveryCommit(String name) throws IOException {
      Path table = DATA.resolve("delta").resolve(name);
      Map<String, Object> truth = replay(table);

      Inspection i = INSPECTOR.inspect(new LocalObjectStore(table), "", true, Map.of());

      assertThat(i.problems()).isEmpty();
      assertThat(i.format()).isEqualTo(DataFormat.DELTA_TABLE);
      assertThat(i.delta().version()).isEqualTo(truth.get("version"));
      assertThat(i.delta().files()).isEqualTo(truth.get("files"));
      assertThat(i.columns()).isEqualTo(truth.get("columns"));
      assertThat(i.delta().partitionColumns()).isEqualTo(truth.get("partitions"));
      // Rows from the checkpoint's add statistics and the commits after it, as a replay of every commit counts them.
      if ((Boolean) truth.get("partial") && (Long) truth.get("rows") == 0) {
        assertThat(i.rows()).isNull();
        assertThat(i.rowsNote()).startsWith("rows not counted: none of the");
      } else if ((Boolean) truth.get("partial")) {
        assertThat(i.rows()).isEqualTo(truth.get("rows"));
        assertThat(i.rowsNote()).contains("partial count").contains("no numRecords statistics");
      } else {
        assertThat(i.rows()).isEqualTo(truth.get("rows"));
        assertThat(i.rowsNote()).isNull();
      }
    }

    @Test
    void shouldReadTheCheckpointWhenTheCommitsAfterItHoldNoMetadata() {
      Inspection i = INSPECTOR.inspect(new LocalObjectStore(DATA.resolve("delta/basic-with-inserts-deletes-checkpoint")), "", true, Map.of());

      // _last_checkpoint, one listing from checkpoint 10, commits 11-13, the checkpoint's footer, one ranged read of the
      // metaData and protocol chunks and one of the add statistics (for the row count).
      assertThat(i.requests()).isLessThanOrEqualTo(8);
    }

    @Test
    void shouldReportColumnMappingByLogicalNamesAndTheReaderVersion() {
      Inspection i = INSPECTOR.inspect(new LocalObjectStore(DATA.resolve("delta/table-with-columnmapping-mode-name")), "", true, Map.of());

      assertThat(i.columns()).contains("ByteType", "nested_struct");
      assertThat(i.delta().minReaderVersion()).isEqualTo(2);
    }

    @Test
    void shouldRejectATableWithoutSchema() {
      Inspection i = INSPECTOR.inspect(new LocalObjectStore(DATA.resolve("delta/corrupted-last-checkpoint")), "", true, Map.of());

      assertThat(reasons(i)).containsExactly("MissingSchema");
    }

    @Test
    void shouldSayAFolderWithoutLogIsNotADeltaTable() {
      Inspection i = INSPECTOR.inspect(new LocalObjectStore(DATA.resolve("delta/no-delta-log-folder")), "", true, Map.of());

      assertThat(reasons(i)).containsExactly("NotADeltaTable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json at all", "{\"version\": 999}", "{\"version\": 3}"})
    void shouldTolerateAnEmptyGarbageOrStaleLastCheckpoint(String content, @TempDir Path dir) throws IOException {
      Path table = copy(DATA.resolve("delta/basic-with-inserts-deletes-checkpoint"), dir);
      Files.writeString(table.resolve("_delta_log/_last_checkpoint"), content);

      Inspection i = INSPECTOR.inspect(new LocalObjectStore(table), "", true, Map.of());

      assertThat(i.problems()).isEmpty();
      assertThat(i.delta().version()).isEqualTo(13);
      assertThat(i.delta().files()).isEqualTo(7);
    }

    @Test
    void shouldReportAGapInTheVersions(@TempDir Path dir) throws IOException {
      Path table = copy(DATA.resolve("delta/basic-with-inserts-deletes-checkpoint"), dir);
      Files.delete(table.resolve("_delta_log/00000000000000000012.json"));

      Inspection i = INSPECTOR.inspect(new LocalObjectStore(table), "", true, Map.of());

      assertThat(reasons(i)).containsExactly("DeltaLogGap");
      assertThat(i.problems().get(0).message()).contains("commit 12");
    }

    private Path copy(Path from, Path to) throws IOException {
      try (Stream<Path> files = Files.walk(from)) {
        for (Path p : files.toList()) {
          Path target = to.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(target);
          } else {
            Files.copy(p, target);
          }
        }
      }
      return to;
    }
  }

  @Nested
  class Text {
    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
      "id,amount,label\\n1,2,0\\n",
      "id,amount,label\\r\\n1,2,0\\r\\n",
      "id,amount,label\\r1,2,0\\r",
      "id;amount;label\\n1;2,5;0\\n",
      "id\\tamount\\tlabel\\n1\\t2\\t0\\n",
      "id|amount|label\\n1|2|0\\n",
      "\"id\",\"amount\",\"label\"\\n1,2,0\\n",
      "id,amount,label"
    })
    void shouldReadTheHeaderWhateverTheLineEndsAndDelimiter(String escaped) {
      String content = escaped.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t");

      Inspection i = text("data.csv", content);

      assertThat(i.problems()).isEmpty();
      assertThat(i.format()).isEqualTo(DataFormat.CSV);
      assertThat(i.columns()).containsExactly("id", "amount", "label");
    }

    @Test
    void shouldReadAOneColumnCsvWhoseHeaderIsANameOverRows() {
      Inspection i = text("ids.csv", "customer_id\n17\n42\n");

      assertThat(i.problems()).isEmpty();
      assertThat(i.columns()).containsExactly("customer_id");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {"DB_PASSWORD=hunter2-prod\\nAPI_URL=https://x\\n", "hunter2 is the password\\n", "hunter2"})
    void shouldReportASingleFieldHeaderAsNotTabularWithoutEchoingIt(String escaped) {
      Inspection i = text("prod.csv", escaped.replace("\\n", "\n"));

      assertThat(reasons(i)).contains("NotTabular");
      assertThat(i.columns()).isEmpty();
      assertThat(i.problems()).allSatisfy(p -> assertThat(p.message()).doesNotContain("hunter2"));
    }

    @Test
    void shouldHonourABomAndUtf16() {
      byte[] bom = "\uFEFFid,label\n1,0\n".getBytes(StandardCharsets.UTF_8);
      assertThat(text("bom.csv", bom, Map.of()).columns()).containsExactly("id", "label");

      byte[] utf16 = "\uFEFFid,label\n1,0\n".getBytes(StandardCharsets.UTF_16LE);
      Inspection i = text("utf16.csv", utf16, Map.of());
      assertThat(i.problems()).isEmpty();
      assertThat(i.columns()).containsExactly("id", "label");
    }

    @Test
    void shouldReadQuotedAndMultiLineHeaderNames() {
      Inspection i = text("q.csv", "\"first, name\",\"multi\nline\",\"say \"\"hi\"\"\"\n1,2,3\n");

      assertThat(i.columns()).containsExactly("first, name", "multi\nline", "say \"hi\"");
    }

    @Test
    void shouldReadAHeaderLongerThanTheFirstReadWithOneMore() {
      StringBuilder header = new StringBuilder("label");
      for (int c = 0; c < 9000; c++) {
        header.append(",feature_").append(c);
      }
      Inspection i = text("wide.csv", header + "\n1" + ",0".repeat(9000) + "\n");

      assertThat(i.problems()).isEmpty();
      assertThat(i.columns()).hasSize(9001).startsWith("label");
      assertThat(i.requests()).isEqualTo(2); // first read (size included) + one larger read
    }

    @Test
    void shouldReportAnEmptyObject() {
      assertThat(reasons(text("empty.csv", ""))).containsExactly("EmptyObject");
    }

    @Test
    void shouldReadJsonLinesAndGzippedJson() throws IOException {
      assertThat(text("r.jsonl", "{\"id\":1,\"label\":0}\n{\"id\":2,\"extra\":true}\n").columns()).containsExactly("id", "label", "extra");

      byte[] twoMembers = concat(gzip("{\"id\":1}\n"), gzip("{\"label\":0}\n"));
      Inspection multi = text("r.jsonl.gz", twoMembers, Map.of());
      assertThat(multi.format()).isEqualTo(DataFormat.JSONL_GZ);
      assertThat(multi.columns()).containsExactly("id", "label");

      Inspection array = text("r.json.gz", gzip("[{\"id\":1,\"label\":0},{\"id\":2,\"label\":1}]"), Map.of());
      assertThat(array.format()).isEqualTo(DataFormat.JSON_GZ);
      assertThat(array.columns()).containsExactly("id", "label");

      Inspection records = text("r.json.gz", gzip("{\"id\":1}\n{\"id\":2}\n"), Map.of());
      assertThat(records.problems()).isEmpty();
    }

    @Test
    void shouldCallPrettyPrintedJsonNamedJsonlNotJsonLines() {
      assertThat(reasons(text("pretty.jsonl", "{\n  \"id\": 1,\n  \"label\": 0\n}\n"))).containsExactly("NotJsonLines");
    }

    @Test
    void shouldNameTheRealFormatWhenTheNameLies() throws IOException {
      Inspection gz = text("data.csv", gzip("id,label\n1,0\n"), Map.of());
      assertThat(reasons(gz)).containsExactly("FormatMismatch");
      assertThat(gz.problems().get(0).message()).contains("gzip");

      byte[] parquet = Files.readAllBytes(DATA.resolve("parquet/alltypes_plain.parquet"));
      Inspection pq = text("data.csv", parquet, Map.of());
      assertThat(pq.format()).isEqualTo(DataFormat.PARQUET);
      assertThat(reasons(pq)).containsExactly("FormatMismatch");
      assertThat(pq.problems().get(0).message()).contains(".parquet");
      assertThat(pq.columns()).hasSize(11);

      Inspection csv = text("data.parquet", "id,label\n1,0\n");
      assertThat(reasons(csv)).containsExactly("FormatMismatch");
      assertThat(csv.problems().get(0).message()).contains("PAR1");

      Inspection array = text("data.jsonl", "[{\"id\": 1}]");
      assertThat(reasons(array)).containsExactly("FormatMismatch");
      assertThat(array.problems().get(0).message()).contains("JSON array");
    }

    @Test
    void shouldSuggestTheNearestColumnForAMisspelledLabel() {
      Inspection i = text("d.csv", "id,amount,label\n".getBytes(StandardCharsets.UTF_8), Map.of("label_col", "lable", "timestamp_col", "ts"));

      assertThat(reasons(i)).containsExactly("ColumnNotFound", "ColumnNotFound");
      assertThat(i.problems().get(0).message() + i.problems().get(1).message()).contains("did you mean 'label'?").contains("'ts'");
    }

    @Test
    void shouldCheckListsOfColumnsAndIgnoreOtherParams() {
      Inspection i = text("d.csv", "id,amount,label\n".getBytes(StandardCharsets.UTF_8),
          Map.of("feature_cols", "id, amount", "label_col", "label", "loading_kwargs", "{\"sep\": \",\"}"));

      assertThat(i.problems()).isEmpty();
    }
  }

  static byte[] gzip(String s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
