package dev.mlops.datastore.dataset;

import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;

/**
 * Just enough of a Parquet page decoder to read a few leaf columns of a Delta checkpoint (strings
 * and integers; PLAIN and dictionary encodings; data pages v1 and v2; Snappy, gzip, zstd, LZ4 or
 * none). Values come out per row position, null where the definition level says so; repeated
 * leaves give their non-null values only. Every length read from the file is checked against the
 * bytes actually there before anything is allocated.
 */
public final class ParquetColumnReader {
  private ParquetColumnReader() {}

  /** A leaf column of the file: where its chunks are and how deep it is. */
  public record Leaf(List<String> path, Type type, int maxDefinition, int maxRepetition) {}

  /** Finds the leaf whose path starts with {@code prefix} and ends with {@code last} (null: any). */
  public static Leaf leaf(FileMetaData metadata, List<String> prefix, String last) {
    List<SchemaElement> schema = metadata.getSchema();
    List<Leaf> leaves = new ArrayList<>();
    walk(schema, new int[] {1}, schema.get(0).isSetNum_children() ? schema.get(0).getNum_children() : 0, new ArrayList<>(), 0, 0, leaves);
    for (Leaf l : leaves) {
      if (l.path().size() >= prefix.size() && l.path().subList(0, prefix.size()).equals(prefix)
          && (last == null || l.path().get(l.path().size() - 1).equals(last))) {
        return l;
      }
    }
    return null;
  }

  private static void walk(List<SchemaElement> schema, int[] index, int children, List<String> path, int def, int rep, List<Leaf> out) {
    for (int c = 0; c < children && index[0] < schema.size(); c++) {
      SchemaElement e = schema.get(index[0]++);
      int d = def + (e.getRepetition_type() == FieldRepetitionType.REQUIRED ? 0 : 1);
      int r = rep + (e.getRepetition_type() == FieldRepetitionType.REPEATED ? 1 : 0);
      List<String> p = new ArrayList<>(path);
      p.add(e.getName());
      int n = e.isSetNum_children() ? e.getNum_children() : 0;
      if (n == 0) {
        out.add(new Leaf(p, e.getType(), d, r));
      } else if (p.size() < 32) {
        walk(schema, index, n, p, d, r, out);
      }
    }
  }

  /** The chunks of a leaf, one per row group. */
  public static List<ColumnMetaData> chunks(FileMetaData metadata, Leaf leaf) {
    List<ColumnMetaData> out = new ArrayList<>();
    metadata.getRow_groups().forEach(rg -> {
      for (ColumnChunk c : rg.getColumns()) {
        if (c.isSetMeta_data() && c.getMeta_data().getPath_in_schema().equals(leaf.path())) {
          out.add(c.getMeta_data());
        }
      }
    });
    return out;
  }

  /** Where a chunk's bytes start (its dictionary page when it has one). */
  public static long start(ColumnMetaData chunk) {
    return chunk.isSetDictionary_page_offset() && chunk.getDictionary_page_offset() > 0
        ? Math.min(chunk.getDictionary_page_offset(), chunk.getData_page_offset())
        : chunk.getData_page_offset();
  }

