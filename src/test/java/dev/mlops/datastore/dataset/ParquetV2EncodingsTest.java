package dev.mlops.datastore.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.SchemaElement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The page decoder on parquet-testing's delta-encoded files (written by parquet-mr 1.10.0, with the
 * expected contents beside them as CSV) and on its Brotli file: every value decoded equals the
 * expected one, row by row with the nulls where they are.
 */
class ParquetV2EncodingsTest {
  private static final Path PARQUET = DatasetInspectorTest.DATA.resolve("parquet");
  private static final InspectionLimits LIMITS = InspectionLimits.forHeap(256L << 20);

  private static FileMetaData footer(String name) throws Exception {
    LocalObjectStore store = new LocalObjectStore(PARQUET);
    long size = Files.size(PARQUET.resolve(name));
    return ParquetFooterReader.read(store, name, store.readSuffix(name, ParquetFooterReader.SUFFIX), size, LIMITS).metadata();
  }

  /** Every row of one column of a file, null where the value is absent. */
  private static List<Object> column(String file, FileMetaData footer, String name) throws IOException {
    ParquetColumnReader.Leaf leaf = ParquetColumnReader.leaf(footer, List.of(name), null);
    List<Object> rows = new ArrayList<>();
    byte[] bytes = Files.readAllBytes(PARQUET.resolve(file));
    for (ColumnMetaData chunk : ParquetColumnReader.chunks(footer, leaf)) {
      int from = (int) ParquetColumnReader.start(chunk);
      byte[] chunkBytes = java.util.Arrays.copyOfRange(bytes, from, from + (int) chunk.getTotal_compressed_size());
      ParquetColumnReader.rows(chunkBytes, chunk, leaf, LIMITS, (def, value) -> rows.add(value));
    }
    return rows;
  }

  /** The expected CSV: header, then one quoted-or-empty field per column; an empty field is a null. */
  private static List<List<String>> expected(String csv) throws IOException {
    List<List<String>> out = new ArrayList<>();
    for (String line : Files.readAllLines(PARQUET.resolve(csv), StandardCharsets.UTF_8)) {
      out.add(TextSchemaReader.split(line, ','));
    }
    return out;
  }

