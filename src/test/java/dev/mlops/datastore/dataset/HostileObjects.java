package dev.mlops.datastore.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;

/**
 * The hostile and the merely huge objects of issue 10, built here so each regression test (and the
 * small-heap fuzz run) reads the same bytes. Huge ones are fabricated on read by {@link Fabricated},
 * so a test never holds what it asks the readers not to hold.
 */
final class HostileObjects {
  private HostileObjects() {}

  /** {@code printf 'PAR1\x15\x02\x19\xfc\xff\xff\xff\xff\x07\x00\x0a\x00\x00\x00PAR1'}: a schema list of 2^31-1 structs. */
  static byte[] twentyTwoByteParquet() {
    return parquet(HexFormat.of().parseHex("150219fcffffffff0700"));
  }

  /** 32 bytes: one schema element whose name claims 2^31-1 bytes. */
  static byte[] thirtyTwoByteParquet() {
    return parquet(HexFormat.of().parseHex("1502191c48ffffffff0700000000000000000000"));
  }

  /** 34 bytes: an unknown field holding a map that claims 2^31-1 entries. */
  static byte[] thirtyFourByteParquet() {
    return parquet(HexFormat.of().parseHex("1502fbffffffff0788" + "00".repeat(13)));
  }

  /** A footer of structs nested 5,000 deep in an unknown field: Thrift's skip would recurse that deep. */
  static byte[] deeplyNestedParquet() {
    ByteArrayOutputStream footer = new ByteArrayOutputStream();
    footer.write(0x15);
    footer.write(0x02);
    for (int i = 0; i < 5000; i++) {
      footer.write(0xfc); // field id +15, a struct
    }
    for (int i = 0; i < 5001; i++) {
      footer.write(0x00);
    }
    return parquet(footer.toByteArray());
  }