  /**
   * Decodes one chunk's bytes.
   *
   * @return one value per row position for non-repeated leaves (null where absent); for repeated
   *     leaves, the present values only
   */
  public static List<Object> values(byte[] bytes, ColumnMetaData chunk, Leaf leaf) throws IOException {
    List<Object> out = new ArrayList<>();
    List<Object> dictionary = null;
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    long remainingValues = chunk.getNum_values();
    while (in.available() > 0 && remainingValues > 0) {
      PageHeader header = Util.readPageHeader(in);
      int compressed = header.getCompressed_page_size();
      if (compressed < 0 || compressed > in.available()) {
        throw new IOException("a page claims " + compressed + " bytes, " + in.available() + " remain");
      }
      byte[] page = in.readNBytes(compressed);
      int uncompressedSize = header.getUncompressed_page_size();
      if (uncompressedSize < 0 || uncompressedSize > 64 * 1024 * 1024) {
        throw new IOException("a page claims " + uncompressedSize + " uncompressed bytes");
      }
      if (header.getType() == PageType.DICTIONARY_PAGE) {
        byte[] plain = decompress(chunk.getCodec(), page, uncompressedSize);
        dictionary = plainValues(ByteBuffer.wrap(plain).order(ByteOrder.LITTLE_ENDIAN), leaf.type(), header.getDictionary_page_header().getNum_values());
      } else if (header.getType() == PageType.DATA_PAGE) {
        DataPageHeader h = header.getData_page_header();
        ByteBuffer data = ByteBuffer.wrap(decompress(chunk.getCodec(), page, uncompressedSize)).order(ByteOrder.LITTLE_ENDIAN);
        int n = h.getNum_values();
        if (leaf.maxRepetition() > 0) {
          skipLevels(data, leaf.maxRepetition());
        }
        int[] defs = leaf.maxDefinition() > 0 ? levels(data, leaf.maxDefinition(), n, true) : null;
        decodeValues(data, h.getEncoding(), leaf, n, defs, dictionary, out);
        remainingValues -= n;
      } else if (header.getType() == PageType.DATA_PAGE_V2) {
        DataPageHeaderV2 h = header.getData_page_header_v2();
        int repLength = h.getRepetition_levels_byte_length();
        int defLength = h.getDefinition_levels_byte_length();
        if (repLength < 0 || defLength < 0 || repLength + defLength > page.length) {
          throw new IOException("level lengths exceed the page");
        }
        int n = h.getNum_values();
        int[] defs = null;
        if (leaf.maxDefinition() > 0) {
          ByteBuffer levels = ByteBuffer.wrap(page, repLength, defLength).order(ByteOrder.LITTLE_ENDIAN);
          defs = levels(levels, leaf.maxDefinition(), n, false);
        }
        byte[] rest = java.util.Arrays.copyOfRange(page, repLength + defLength, page.length);
        int restSize = uncompressedSize - repLength - defLength;
        byte[] valuesBytes = (!h.isSetIs_compressed() || h.isIs_compressed()) ? decompress(chunk.getCodec(), rest, restSize) : rest;
        decodeValues(ByteBuffer.wrap(valuesBytes).order(ByteOrder.LITTLE_ENDIAN), h.getEncoding(), leaf, n, defs, dictionary, out);
        remainingValues -= n;
      }
    }
    return out;
  }

  private static void decodeValues(ByteBuffer data, Encoding encoding, Leaf leaf, int n, int[] defs, List<Object> dictionary, List<Object> out)
      throws IOException {
    int present = 0;
    for (int i = 0; i < n; i++) {
      if (defs == null || defs[i] == leaf.maxDefinition()) {
        present++;
      }
    }
    List<Object> values;
    if (encoding == Encoding.PLAIN) {
      values = plainValues(data, leaf.type(), present);
    } else if (encoding == Encoding.PLAIN_DICTIONARY || encoding == Encoding.RLE_DICTIONARY) {
      if (dictionary == null) {
        throw new IOException("dictionary-encoded page without a dictionary");
      }
      int bitWidth = data.hasRemaining() ? data.get() & 0xff : 0;
      int[] ids = hybrid(data, bitWidth, present, data.remaining());
      values = new ArrayList<>(present);
      for (int id : ids) {
        if (id < 0 || id >= dictionary.size()) {
          throw new IOException("dictionary index " + id + " out of range");
        }
        values.add(dictionary.get(id));
      }
    } else {
      throw new IOException("unsupported encoding " + encoding);
    }
    int next = 0;
    for (int i = 0; i < n; i++) {
      boolean isPresent = defs == null || defs[i] == leaf.maxDefinition();
      if (isPresent) {
        out.add(values.get(next++));
      } else if (leaf.maxRepetition() == 0) {
        out.add(null);
      }
    }
  }

  private static List<Object> plainValues(ByteBuffer data, Type type, int count) throws IOException {
    List<Object> out = new ArrayList<>(Math.min(count, 1 << 16));
    for (int i = 0; i < count; i++) {
      switch (type) {
        case BYTE_ARRAY -> {
          need(data, 4);
          int len = data.getInt();
          if (len < 0 || len > data.remaining()) {
            throw new IOException("a value claims " + len + " bytes, " + data.remaining() + " remain");
          }
          byte[] b = new byte[len];
          data.get(b);
          out.add(new String(b, StandardCharsets.UTF_8));
        }
        case INT32 -> {
          need(data, 4);
          out.add(data.getInt());
        }
        case INT64 -> {
          need(data, 8);
          out.add(data.getLong());
        }
        case BOOLEAN -> {
          need(data, 1);
          out.add((data.get(data.position()) >> (i % 8) & 1) == 1);
          if (i % 8 == 7 || i == count - 1) {
            data.position(data.position() + 1);
          }
        }
        default -> throw new IOException("unsupported physical type " + type);
      }
    }
    return out;
  }

