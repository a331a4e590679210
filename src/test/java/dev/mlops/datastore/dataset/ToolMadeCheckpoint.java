package dev.mlops.datastore.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 * A Delta checkpoint written here with parquet-format's own Thrift structures, the way Spark lays
 * one out (one row per action: {@code add}, {@code metaData}, {@code protocol} groups, each
 * optional), with the string columns in the encoding asked for and the chunks marked with the
 * codec asked for. Values are stored uncompressed: a codec other than UNCOMPRESSED is only a
 * label, which is what a reader that refuses it by name sees first. The delta encoders follow
 * parquet-format's Encodings.md (blocks of 128 values in 4 miniblocks).
 */
final class ToolMadeCheckpoint {
  /** One action row. */
  record Action(String addPath, String addStats, Long dvCardinality, String metaSchema, Integer minReaderVersion) {
    static Action add(String path, String stats) {
      return new Action(path, stats, null, null, null);
    }

    static Action addWithDeletionVector(String path, String stats, long cardinality) {
      return new Action(path, stats, cardinality, null, null);
    }

    static Action metaData(String schemaString) {
      return new Action(null, null, null, schemaString, null);
    }

    static Action protocol(int minReaderVersion) {
      return new Action(null, null, null, null, minReaderVersion);
    }
  }

  private ToolMadeCheckpoint() {}

