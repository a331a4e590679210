package dev.mlops.datastore.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's text shapes, each made here with the JDK the way common tools make them (a Latin-1
 * export, a BOM-less UTF-16 file, one JSON Lines record of 8,000 keys, a gzip stream whose last
 * record was cut before it was compressed, a gzip file cut in transfer).
 */
class TextOnRealShapesTest {
  private static final DatasetInspector INSPECTOR = new DatasetInspector(InspectionLimits.forHeap(256L << 20));

  private static Inspection inspect(String name, byte[] bytes) {
    return INSPECTOR.inspect(new MemoryObjectStore().put(name, bytes), name, false, Map.of());
  }

  private static Inspection inspect(String name, byte[] bytes, Map<String, String> params) {
    return INSPECTOR.inspect(new MemoryObjectStore().put(name, bytes), name, false, params);
  }

  private static List<String> reasons(Inspection i) {
    return i.problems().stream().map(Problem::reason).toList();
  }

  private static String message(Inspection i, String reason) {
    return i.problems().stream().filter(p -> p.reason().equals(reason)).findFirst().orElseThrow().message();
  }

  private static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    }
    return out.toByteArray();
  }

  /** One JSON object of {@code keys} keys on one line, as json.dumps writes a wide record. */
  private static String wideRecord(int keys, int from) {
    StringBuilder b = new StringBuilder("{");
    for (int k = 0; k < keys; k++) {
      b.append(k == 0 ? "" : ", ").append("\"feature_").append(from + k).append("\": 0.12345");
    }
    return b.append("}").toString();
  }

  // 1. Wide JSON Lines

  @Test
  void shouldReadAJsonLinesRecordOfEightThousandKeysWithOneMoreRead() {
    String first = wideRecord(8000, 0);
    assertThat(first.length()).isGreaterThan(125_000);

    Inspection i = inspect("wide.jsonl", (first + "\n" + wideRecord(8000, 0) + "\n").getBytes(StandardCharsets.UTF_8));

    assertThat(i.problems()).isEmpty();
    assertThat(i.format()).isEqualTo(DataFormat.JSONL);
    assertThat(i.columns()).hasSize(8000).startsWith("feature_0").endsWith("feature_7999");
    assertThat(i.requests()).isEqualTo(2); // the first read (its answer carries the size) + one larger read
  }

  @Test
  void shouldReadAWideGzippedJsonLinesRecordWhoseCompressedBytesOutgrowTheFirstRead() throws IOException {
    // Random-looking values compress badly: the first record's gzip is longer than 64 KiB.
    StringBuilder b = new StringBuilder("{");
    java.util.Random random = new java.util.Random(16);
    for (int k = 0; k < 8000; k++) {
      b.append(k == 0 ? "" : ",").append("\"f").append(k).append("\":\"").append(Long.toHexString(random.nextLong())).append("\"");
    }
    byte[] gz = gzip((b.append("}\n").toString() + "{\"f0\":\"x\"}\n").getBytes(StandardCharsets.UTF_8));
    assertThat(gz.length).isGreaterThan(DatasetInspector.PREFIX);

    Inspection i = inspect("wide.jsonl.gz", gz);

    assertThat(i.problems()).isEmpty();
    assertThat(i.columns()).hasSize(8000);
  }

  @Test
  void shouldNameTheCapAndTheLengthSeenWhenNoRecordEndsWithinIt() {
    byte[] longer = (wideRecord(70_000, 0) + "\n").getBytes(StandardCharsets.UTF_8);
    assertThat(longer.length).isGreaterThan(DatasetInspector.MAX_HEADER);

    Inspection i = inspect("huge.jsonl", longer);

    assertThat(reasons(i)).containsExactly("RecordTooLong");
    assertThat(message(i, "RecordTooLong")).contains("longer than 1048576 bytes").contains("1 MiB");
  }

  // 2. Text that is not UTF-8

  @Test
  void shouldReportALatin1HeaderAsNotUtf8WithTheOffsetAndShowTheColumnDecodedAsLatin1() {
    byte[] latin1 = "id,café,label\n1,2,0\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(latin1[6] & 0xff).isEqualTo(0xE9);

    Inspection i = inspect("export.csv", latin1, Map.of("label_col", "label"));

    assertThat(reasons(i)).containsExactly("NotUtf8");
    assertThat(i.columns()).containsExactly("id", "café", "label");
    assertThat(message(i, "NotUtf8")).contains("byte 0xE9 at offset 6").contains("ISO-8859-1").contains("'café'").contains("iconv");
  }

  @Test
  void shouldGuessWindows1252WhenItsCurlyQuotesAppear() {
    byte[] cp1252 = "id,\u201cnote\u201d,label\n1,2,0\n".getBytes(Charset.forName("windows-1252"));

    Inspection i = inspect("notes.csv", cp1252);

    assertThat(reasons(i)).containsExactly("NotUtf8");
    assertThat(message(i, "NotUtf8")).contains("byte 0x93 at offset 3").contains("windows-1252");
    assertThat(i.columns()).contains("\u201cnote\u201d");
  }

  @Test
  void shouldReportInvalidUtf8PastTheHeaderWithItsOffset() {
    byte[] ascii = "id,label\n1,caf".getBytes(StandardCharsets.US_ASCII);
    byte[] bytes = Arrays.copyOf(ascii, ascii.length + 3);
    bytes[ascii.length] = (byte) 0xE9;
    bytes[ascii.length + 1] = ',';
    bytes[ascii.length + 2] = '\n';

    Inspection i = inspect("rows.csv", bytes);

    assertThat(reasons(i)).containsExactly("NotUtf8");
    assertThat(message(i, "NotUtf8")).contains("offset " + ascii.length).contains("column names themselves are ASCII");
    assertThat(i.columns()).containsExactly("id", "label");
  }

  @Test
  void shouldCheckTheBytesAfterAUtf8ByteOrderMarkToo() {
    byte[] latin1 = "id,café\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] bytes = new byte[3 + latin1.length];
    bytes[0] = (byte) 0xEF;
    bytes[1] = (byte) 0xBB;
    bytes[2] = (byte) 0xBF;
    System.arraycopy(latin1, 0, bytes, 3, latin1.length);

    Inspection i = inspect("bom.csv", bytes);

    assertThat(reasons(i)).containsExactly("NotUtf8");
    assertThat(message(i, "NotUtf8")).contains("offset 9");
    assertThat(i.columns()).containsExactly("id", "café");
  }

  @Test
  void shouldReportBomLessUtf16AndStillShowItsColumns() {
    byte[] utf16 = "id,label\n1,0\n".getBytes(StandardCharsets.UTF_16LE);

    Inspection i = inspect("utf16.csv", utf16);

    assertThat(reasons(i)).containsExactly("NotUtf8");
    assertThat(message(i, "NotUtf8")).contains("UTF-16LE").contains("without a byte-order mark");
    assertThat(i.columns()).containsExactly("id", "label");
  }

  @Test
  void shouldAcceptUtf8WhoseLastCharacterIsCutByTheEndOfTheFirstRead() {
    // 'é' is two bytes in UTF-8; put its first byte at the last position of the 64 KiB prefix.
    StringBuilder text = new StringBuilder("id,name\n");
    while (text.length() < DatasetInspector.PREFIX - 1) {
      text.append("1,x\n");
    }
    text.setLength(DatasetInspector.PREFIX - 1);
    text.append("é\n");
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    assertThat(bytes[DatasetInspector.PREFIX - 1] & 0xff).isEqualTo(0xC3);

    assertThat(inspect("cut.csv", bytes).problems()).isEmpty();
  }

  @Test
  void shouldStripControlCharactersAndCapTheLengthOfNamesDecodedAsAnotherEncoding() {
    byte[] latin1 = ("id,caf\u00e9\u0007\u0081," + "x".repeat(500) + "\n1,2,3\n").getBytes(StandardCharsets.ISO_8859_1);

    Inspection i = inspect("odd.csv", latin1);

    assertThat(reasons(i)).containsExactly("NotUtf8");
    assertThat(i.columns().get(1)).isEqualTo("café");
    assertThat(i.columns().get(2)).hasSize(DatasetInspector.MAX_NAME + 3).endsWith("...");
  }

  @Test
  void shouldReportLatin1JsonLinesKeysAsNotUtf8() {
    Inspection i = inspect("r.jsonl", "{\"café\":1,\"label\":0}\n".getBytes(StandardCharsets.ISO_8859_1));

    assertThat(reasons(i)).containsExactly("NotUtf8");
    assertThat(i.columns()).containsExactly("café", "label");
  }

  // 3. A truncated last record

  @Test
  void shouldSayTheDataEndsInsideTheLastRecordOfACompleteGzipStream() throws IOException {
    String records = "{\"id\":1,\"label\":0}\n{\"id\":2,\"label\":1}\n{\"id\":3,\"lab";
    byte[] gz = gzip(records.getBytes(StandardCharsets.UTF_8));

    Inspection i = inspect("cut.jsonl.gz", gz);

    assertThat(reasons(i)).containsExactly("TruncatedRecord");
    assertThat(message(i, "TruncatedRecord")).contains("ends inside record 3").contains("looks cut");
  }

  @Test
  void shouldSayTheDataEndsInsideRecordOneWhenItIsTheOnlyOne() {
    Inspection i = inspect("cut.jsonl", "{\"id\":1,\"values\":[1,2,".getBytes(StandardCharsets.UTF_8));

    assertThat(reasons(i)).containsExactly("TruncatedRecord");
    assertThat(message(i, "TruncatedRecord")).contains("record 1");
  }

  @Test
  void shouldStillCallALastLineThatIsNotJsonInvalidRatherThanCut() {
    Inspection i = inspect("bad.jsonl", "{\"id\":1}\n{\"id\":2,]".getBytes(StandardCharsets.UTF_8));

    assertThat(reasons(i)).containsExactly("InvalidJsonLine");
  }

  @Test
  void shouldSayAGzipStreamCutInTransferLooksCutAndStillShowTheColumnsOfItsWholeRecords() throws IOException {
    StringBuilder records = new StringBuilder();
    for (int r = 0; r < 200; r++) {
      records.append("{\"id\":").append(r).append(",\"label\":").append(r % 2).append("}\n");
    }
    byte[] gz = gzip(records.toString().getBytes(StandardCharsets.UTF_8));
    byte[] cut = Arrays.copyOf(gz, gz.length - 20);

    Inspection i = inspect("cut.jsonl.gz", cut);

    assertThat(reasons(i)).containsExactly("CorruptGzip");
    assertThat(message(i, "CorruptGzip")).contains("end-of-stream marker").contains("looks cut");
    assertThat(i.columns()).containsExactly("id", "label");
  }
}
