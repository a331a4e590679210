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
 * columns is readable. The footer's length is checked against the object and the budget before it
 * is read, and its structure against its bytes before it is decoded ({@link ThriftStructBounds}).
 */
public final class ParquetFooterReader {
  public static final int SUFFIX = 64 * 1024;

  /** The decoded footer and the top-level column names. */
  public record Footer(FileMetaData metadata, List<String> columns, long rows) {}

  /** A footer that cannot be read; {@code problem} says why. */
  public static final class UnreadableFooter extends Exception {
    private final Problem problem;

    UnreadableFooter(Problem problem) {
      super(problem.message(), null, false, false);
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
  public static Footer read(ObjectStore store, String key, byte[] tail, long size, InspectionLimits limits) throws UnreadableFooter {
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
    if (footerLength > limits.maxFooterBytes()) {
      throw new UnreadableFooter(Problem.format(ReadBudgetExceeded.REASON, "the Parquet footer of " + store.describe(key) + " is "
          + InspectionLimits.mib(footerLength) + ", more than the " + InspectionLimits.mib(limits.maxFooterBytes())
          + " this check reads (derived from the operator's heap)"));
    }
    byte[] footer;
    int from;
    if (footerLength + 8 <= tail.length) {
      footer = tail;
      from = tail.length - 8 - (int) footerLength;
    } else {
      footer = store.read(key, size - 8 - footerLength, (int) footerLength);
      from = 0;
      if (footer.length != footerLength) {
        throw new UnreadableFooter(Problem.format("CorruptParquet", "the footer's " + footerLength + " bytes could not all be read (the object changed?)"));
      }
    }
    return decode(footer, from, (int) footerLength, limits, "the Parquet footer of " + store.describe(key));
  }

  /** Decodes a footer's bytes, {@code length} of them from {@code from}. */
  static Footer decode(byte[] bytes, int from, int length, InspectionLimits limits, String what) throws UnreadableFooter {
    try {
      ThriftStructBounds.struct(bytes, from, from + length, limits.maxDecodedBytes(), what);
    } catch (ThriftStructBounds.Malformed e) {
      throw new UnreadableFooter(Problem.format("CorruptParquet", "the Parquet footer cannot be decoded: " + e.getMessage()));
    } catch (ReadBudgetExceeded e) {
      throw new UnreadableFooter(e.problem());
    }
    FileMetaData metadata;
    try {
      metadata = Util.readFileMetaData(new ByteArrayInputStream(bytes, from, length));
    } catch (IOException | RuntimeException e) {
      // Thrift's own verdict on bytes whose sizes were checked above (a missing required field, a
      // wrong type): a corrupt footer, not a fault of this code.
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
