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
 * none). Values come out present ones only (the callers want the one metaData row of a checkpoint,
 * or a count, which decodes definition levels only). Every length and count read from the file is
 * checked against the bytes actually there and the inspection's limits before anything is
 * allocated: page headers by {@link ThriftStructBounds}, value counts against the chunk and
 * {@link InspectionLimits#maxPageValues()}, uncompressed sizes against one read's cap.
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
   * Decodes one chunk's bytes: the values present (null and absent positions are skipped; the
   * callers want the one metaData row of a checkpoint, or a count).
   */
  public static List<Object> values(byte[] bytes, ColumnMetaData chunk, Leaf leaf, InspectionLimits limits) throws IOException {
    List<Object> out = new ArrayList<>();
    pages(bytes, chunk, leaf, limits, out);
    return out;
  }

  /** How many values of the chunk are present (not null), decoding definition levels only. */
  public static long countPresent(byte[] bytes, ColumnMetaData chunk, Leaf leaf, InspectionLimits limits) throws IOException {
    return pages(bytes, chunk, leaf, limits, null);
  }

  /** Walks the pages; decodes values into {@code out} when given. Returns the present count. */
  private static long pages(byte[] bytes, ColumnMetaData chunk, Leaf leaf, InspectionLimits limits, List<Object> out) throws IOException {
    if (chunk.getCodec() == null || leaf.type() == null) {
      throw new IOException("the chunk's codec or type is unknown to this reader");
    }
    List<Object> dictionary = null;
    long remainingValues = chunk.getNum_values();
    long present = 0;
    int pos = 0;
    while (pos < bytes.length && remainingValues > 0) {
      ThriftStructBounds.Extent extent;
      try {
        extent = ThriftStructBounds.struct(bytes, pos, bytes.length, limits.maxSingleRead(), "a page header");
      } catch (ThriftStructBounds.Malformed e) {
        throw new IOException("a page header cannot be decoded: " + e.getMessage(), e);
      }
      PageHeader header = pageHeader(bytes, pos, extent.end() - pos);
      pos = extent.end();
      int compressed = header.getCompressed_page_size();
      if (compressed < 0 || compressed > bytes.length - pos) {
        throw new IOException("a page claims " + compressed + " bytes, " + (bytes.length - pos) + " remain");
      }
      byte[] page = java.util.Arrays.copyOfRange(bytes, pos, pos + compressed);
      pos += compressed;
      int uncompressedSize = header.getUncompressed_page_size();
      if (uncompressedSize < 0) {
        throw new IOException("a page claims " + uncompressedSize + " uncompressed bytes");
      }
      if (uncompressedSize > limits.maxSingleRead()) {
        throw new ReadBudgetExceeded("a page claims " + InspectionLimits.mib(uncompressedSize) + " uncompressed, more than the "
            + InspectionLimits.mib(limits.maxSingleRead()) + " one page may take (derived from the operator's heap)");
      }
      if (header.getType() == PageType.DICTIONARY_PAGE && header.isSetDictionary_page_header()) {
        if (out == null) {
          continue; // counting needs no dictionary
        }
        int n = pageValues(header.getDictionary_page_header().getNum_values(), Long.MAX_VALUE, limits);
        byte[] plain = decompress(chunk.getCodec(), page, uncompressedSize);
        dictionary = plainValues(ByteBuffer.wrap(plain).order(ByteOrder.LITTLE_ENDIAN), leaf.type(), n);
      } else if (header.getType() == PageType.DATA_PAGE && header.isSetData_page_header()) {
        DataPageHeader h = header.getData_page_header();
        int n = pageValues(h.getNum_values(), remainingValues, limits);
        ByteBuffer data = ByteBuffer.wrap(decompress(chunk.getCodec(), page, uncompressedSize)).order(ByteOrder.LITTLE_ENDIAN);
        if (leaf.maxRepetition() > 0) {
          skipLevels(data, leaf.maxRepetition());
        }
        int[] defs = leaf.maxDefinition() > 0 ? levels(data, leaf.maxDefinition(), n, true) : null;
        int pagePresent = present(defs, n, leaf);
        if (out != null) {
          decodeValues(data, h.getEncoding(), leaf, pagePresent, dictionary, out);
        }
        present += pagePresent;
        remainingValues -= n;
      } else if (header.getType() == PageType.DATA_PAGE_V2 && header.isSetData_page_header_v2()) {
        DataPageHeaderV2 h = header.getData_page_header_v2();
        int repLength = h.getRepetition_levels_byte_length();
        int defLength = h.getDefinition_levels_byte_length();
        if (repLength < 0 || defLength < 0 || (long) repLength + defLength > page.length || (long) repLength + defLength > uncompressedSize) {
          throw new IOException("level lengths exceed the page");
        }
        int n = pageValues(h.getNum_values(), remainingValues, limits);
        int[] defs = null;
        if (leaf.maxDefinition() > 0) {
          ByteBuffer levels = ByteBuffer.wrap(page, repLength, defLength).order(ByteOrder.LITTLE_ENDIAN);
          defs = levels(levels, leaf.maxDefinition(), n, false);
        }
        int pagePresent = present(defs, n, leaf);
        if (out != null) {
          byte[] rest = java.util.Arrays.copyOfRange(page, repLength + defLength, page.length);
          int restSize = uncompressedSize - repLength - defLength;
          byte[] valuesBytes = (!h.isSetIs_compressed() || h.isIs_compressed()) ? decompress(chunk.getCodec(), rest, restSize) : rest;
          decodeValues(ByteBuffer.wrap(valuesBytes).order(ByteOrder.LITTLE_ENDIAN), h.getEncoding(), leaf, pagePresent, dictionary, out);
        }
        present += pagePresent;
        remainingValues -= n;
      }
    }
    return present;
  }

  private static PageHeader pageHeader(byte[] bytes, int from, int length) throws IOException {
    try {
      return Util.readPageHeader(new ByteArrayInputStream(bytes, from, length));
    } catch (RuntimeException e) {
      // Thrift's verdict on a header whose sizes were checked: corrupt, not a fault of this code.
      throw new IOException("a page header cannot be decoded (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  /** A page's value count, checked against what the chunk has left and the budget. */
  private static int pageValues(int n, long remainingInChunk, InspectionLimits limits) throws IOException {
    if (n < 0 || n > remainingInChunk) {
      throw new IOException("a page claims " + n + " values where the chunk has " + remainingInChunk + " left");
    }
    if (n > limits.maxPageValues()) {
      throw new ReadBudgetExceeded("a page claims " + n + " values, more than the " + limits.maxPageValues()
          + " one page may hold in this check (derived from the operator's heap)");
    }
    return n;
  }

  private static int present(int[] defs, int n, Leaf leaf) {
    if (defs == null) {
      return n;
    }
    int present = 0;
    for (int i = 0; i < n; i++) {
      if (defs[i] == leaf.maxDefinition()) {
        present++;
      }
    }
    return present;
  }

  private static void decodeValues(ByteBuffer data, Encoding encoding, Leaf leaf, int present, List<Object> dictionary, List<Object> out)
      throws IOException {
    if (encoding == Encoding.PLAIN) {
      out.addAll(plainValues(data, leaf.type(), present));
    } else if (encoding == Encoding.PLAIN_DICTIONARY || encoding == Encoding.RLE_DICTIONARY) {
      if (dictionary == null) {
        throw new IOException("dictionary-encoded page without a dictionary");
      }
      int bitWidth = data.hasRemaining() ? data.get() & 0xff : 0;
      int[] ids = hybrid(data, bitWidth, present, data.remaining());
      for (int id : ids) {
        if (id < 0 || id >= dictionary.size()) {
          throw new IOException("dictionary index " + id + " out of range");
        }
        out.add(dictionary.get(id));
      }
    } else {
      throw new IOException("unsupported encoding " + encoding);
    }
  }

  private static List<Object> plainValues(ByteBuffer data, Type type, int count) throws IOException {
    if (type == null) {
      throw new IOException("unknown physical type");
    }
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
        if (groups > data.remaining() || bytes > data.remaining()) {
          throw new IOException("bit-packed run exceeds the page");
        }
        int runEnd = data.position() + (int) bytes;
        long buffer = 0;
        int bits = 0;
        long values = groups * 8;
        for (long i = 0; i < values && filled < n; i++) {
          while (bits < bitWidth) {
            buffer |= (long) (data.get() & 0xff) << bits;
            bits += 8;
          }
          int v = bitWidth == 0 ? 0 : (int) (buffer & ((1L << bitWidth) - 1));
          buffer >>>= bitWidth;
          bits -= bitWidth;
          out[filled++] = v;
        }
        data.position(runEnd);
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
    if (codec == null) {
      throw new IOException("unknown codec");
    }
    try {
      return decompressWith(codec, input, uncompressedSize);
    } catch (io.airlift.compress.MalformedInputException | IndexOutOfBoundsException e) {
      // aircompressor's verdict on corrupt input (sizes were checked before): a corrupt page.
      throw new IOException("a " + codec + " page cannot be decompressed (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private static byte[] decompressWith(CompressionCodec codec, byte[] input, int uncompressedSize) throws IOException {
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