  static byte[] write(List<Action> rows, Encoding strings, CompressionCodec codec) {
    List<SchemaElement> schema = new ArrayList<>();
    schema.add(new SchemaElement("spark_schema").setNum_children(3));
    schema.add(new SchemaElement("add").setNum_children(3).setRepetition_type(FieldRepetitionType.OPTIONAL));
    schema.add(leaf("path", Type.BYTE_ARRAY));
    schema.add(leaf("stats", Type.BYTE_ARRAY));
    schema.add(new SchemaElement("deletionVector").setNum_children(1).setRepetition_type(FieldRepetitionType.OPTIONAL));
    schema.add(leaf("cardinality", Type.INT64));
    schema.add(new SchemaElement("metaData").setNum_children(2).setRepetition_type(FieldRepetitionType.OPTIONAL));
    schema.add(leaf("id", Type.BYTE_ARRAY));
    schema.add(leaf("schemaString", Type.BYTE_ARRAY));
    schema.add(new SchemaElement("protocol").setNum_children(1).setRepetition_type(FieldRepetitionType.OPTIONAL));
    schema.add(leaf("minReaderVersion", Type.INT32));

    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.writeBytes("PAR1".getBytes(StandardCharsets.US_ASCII));
    List<ColumnChunk> chunks = new ArrayList<>();
    int n = rows.size();
    // add.path, add.stats: def 0 (no add), 2 (value); stats may be 1 (add without stats).
    List<Integer> defs = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    for (Action a : rows) {
      defs.add(a.addPath() == null ? 0 : 2);
      if (a.addPath() != null) {
        values.add(a.addPath());
      }
    }
    chunks.add(chunk(file, List.of("add", "path"), Type.BYTE_ARRAY, strings, codec, defs, values, 2));
    defs.clear();
    values.clear();
    for (Action a : rows) {
      defs.add(a.addPath() == null ? 0 : a.addStats() == null ? 1 : 2);
      if (a.addPath() != null && a.addStats() != null) {
        values.add(a.addStats());
      }
    }
    chunks.add(chunk(file, List.of("add", "stats"), Type.BYTE_ARRAY, strings, codec, defs, values, 2));
    defs.clear();
    values.clear();
    for (Action a : rows) {
      defs.add(a.addPath() == null ? 0 : a.dvCardinality() == null ? 1 : 3);
      if (a.dvCardinality() != null) {
        values.add(a.dvCardinality());
      }
    }
    chunks.add(chunk(file, List.of("add", "deletionVector", "cardinality"), Type.INT64, Encoding.PLAIN, codec, defs, values, 3));
    defs.clear();
    values.clear();
    for (Action a : rows) {
      defs.add(a.metaSchema() == null ? 0 : 2);
      if (a.metaSchema() != null) {
        values.add("table-id");
      }
    }
    chunks.add(chunk(file, List.of("metaData", "id"), Type.BYTE_ARRAY, strings, codec, defs, values, 2));
    defs.clear();
    values.clear();
    for (Action a : rows) {
      defs.add(a.metaSchema() == null ? 0 : 2);
      if (a.metaSchema() != null) {
        values.add(a.metaSchema());
      }
    }
    chunks.add(chunk(file, List.of("metaData", "schemaString"), Type.BYTE_ARRAY, strings, codec, defs, values, 2));
    defs.clear();
    values.clear();
    for (Action a : rows) {
      defs.add(a.minReaderVersion() == null ? 0 : 2);
      if (a.minReaderVersion() != null) {
        values.add(a.minReaderVersion());
      }
    }
    chunks.add(chunk(file, List.of("protocol", "minReaderVersion"), Type.INT32, Encoding.PLAIN, codec, defs, values, 2));

    long dataBytes = file.size() - 4;
    FileMetaData footer = new FileMetaData(1, schema, n, List.of(new RowGroup(chunks, dataBytes, n)));
    byte[] footerBytes = write(out -> Util.writeFileMetaData(footer, out));
    file.writeBytes(footerBytes);
    file.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footerBytes.length).array());
    file.writeBytes("PAR1".getBytes(StandardCharsets.US_ASCII));
    return file.toByteArray();
  }

  private static SchemaElement leaf(String name, Type type) {
    return new SchemaElement(name).setType(type).setRepetition_type(FieldRepetitionType.OPTIONAL);
  }

  private static ColumnChunk chunk(ByteArrayOutputStream file, List<String> path, Type type, Encoding encoding, CompressionCodec codec,
      List<Integer> defs, List<Object> values, int maxDef) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    ByteArrayOutputStream levels = new ByteArrayOutputStream();
    int width = 32 - Integer.numberOfLeadingZeros(maxDef);
    for (int d : defs) {
      levels.write(2); // an RLE run of one value
      levels.write(d);
    }
    body.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(levels.size()).array());
    body.writeBytes(levels.toByteArray());
    assert width <= 8;
    if (type == Type.BYTE_ARRAY) {
      List<byte[]> strings = values.stream().map(v -> v.toString().getBytes(StandardCharsets.UTF_8)).toList();
      switch (encoding) {
        case PLAIN -> strings.forEach(s -> {
          body.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(s.length).array());
          body.writeBytes(s);
        });
        case DELTA_LENGTH_BYTE_ARRAY -> lengthsThenBytes(body, strings);
        case DELTA_BYTE_ARRAY -> {
          long[] prefixes = new long[strings.size()];
          List<byte[]> suffixes = new ArrayList<>();
          byte[] previous = new byte[0];
          for (int i = 0; i < strings.size(); i++) {
            byte[] s = strings.get(i);
            int p = 0;
            while (p < s.length && p < previous.length && s[p] == previous[p]) {
              p++;
            }
            prefixes[i] = p;
            suffixes.add(java.util.Arrays.copyOfRange(s, p, s.length));
            previous = s;
          }
          deltaBinaryPacked(body, prefixes);
          lengthsThenBytes(body, suffixes);
        }
        default -> throw new IllegalArgumentException(encoding.toString());
      }
    } else {
      for (Object v : values) {
        body.writeBytes(type == Type.INT32
            ? ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(((Number) v).intValue()).array()
            : ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(((Number) v).longValue()).array());
      }
    }
    byte[] page = body.toByteArray();
    PageHeader header = new PageHeader(PageType.DATA_PAGE, page.length, page.length);
    header.setData_page_header(new DataPageHeader(defs.size(), type == Type.BYTE_ARRAY ? encoding : Encoding.PLAIN, Encoding.RLE, Encoding.RLE));
    byte[] headerBytes = write(out -> Util.writePageHeader(header, out));
    long offset = file.size();
    file.writeBytes(headerBytes);
    file.writeBytes(page);
    int size = headerBytes.length + page.length;
    ColumnMetaData meta = new ColumnMetaData(type, List.of(type == Type.BYTE_ARRAY ? encoding : Encoding.PLAIN, Encoding.RLE), path, codec,
        defs.size(), size, size, offset);
    ColumnChunk c = new ColumnChunk(offset);
    c.setMeta_data(meta);
    return c;
  }

  private static void lengthsThenBytes(ByteArrayOutputStream out, List<byte[]> values) {
    deltaBinaryPacked(out, values.stream().mapToLong(v -> v.length).toArray());
    values.forEach(out::writeBytes);
  }

  /** DELTA_BINARY_PACKED with blocks of 128 values in 4 miniblocks of 32. */
  static void deltaBinaryPacked(ByteArrayOutputStream out, long[] values) {
    varint(out, 128);
    varint(out, 4);
    varint(out, values.length);
    varint(out, values.length == 0 ? 0 : zigzag(values[0]));
    for (int start = 1; start < values.length; start += 128) {
      int end = Math.min(values.length, start + 128);
      long[] deltas = new long[end - start];
      long min = Long.MAX_VALUE;
      for (int i = start; i < end; i++) {
        deltas[i - start] = values[i] - values[i - 1];
        min = Math.min(min, deltas[i - start]);
      }
      varint(out, zigzag(min));
      int[] widths = new int[4];
      for (int m = 0; m < 4; m++) {
        long max = 0;
        for (int i = m * 32; i < Math.min(deltas.length, m * 32 + 32); i++) {
          max = Math.max(max, deltas[i] - min);
        }
        widths[m] = 64 - Long.numberOfLeadingZeros(max);
        out.write(widths[m]);
      }
      for (int m = 0; m < 4 && m * 32 < deltas.length; m++) {
        byte[] bits = new byte[32 * widths[m] / 8];
        for (int i = 0; i < 32; i++) {
          long v = m * 32 + i < deltas.length ? deltas[m * 32 + i] - min : 0;
          for (int b = 0; b < widths[m]; b++) {
            if ((v >>> b & 1) == 1) {
              int bit = i * widths[m] + b;
              bits[bit >> 3] |= (byte) (1 << (bit & 7));
            }
          }
        }
        out.writeBytes(bits);
      }
    }
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
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
}
