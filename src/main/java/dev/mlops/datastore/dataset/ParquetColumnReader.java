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
 * and integers; PLAIN, dictionary, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY
 * encodings; data pages v1 and v2; Snappy, gzip, zstd, LZ4 or none). Values come out present ones
 * only (the callers want the one metaData row of a checkpoint, or a count, which decodes definition
 * levels only), or row by row with their definition level ({@link #rows}). Every length and count
 * read from the file is checked against the bytes actually there and the inspection's limits before
 * anything is allocated: page headers by {@link ThriftStructBounds}, value counts against the chunk
 * and {@link InspectionLimits#maxPageValues()}, uncompressed sizes and the bytes a page's values
 * decode to (DELTA_BYTE_ARRAY shares prefixes, so a few bytes can claim long values) against one
 * read's cap. A codec this reader cannot decompress is {@link UnsupportedCodec}, by name.
 */
public final class ParquetColumnReader {
  /** Codecs this reader decompresses. */
  static final List<CompressionCodec> SUPPORTED_CODECS =
      List.of(CompressionCodec.UNCOMPRESSED, CompressionCodec.SNAPPY, CompressionCodec.GZIP, CompressionCodec.ZSTD, CompressionCodec.LZ4_RAW);

  private ParquetColumnReader() {}

  /** A chunk compressed with a codec this reader cannot decompress (Brotli, LZO, Hadoop-framed LZ4). */
  public static final class UnsupportedCodec extends IOException {
    private final CompressionCodec codec;

    UnsupportedCodec(CompressionCodec codec) {
      super("pages compressed with " + codec + ", which this check cannot decompress (it reads " + SUPPORTED_CODECS + ")");
      this.codec = codec;
    }

    public CompressionCodec codec() {
      return codec;
    }
  }

  /** Receives a non-repeated column row by row: its definition level, and its value when present. */
  public interface RowVisitor {
    void row(int definitionLevel, Object value) throws IOException;
  }

  /** Receives each data page: the definition levels (null: all present), its value count, the present values (null when not decoded). */
  private interface PageSink {
    void page(int[] defs, int n, List<Object> values) throws IOException;
  }

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

  /**
   * The definition level at which the group (or leaf) at {@code path} is defined: how many of it
   * and its ancestors are optional or repeated. -1 when the schema has no such element.
   */
  public static int definitionLevel(FileMetaData metadata, List<String> path) {
    List<SchemaElement> schema = metadata.getSchema();
    int index = 1;
    int children = schema.get(0).isSetNum_children() ? schema.get(0).getNum_children() : 0;
    int level = 0;
    for (String name : path) {
      boolean found = false;
      for (int c = 0; c < children && index < schema.size(); c++) {
        SchemaElement e = schema.get(index);
        if (e.getName().equals(name)) {
          level += e.getRepetition_type() == FieldRepetitionType.REQUIRED ? 0 : 1;
          children = e.isSetNum_children() ? e.getNum_children() : 0;
          index++;
          found = true;
          break;
        }
        index = skip(schema, index);
      }
      if (!found) {
        return -1;
      }
    }
    return level;
  }

  /** The index after the element at {@code index} and all its descendants. */
  private static int skip(List<SchemaElement> schema, int index) {
    int pending = 1;
    while (pending > 0 && index < schema.size()) {
      SchemaElement e = schema.get(index++);
      pending += (e.isSetNum_children() ? e.getNum_children() : 0) - 1;
    }
    return index;
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
    pages(bytes, chunk, leaf, limits, true, (defs, n, values) -> out.addAll(values));
    return out;
  }

  /** How many values of the chunk are present (not null), decoding definition levels only. */
  public static long countPresent(byte[] bytes, ColumnMetaData chunk, Leaf leaf, InspectionLimits limits) throws IOException {
    return pages(bytes, chunk, leaf, limits, false, (defs, n, values) -> {});
  }

  /**
   * Hands every row of a non-repeated leaf to {@code visitor}, page by page, in order: its
   * definition level, and its value when the level is the leaf's maximum (else null). Only one
   * page's values are held at a time.
   */
  public static void rows(byte[] bytes, ColumnMetaData chunk, Leaf leaf, InspectionLimits limits, RowVisitor visitor) throws IOException {
    if (leaf.maxRepetition() > 0) {
      throw new IOException("column " + String.join(".", leaf.path()) + " is repeated: it has no one value per row");
    }
    pages(bytes, chunk, leaf, limits, true, (defs, n, values) -> {
      int next = 0;
      for (int i = 0; i < n; i++) {
        int def = defs == null ? leaf.maxDefinition() : defs[i];
        visitor.row(def, def == leaf.maxDefinition() ? values.get(next++) : null);
      }
    });
  }

  /** Walks the pages; decodes the values when {@code decode}, for {@code sink}. Returns the present count. */
  private static long pages(byte[] bytes, ColumnMetaData chunk, Leaf leaf, InspectionLimits limits, boolean decode, PageSink sink)
      throws IOException {
    List<Object> none = null;
    if (chunk.getCodec() == null || leaf.type() == null) {
      throw new IOException("the chunk's codec or type is unknown to this reader");
    }
    if (!SUPPORTED_CODECS.contains(chunk.getCodec())) {
      throw new UnsupportedCodec(chunk.getCodec());
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
        if (!decode) {
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
        sink.page(defs, n, decode ? decodeValues(data, h.getEncoding(), leaf, pagePresent, dictionary, limits) : none);
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
        List<Object> values = none;
        if (decode) {
          byte[] rest = java.util.Arrays.copyOfRange(page, repLength + defLength, page.length);
          int restSize = uncompressedSize - repLength - defLength;
          byte[] valuesBytes = (!h.isSetIs_compressed() || h.isIs_compressed()) ? decompress(chunk.getCodec(), rest, restSize) : rest;
          values = decodeValues(ByteBuffer.wrap(valuesBytes).order(ByteOrder.LITTLE_ENDIAN), h.getEncoding(), leaf, pagePresent, dictionary, limits);
        }
        sink.page(defs, n, values);
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

  private static List<Object> decodeValues(ByteBuffer data, Encoding encoding, Leaf leaf, int present, List<Object> dictionary,
      InspectionLimits limits) throws IOException {
    if (encoding == Encoding.PLAIN) {
      return plainValues(data, leaf.type(), present);
    } else if (encoding == Encoding.PLAIN_DICTIONARY || encoding == Encoding.RLE_DICTIONARY) {
      if (dictionary == null) {
        throw new IOException("dictionary-encoded page without a dictionary");
      }
      int bitWidth = data.hasRemaining() ? data.get() & 0xff : 0;
      int[] ids = hybrid(data, bitWidth, present, data.remaining());
      List<Object> out = new ArrayList<>(ids.length);
      for (int id : ids) {
        if (id < 0 || id >= dictionary.size()) {
          throw new IOException("dictionary index " + id + " out of range");
        }
        out.add(dictionary.get(id));
      }
      return out;
    } else if (encoding == Encoding.DELTA_BINARY_PACKED && (leaf.type() == Type.INT32 || leaf.type() == Type.INT64)) {
      long[] v = deltaBinaryPacked(data, present, leaf.type() == Type.INT32 ? 32 : 64);
      List<Object> out = new ArrayList<>(present);
      for (int i = 0; i < present; i++) {
        out.add(leaf.type() == Type.INT32 ? (Object) (int) v[i] : (Object) v[i]);
      }
      return out;
    } else if (encoding == Encoding.DELTA_LENGTH_BYTE_ARRAY && leaf.type() == Type.BYTE_ARRAY) {
      List<Object> out = new ArrayList<>(present);
      for (byte[] b : deltaLengthByteArray(data, present, limits)) {
        out.add(new String(b, StandardCharsets.UTF_8));
      }
      return out;
    } else if (encoding == Encoding.DELTA_BYTE_ARRAY && leaf.type() == Type.BYTE_ARRAY) {
      return deltaByteArray(data, present, limits);
    }
    throw new IOException("unsupported encoding " + encoding + " for a " + leaf.type() + " column");
  }

  /**
   * DELTA_BINARY_PACKED (parquet-format Encodings.md): a header {@code <block size> <miniblocks per
   * block> <total count> <first value>}, then blocks of {@code <min delta> <bit width per miniblock>
   * <miniblocks>}; the last block holds no bodies for miniblocks it does not need. Returns the
   * {@code wanted} values (the header must claim exactly as many: it sizes the loops), and
   * leaves {@code data} after the last miniblock. Arithmetic wraps, as the spec says it may.
   */
  static long[] deltaBinaryPacked(ByteBuffer data, int wanted, int maxBitWidth) throws IOException {
    long blockSize = readVarint(data);
    long miniblocks = readVarint(data);
    long total = readVarint(data);
    long value = zigzag(readVarint(data));
    if (blockSize <= 0 || blockSize % 128 != 0 || blockSize > (1 << 20) || miniblocks <= 0 || blockSize % miniblocks != 0
        || (blockSize / miniblocks) % 32 != 0) {
      throw new IOException("a DELTA_BINARY_PACKED header claims blocks of " + blockSize + " values in " + miniblocks + " miniblocks");
    }
    if (total != wanted) {
      // Writers encode exactly the page's present values; any other count is a lie that would size a loop.
      throw new IOException("a DELTA_BINARY_PACKED run claims " + total + " values where the page holds " + wanted);
    }
    long[] out = new long[wanted];
    if (total == 0) {
      return out;
    }
    out[0] = value;
    int perMiniblock = (int) (blockSize / miniblocks);
    long decoded = 1;
    while (decoded < total) {
      long minDelta = zigzag(readVarint(data));
      need(data, (int) miniblocks);
      byte[] widths = new byte[(int) miniblocks];
      data.get(widths);
      for (int m = 0; m < miniblocks && decoded < total; m++) {
        int width = widths[m] & 0xff;
        if (width > maxBitWidth) {
          throw new IOException("a DELTA_BINARY_PACKED miniblock claims " + width + " bits per value, more than " + maxBitWidth);
        }
        int bytes = perMiniblock / 8 * width;
        need(data, bytes);
        int base = data.position();
        for (int i = 0; i < perMiniblock && decoded < total; i++) {
          value += minDelta + bits(data, base, (long) i * width, width);
          out[(int) decoded++] = value;
        }
        data.position(base + bytes);
      }
    }
    return out;
  }

  /** {@code width} bits (at most 64) starting {@code bitOffset} bits after {@code base}, least significant first. */
  private static long bits(ByteBuffer data, int base, long bitOffset, int width) {
    long result = 0;
    for (int done = 0; done < width; ) {
      long bit = bitOffset + done;
      int b = data.get(base + (int) (bit >>> 3)) & 0xff;
      int shift = (int) (bit & 7);
      int take = Math.min(8 - shift, width - done);
      result |= (long) ((b >>> shift) & ((1 << take) - 1)) << done;
      done += take;
    }
    return result;
  }

  private static long zigzag(long n) {
    return (n >>> 1) ^ -(n & 1);
  }

  /** DELTA_LENGTH_BYTE_ARRAY: the lengths, DELTA_BINARY_PACKED, then the bytes of every value back to back. */
  static byte[][] deltaLengthByteArray(ByteBuffer data, int count, InspectionLimits limits) throws IOException {
    long[] lengths = deltaBinaryPacked(data, count, 32);
    long sum = 0;
    for (long l : lengths) {
      if (l < 0) {
        throw new IOException("a DELTA_LENGTH_BYTE_ARRAY value claims " + l + " bytes");
      }
      sum += l;
    }
    if (sum > data.remaining()) {
      throw new IOException("DELTA_LENGTH_BYTE_ARRAY values claim " + sum + " bytes, " + data.remaining() + " remain");
    }
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) {
      out[i] = new byte[(int) lengths[i]];
      data.get(out[i]);
    }
    return out;
  }

  /**
   * DELTA_BYTE_ARRAY: prefix lengths (DELTA_BINARY_PACKED), then suffixes (DELTA_LENGTH_BYTE_ARRAY);
   * each value is that many bytes of the previous value followed by its suffix. The values' bytes
   * together are bounded by one read's cap before they are built.
   */
  static List<Object> deltaByteArray(ByteBuffer data, int count, InspectionLimits limits) throws IOException {
    long[] prefixes = deltaBinaryPacked(data, count, 32);
    byte[][] suffixes = deltaLengthByteArray(data, count, limits);
    List<Object> out = new ArrayList<>(count);
    byte[] previous = new byte[0];
    long total = 0;
    for (int i = 0; i < count; i++) {
      long prefix = prefixes[i];
      if (prefix < 0 || prefix > previous.length) {
        throw new IOException("a DELTA_BYTE_ARRAY value shares " + prefix + " bytes with a previous value of " + previous.length);
      }
      total += prefix + suffixes[i].length;
      if (total > limits.maxSingleRead()) {
        throw new ReadBudgetExceeded("a DELTA_BYTE_ARRAY page's values decode to more than the " + InspectionLimits.mib(limits.maxSingleRead())
            + " one page may take (derived from the operator's heap)");
      }
      byte[] v = java.util.Arrays.copyOf(previous, (int) prefix + suffixes[i].length);
      System.arraycopy(suffixes[i], 0, v, (int) prefix, suffixes[i].length);
      out.add(new String(v, StandardCharsets.UTF_8));
      previous = v;
    }
    return out;
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
        throw new UnsupportedCodec(codec);
    }
  }
}