  private static void need(ByteBuffer b, int n) throws IOException {
    if (b.remaining() < n) {
      throw new IOException("the page ends early");
    }
  }

  /** Definition (or repetition) levels: v1 pages prefix them with a 4-byte length. */
  private static int[] levels(ByteBuffer data, int maxLevel, int n, boolean lengthPrefixed) throws IOException {
    int bitWidth = 32 - Integer.numberOfLeadingZeros(maxLevel);
    int length = data.remaining();
    if (lengthPrefixed) {
      need(data, 4);
      length = data.getInt();
      if (length < 0 || length > data.remaining()) {
        throw new IOException("levels claim " + length + " bytes");
      }
    }
    int end = data.position() + length;
    int[] levels = hybrid(data, bitWidth, n, length);
    data.position(end);
    return levels;
  }

  private static void skipLevels(ByteBuffer data, int maxLevel) throws IOException {
    need(data, 4);
    int length = data.getInt();
    if (length < 0 || length > data.remaining()) {
      throw new IOException("levels claim " + length + " bytes");
    }
    data.position(data.position() + length);
  }

  /** The RLE / bit-packed hybrid encoding. */
  static int[] hybrid(ByteBuffer data, int bitWidth, int n, int byteLength) throws IOException {
    if (n < 0 || bitWidth < 0 || bitWidth > 32) {
      throw new IOException("invalid levels");
    }
    int[] out = new int[n];
    int end = Math.min(data.limit(), data.position() + byteLength);
    int filled = 0;
    int bytesPerValue = (bitWidth + 7) / 8;
    while (filled < n) {
      if (data.position() >= end) {
        throw new IOException("levels end early");
      }
      long header = readVarint(data);
      if ((header & 1) == 0) {
        long run = header >>> 1;
        int value = 0;
        for (int i = 0; i < bytesPerValue; i++) {
          need(data, 1);
          value |= (data.get() & 0xff) << (8 * i);
        }
        for (long i = 0; i < run && filled < n; i++) {
          out[filled++] = value;
        }
      } else {
        long groups = header >>> 1;
        long bytes = groups * bitWidth;
        if (bytes > data.remaining()) {
          throw new IOException("bit-packed run exceeds the page");
        }
        long buffer = 0;
        int bits = 0;
        long values = groups * 8;
        for (long i = 0; i < values; i++) {
          while (bits < bitWidth) {
            buffer |= (long) (data.get() & 0xff) << bits;
            bits += 8;
          }
          int v = bitWidth == 0 ? 0 : (int) (buffer & ((1L << bitWidth) - 1));
          buffer >>>= bitWidth;
          bits -= bitWidth;
          if (filled < n) {
            out[filled++] = v;
          }
        }
      }
    }
    return out;
  }

  private static long readVarint(ByteBuffer data) throws IOException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      need(data, 1);
      byte b = data.get();
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new IOException("varint too long");
  }

  static byte[] decompress(CompressionCodec codec, byte[] input, int uncompressedSize) throws IOException {
    switch (codec) {
      case UNCOMPRESSED:
        return input;
      case SNAPPY: {
        byte[] out = new byte[uncompressedSize];
        int n = new SnappyDecompressor().decompress(input, 0, input.length, out, 0, out.length);
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
      }
      case ZSTD: {
        byte[] out = new byte[uncompressedSize];
        int n = new ZstdDecompressor().decompress(input, 0, input.length, out, 0, out.length);
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
      }
      case LZ4_RAW: {
        byte[] out = new byte[uncompressedSize];
        int n = new Lz4Decompressor().decompress(input, 0, input.length, out, 0, out.length);
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
      }
      case GZIP: {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(input))) {
          return in.readNBytes(uncompressedSize);
        }
      }
      default:
        throw new IOException("unsupported codec " + codec);
    }
  }
}
