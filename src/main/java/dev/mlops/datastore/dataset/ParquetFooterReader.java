package dev.mlops.datastore.dataset;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Util;

/**
 * Reads a Parquet file's footer (FileMetaData, Thrift compact protocol) from the end of the
 * object: one suffix read usually, one more when the footer is larger than it. An encrypted
 * footer (magic PARE) is reported as such, not as corruption; a plaintext footer with encrypted
 * columns is readable.
 */
public final class ParquetFooterReader {
  /** Footers larger than this are refused rather than read into memory. */
  static final int MAX_FOOTER = 64 * 1024 * 1024;
  public static final int SUFFIX = 64 * 1024;

  /** The decoded footer and the top-level column names. */
  public record Footer(FileMetaData metadata, List<String> columns, long rows) {}

  /** A footer that cannot be read; {@code problem} says why. */
  public static final class UnreadableFooter extends Exception {
    private final Problem problem;

    UnreadableFooter(Problem problem) {
      super(problem.message());
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }
  }

  private ParquetFooterReader() {}

  /**
   * @param tail the last bytes of the object (at least 8, or the whole object)
   * @param size the object's size
   */
  public static Footer read(ObjectStore store, String key, byte[] tail, long size) throws UnreadableFooter {
    if (size < 12 || tail.length < 8) {
      throw new UnreadableFooter(Problem.format("CorruptParquet", "the object is too short (" + size + " bytes) to be Parquet"));
    }
    String magic = new String(tail, tail.length - 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
    if (magic.equals("PARE")) {
      throw new UnreadableFooter(Problem.format("EncryptedFooter",
          "the Parquet footer is encrypted (magic PARE): the schema cannot be read without the file's keys"));
    }
    if (!magic.equals("PAR1")) {
      throw new UnreadableFooter(Problem.format("CorruptParquet", "the object does not end with the Parquet magic PAR1"));
    }
    long footerLength = ByteBuffer.wrap(tail, tail.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
    if (footerLength == 0 || footerLength > size - 12) {
      throw new UnreadableFooter(Problem.format("CorruptParquet", "the footer length (" + footerLength + " bytes) does not fit the object (" + size + " bytes)"));
    }
    if (footerLength > MAX_FOOTER) {
      throw new UnreadableFooter(Problem.format("FooterTooLarge", "the Parquet footer is " + footerLength + " bytes, more than the " + MAX_FOOTER + " this check reads"));
    }
    byte[] footer;
    if (footerLength + 8 <= tail.length) {
      int from = tail.length - 8 - (int) footerLength;
      footer = java.util.Arrays.copyOfRange(tail, from, tail.length - 8);
    } else {
      footer = store.read(key, size - 8 - footerLength, (int) footerLength);
    }
    return decode(footer);
  }

  /** Decodes a footer's bytes. */
  public static Footer decode(byte[] footer) throws UnreadableFooter {
    FileMetaData metadata;
    try {
      metadata = Util.readFileMetaData(new ByteArrayInputStream(footer));
    } catch (IOException | RuntimeException e) {
      throw new UnreadableFooter(Problem.format("CorruptParquet", "the Parquet footer cannot be decoded (" + e.getClass().getSimpleName() + ")"));
    }
    List<SchemaElement> schema = metadata.getSchema();
    if (schema == null || schema.isEmpty()) {
      throw new UnreadableFooter(Problem.format("CorruptParquet", "the Parquet footer has no schema"));
    }
    List<String> columns = new ArrayList<>();
    int[] index = {1};
    int children = schema.get(0).isSetNum_children() ? schema.get(0).getNum_children() : 0;
    for (int c = 0; c < children && index[0] < schema.size(); c++) {
      columns.add(schema.get(index[0]).getName());
      skip(schema, index);
    }
    return new Footer(metadata, columns, metadata.getNum_rows());
  }

  /** Moves past one schema element and all its descendants (iteratively: no deep recursion). */
  private static void skip(List<SchemaElement> schema, int[] index) {
    long pending = 1;
    while (pending > 0 && index[0] < schema.size()) {
      SchemaElement e = schema.get(index[0]++);
      pending--;
      pending += e.isSetNum_children() ? Math.max(0, e.getNum_children()) : 0;
    }
  }
}