  private static void assertColumnsMatch(String file, String csv) throws Exception {
    FileMetaData footer = footer(file);
    List<List<String>> expected = expected(csv);
    List<String> header = expected.get(0);
    int checked = 0;
    for (int c = 0; c < header.size(); c++) {
      // The expected CSV of the optional-column file writes one name with a leading space.
      List<Object> actual = column(file, footer, header.get(c).strip());
      assertThat(actual).as(header.get(c)).hasSize(expected.size() - 1);
      for (int r = 1; r < expected.size(); r++) {
        String want = expected.get(r).get(c);
        Object got = actual.get(r - 1);
        assertThat(got == null ? "" : got.toString()).as("%s row %d", header.get(c), r).isEqualTo(want);
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(0);
  }

  @Test
  void shouldDecodeDeltaByteArrayColumnsAsParquetMrWroteThem() throws Exception {
    FileMetaData footer = footer("delta_byte_array.parquet");
    assertThat(footer.getRow_groups().get(0).getColumns().get(0).getMeta_data().getEncodings()).contains(Encoding.DELTA_BYTE_ARRAY);

    assertColumnsMatch("delta_byte_array.parquet", "delta_byte_array_expect.csv");
  }

  @Test
  void shouldDecodeDeltaBinaryPackedIntegersAndDeltaByteArrayStringsWithNulls() throws Exception {
    FileMetaData footer = footer("delta_encoding_optional_column.parquet");
    assertThat(footer.getRow_groups().get(0).getColumns().stream().flatMap(c -> c.getMeta_data().getEncodings().stream()))
        .contains(Encoding.DELTA_BINARY_PACKED, Encoding.DELTA_BYTE_ARRAY);

    assertColumnsMatch("delta_encoding_optional_column.parquet", "delta_encoding_optional_column_expect.csv");
  }

  @Test
  void shouldDecodeDeltaLengthByteArrayStrings() throws Exception {
    FileMetaData footer = footer("delta_length_byte_array.parquet");
    SchemaElement column = footer.getSchema().get(1);
    assertThat(footer.getRow_groups().get(0).getColumns().get(0).getMeta_data().getEncodings()).contains(Encoding.DELTA_LENGTH_BYTE_ARRAY);

    List<Object> values = column("delta_length_byte_array.parquet", footer, column.getName());

    // Arrow's reader test of this file: "apple_banana_mango" followed by i * i, for 1,000 rows.
    assertThat(values).hasSize((int) footer.getNum_rows());
    for (int i = 0; i < values.size(); i++) {
      assertThat(values.get(i)).isEqualTo("apple_banana_mango" + (i * i));
    }
  }

  @Test
  void shouldNameBrotliAsAnUnsupportedCodecBeforeReadingAPage() throws Exception {
    FileMetaData footer = footer("large_string_map.brotli.parquet");
    ColumnMetaData chunk = footer.getRow_groups().get(0).getColumns().get(0).getMeta_data();
    assertThat(chunk.getCodec()).isEqualTo(CompressionCodec.BROTLI);
    ParquetColumnReader.Leaf leaf = ParquetColumnReader.leaf(footer, chunk.getPath_in_schema(), null);

    assertThatThrownBy(() -> ParquetColumnReader.countPresent(new byte[0], chunk, leaf, LIMITS))
        .isInstanceOf(ParquetColumnReader.UnsupportedCodec.class)
        .hasMessageContaining("BROTLI");
  }

  /** A DELTA_BINARY_PACKED run: header, then blocks, as Encodings.md lays them out. */
  private static ByteBuffer dbp(int blockSize, int miniblocks, long total, long first, byte... rest) {
    ByteBuffer b = ByteBuffer.allocate(64 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
    varint(b, blockSize);
    varint(b, miniblocks);
    varint(b, total);
    varint(b, (first << 1) ^ (first >> 63));
    b.put(rest);
    b.flip();
    return b;
  }

  private static void varint(ByteBuffer b, long v) {
    while ((v & ~0x7fL) != 0) {
      b.put((byte) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    b.put((byte) v);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 100, 127, 1 << 21})
  void shouldRefuseADeltaHeaderWhoseBlocksAreNotWhatTheSpecAllows(int blockSize) {
    assertThatThrownBy(() -> ParquetColumnReader.deltaBinaryPacked(dbp(blockSize, 4, 1, 7), 1, 64))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("blocks of");
  }

  @Test
  void shouldRefuseADeltaRunClaimingMoreValuesThanThePageHoldsBeforeLooping() {
    assertThatThrownBy(() -> ParquetColumnReader.deltaBinaryPacked(dbp(128, 4, Long.MAX_VALUE >>> 1, 7), 10, 64))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("where the page holds 10");
  }

  @Test
  void shouldRefuseAMiniblockWiderThanItsType() {
    // Two values: the first in the header, one delta in a block whose first miniblock claims 33 bits.
    assertThatThrownBy(() -> ParquetColumnReader.deltaBinaryPacked(dbp(128, 4, 2, 7, (byte) 0, (byte) 33, (byte) 0, (byte) 0, (byte) 0), 2, 32))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("33 bits");
  }

  @Test
  void shouldRefuseAMiniblockWhoseBitsAreNotThere() {
    // 32 values of 8 bits need 32 bytes; none follow.
    assertThatThrownBy(() -> ParquetColumnReader.deltaBinaryPacked(dbp(128, 4, 2, 7, (byte) 0, (byte) 8, (byte) 0, (byte) 0, (byte) 0), 2, 32))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("ends early");
  }

  @Test
  void shouldBoundTheBytesSharedPrefixesDecodeTo() {
    // 40,000 values: the first 64 bytes long, every other one sharing all 64 with no suffix.
    int count = 40_000;
    ByteBuffer page = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    // Prefix lengths: 0, then 64 for all: first value 0, one delta of +64, then deltas of 0.
    varint(page, 128);
    varint(page, 4);
    varint(page, count);
    varint(page, 0);
    int blocks = (count - 1 + 127) / 128;
    for (int b = 0; b < blocks; b++) {
      varint(page, 0); // min delta 0
      page.put(new byte[] {(byte) (b == 0 ? 7 : 0), 0, 0, 0});
      if (b == 0) {
        byte[] bits = new byte[32 * 7 / 8];
        bits[0] = 64; // the first delta: +64
        page.put(bits);
      }
    }
    // Suffix lengths: 64, then 0 for all (deltas -64, then 0: min delta -64, stored 0 then 64s); then the 64 bytes.
    varint(page, 128);
    varint(page, 4);
    varint(page, count);
    varint(page, 128); // zigzag(64)
    for (int b = 0; b < blocks; b++) {
      varint(page, b == 0 ? 127 : 0); // zigzag(-64) in the first block, 0 after
      page.put(b == 0 ? new byte[] {7, 7, 7, 7} : new byte[] {0, 0, 0, 0});
      if (b == 0) {
        byte[] bits = new byte[4 * 32 * 7 / 8];
        for (int i = 1; i < 128; i++) {
          setBits(bits, i * 7, 7, 64);
        }
        page.put(bits);
      }
    }
    page.put(new byte[64]);
    page.flip();
    InspectionLimits tight = new InspectionLimits(1, 1 << 30, 1000, 1 << 20, 1 << 20, 1 << 20, 500, 10_000, 1 << 16);

    assertThatThrownBy(() -> ParquetColumnReader.deltaByteArray(page, count, tight))
        .isInstanceOf(ReadBudgetExceeded.class)
        .hasMessageContaining("DELTA_BYTE_ARRAY");
  }

  private static void setBits(byte[] b, int bitOffset, int width, int value) {
    for (int i = 0; i < width; i++) {
      if ((value >> i & 1) == 1) {
        b[(bitOffset + i) >> 3] |= (byte) (1 << ((bitOffset + i) & 7));
      }
    }
  }
}