  static byte[] parquet(byte[] footer) {
    ByteBuffer b = ByteBuffer.allocate(4 + footer.length + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put("PAR1".getBytes(StandardCharsets.US_ASCII)).put(footer).putInt(footer.length).put("PAR1".getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }

  /**
   * A Delta checkpoint whose {@code metaData.schemaString} page claims {@code pageValues} values
   * (and its chunk 2^31), with a one-commit-free log around it: reading the table must read that
   * page, so the claim is what the reader meets.
   */
  static MemoryObjectStore checkpointClaimingValues(int pageValues) {
    byte[] pageBody = new byte[] {2, 0, 0, 0, 3, 0}; // v1 levels: 4-byte length, one RLE run
    PageHeader page = new PageHeader(PageType.DATA_PAGE, pageBody.length, pageBody.length);
    page.setData_page_header(new DataPageHeader(pageValues, Encoding.PLAIN, Encoding.RLE, Encoding.RLE));
    byte[] header = write(out -> Util.writePageHeader(page, out));
    byte[] chunk = concat(header, pageBody);
    List<SchemaElement> schema = new ArrayList<>();
    schema.add(new SchemaElement("spark_schema").setNum_children(1));
    schema.add(new SchemaElement("metaData").setNum_children(1).setRepetition_type(FieldRepetitionType.OPTIONAL));
    schema.add(new SchemaElement("schemaString").setType(Type.BYTE_ARRAY).setRepetition_type(FieldRepetitionType.OPTIONAL));
    ColumnMetaData meta = new ColumnMetaData(Type.BYTE_ARRAY, List.of(Encoding.PLAIN), List.of("metaData", "schemaString"),
        CompressionCodec.UNCOMPRESSED, 1L << 31, chunk.length, chunk.length, 4);
    ColumnChunk column = new ColumnChunk(4);
    column.setMeta_data(meta);
    FileMetaData file = new FileMetaData(1, schema, 1L << 31, List.of(new RowGroup(List.of(column), chunk.length, 1L << 31)));
    byte[] footer = write(out -> Util.writeFileMetaData(file, out));
    ByteBuffer b = ByteBuffer.allocate(4 + chunk.length + footer.length + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put("PAR1".getBytes(StandardCharsets.US_ASCII)).put(chunk).put(footer).putInt(footer.length).put("PAR1".getBytes(StandardCharsets.US_ASCII));
    return new MemoryObjectStore()
        .put("t/_delta_log/00000000000000000000.checkpoint.parquet", b.array())
        .put("t/_delta_log/_last_checkpoint", "{\"version\":0,\"size\":1}".getBytes(StandardCharsets.UTF_8));
  }

  /** A Parquet object of {@code footerLength + 12} bytes whose footer is {@code footerLength} bytes of zeros. */
  static Fabricated parquetWithFooter(String key, long footerLength) {
    long size = footerLength + 12;
    return new Fabricated().object(key, size, (offset, length) -> {
      byte[] b = new byte[length];
      ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt((int) footerLength).put("PAR1".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < length; i++) {
        long at = offset + i;
        if (at < 4) {
          b[i] = (byte) "PAR1".charAt((int) at);
        } else if (at >= size - 8) {
          b[i] = tail.get((int) (at - (size - 8)));
        }
      }
      return b;
    });
  }

  /** {@code commits} commits of about {@code commitBytes} each, no checkpoint; the first holds protocol and metaData. */
  static Fabricated deltaLogOfLargeCommits(int commits, int commitBytes) {
    Fabricated store = new Fabricated();
    for (int v = 0; v < commits; v++) {
      int version = v;
      store.object("t/_delta_log/" + DeltaLogReader.pad(v) + ".json", commitBytes, (offset, length) -> commit(version, commitBytes));
    }
    return store;
  }

  /** Written straight into the array: a 14 MB commit costs 14 MB here, not three copies of it. */
  private static byte[] commit(int version, int size) {
    byte[] out = new byte[size];
    Arrays.fill(out, (byte) ' ');
    int at = 0;
    if (version == 0) {
      at = put(out, at, "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n");
      at = put(out, at, "{\"metaData\":{\"id\":\"x\",\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"id\\\","
          + "\\\"type\\\":\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\",\"partitionColumns\":[]}}\n");
    }
    // Adds with about 1 KB of statistics each, as Spark writes them for wide tables.
    String stats = "{\\\"numRecords\\\":1,\\\"minValues\\\":{\\\"c\\\":\\\"" + "x".repeat(1000) + "\\\"}}";
    for (int n = 0; at < size - 1300; n++) {
      at = put(out, at, "{\"add\":{\"path\":\"part-" + version + "-" + n + ".parquet\",\"size\":1,\"dataChange\":true,\"stats\":\"" + stats + "\"}}\n");
    }
    return out;
  }

  private static int put(byte[] out, int at, String line) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(b, 0, out, at, b.length);
    return at + b.length;
  }

  /** {@code commits} small commits and no checkpoint. */
  static MemoryObjectStore deltaLogOfSmallCommits(int commits) {
    MemoryObjectStore store = new MemoryObjectStore();
    for (int v = 0; v < commits; v++) {
      store.put("t/_delta_log/" + DeltaLogReader.pad(v) + ".json", commit(v, 300));
    }
    return store;
  }

  private interface Writer {
    void write(ByteArrayOutputStream out) throws IOException;
  }

  private static byte[] write(Writer w) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      w.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Objects whose bytes are made on read, so a 64 MB object costs nothing until someone reads it. */
  static final class Fabricated implements ObjectStore {
    interface Content {
      byte[] bytes(long offset, int length);
    }

    private record Entry(long size, Content content) {}

    private final TreeMap<String, Entry> objects = new TreeMap<>();
    long largestRead;

    Fabricated object(String key, long size, Content content) {
      objects.put(key, new Entry(size, content));
      return this;
    }

    private Entry entry(String key) {
      Entry e = objects.get(key);
      if (e == null) {
        throw new ObjectStoreException(ObjectStoreException.Kind.NOT_FOUND, key + " does not exist", null);
      }
      return e;
    }

    @Override
    public ObjectInfo head(String key) {
      return new ObjectInfo(entry(key).size(), "\"e\"", Instant.EPOCH, null, null);
    }

    @Override
    public byte[] read(String key, long offset, int length) {
      Entry e = entry(key);
      int n = (int) Math.max(0, Math.min(length, e.size() - offset));
      largestRead = Math.max(largestRead, n);
      byte[] b = e.content().bytes(offset, n);
      return b.length == n ? b : Arrays.copyOfRange(b, (int) Math.min(offset, b.length), (int) Math.min(offset + n, b.length));
    }

    @Override
    public byte[] readSuffix(String key, int length) {
      Entry e = entry(key);
      long offset = Math.max(0, e.size() - length);
      return read(key, offset, (int) (e.size() - offset));
    }

    @Override
    public Listing list(String prefix, String startAfter, int maxKeys) {
      List<Listed> out = new ArrayList<>();
      for (Map.Entry<String, Entry> e : objects.tailMap(prefix, true).entrySet()) {
        if (!e.getKey().startsWith(prefix)) {
          break;
        }
        if ((startAfter == null || e.getKey().compareTo(startAfter) > 0) && out.size() < maxKeys) {
          out.add(new Listed(e.getKey(), e.getValue().size()));
        }
      }
      return new Listing(out, false, 1);
    }

    @Override
    public String describe(String key) {
      return "fab://" + key;
    }
  }
}
