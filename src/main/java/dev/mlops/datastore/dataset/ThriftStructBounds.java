package dev.mlops.datastore.dataset;

import java.io.IOException;

/**
 * Walks one Thrift compact-protocol struct (a Parquet footer or page header) without building
 * anything, before the generated Thrift classes decode it. The shaded Thrift inside
 * parquet-format-structures sizes its lists by the count the file claims ({@code new
 * ArrayList(size)}), checks no string length against the bytes present, and skips unknown fields
 * recursively without a depth limit; so a 22-byte object claiming a list of 2^31 structs is an
 * OutOfMemoryError. Here every count and length is checked against the bytes that remain (each
 * element takes at least one byte), the nesting depth is bounded, and the heap the decoded objects
 * would take is estimated, so the decode that follows allocates in proportion to bytes that exist.
 */
final class ThriftStructBounds {
  /** Parquet's structures nest about six deep; anything far deeper is not a footer. */
  static final int MAX_DEPTH = 64;
  private static final int STRUCT_COST = 64;
  private static final int FIELD_COST = 8;
  private static final int CONTAINER_COST = 48;
  private static final int ELEMENT_COST = 16;
  private static final int STRING_COST = 56;

  /** Where the struct ends, and the heap its decoded objects would take, roughly and from above. */
  record Extent(int end, long decodedBytes) {}

  /** A struct whose claims do not fit the bytes; the message says which claim. */
  static final class Malformed extends IOException {
    Malformed(String message) {
      super(message);
    }
  }

  private final byte[] b;
  private final int limit;
  private final long maxDecoded;
  private int pos;
  private long decoded;

  private ThriftStructBounds(byte[] b, int from, int limit, long maxDecoded) {
    this.b = b;
    this.pos = from;
    this.limit = limit;
    this.maxDecoded = maxDecoded;
  }

  /**
   * @param maxDecoded the heap the decoded struct may take; more is {@link ReadBudgetExceeded}
   * @throws Malformed when a count, length, type or the depth does not fit the bytes
   */
  static Extent struct(byte[] bytes, int from, int limit, long maxDecoded, String what) throws Malformed {
    ThriftStructBounds scan = new ThriftStructBounds(bytes, from, Math.min(limit, bytes.length), maxDecoded);
    scan.struct(0);
    if (scan.decoded > maxDecoded) {
      throw new ReadBudgetExceeded(what + " would take about " + InspectionLimits.mib(scan.decoded) + " of memory decoded, more than the "
          + InspectionLimits.mib(maxDecoded) + " one check may use (derived from the operator's heap)");
    }
    return new Extent(scan.pos, scan.decoded);
  }

  private void struct(int depth) throws Malformed {
    if (depth > MAX_DEPTH) {
      throw new Malformed("structures nest deeper than " + MAX_DEPTH);
    }
    charge(STRUCT_COST);
    while (true) {
      int header = readByte();
      if (header == 0) {
        return;
      }
      int type = header & 0x0f;
      if ((header & 0xf0) == 0) {
        varint(3); // a field id that is not a small delta: a zigzag i16
      }
      charge(FIELD_COST);
      value(type, depth, false);
    }
  }

  private void value(int type, int depth, boolean inContainer) throws Malformed {
    if (inContainer) {
      charge(ELEMENT_COST);
    }
    switch (type) {
      case 1, 2 -> {
        if (inContainer) {
          readByte(); // booleans in a container take one byte each; as a field, the type says the value
        }
      }
      case 3 -> readByte();
      case 4, 5, 6 -> varint(10);
      case 7 -> skip(8, "a double");
      case 8 -> {
        long length = varint(5);
        if (length < 0 || length > limit - pos) {
          throw new Malformed("a string claims " + length + " bytes where " + (limit - pos) + " remain");
        }
        charge(STRING_COST + 2 * length);
        pos += (int) length;
      }
      case 9, 10 -> list(depth);
      case 11 -> map(depth);
      case 12 -> struct(depth + 1);
      case 13 -> skip(16, "a UUID");
      default -> throw new Malformed("unknown Thrift type " + type);
    }
  }

  private void list(int depth) throws Malformed {
    int header = readByte();
    long size = (header >>> 4) & 0x0f;
    if (size == 15) {
      size = varint(5);
    }
    int elementType = header & 0x0f;
    checkCount(size, "a list");
    charge(CONTAINER_COST + 8 * size);
    for (long i = 0; i < size; i++) {
      value(elementType, depth + 1, true);
    }
  }

  private void map(int depth) throws Malformed {
    long size = varint(5);
    if (size == 0) {
      charge(CONTAINER_COST);
      return;
    }
    int types = readByte();
    checkCount(2 * size, "a map");
    charge(CONTAINER_COST + 48 * size);
    for (long i = 0; i < size; i++) {
      value((types >>> 4) & 0x0f, depth + 1, true);
      value(types & 0x0f, depth + 1, true);
    }
  }

  /** Every element takes at least one byte: a count larger than the bytes left is a lie. */
  private void checkCount(long size, String what) throws Malformed {
    if (size < 0 || size > limit - pos) {
      throw new Malformed(what + " claims " + size + " elements where " + (limit - pos) + " bytes remain");
    }
  }

  private void charge(long bytes) {
    decoded += bytes;
  }

  private int readByte() throws Malformed {
    if (pos >= limit) {
      throw new Malformed("the structure ends early, at byte " + pos);
    }
    return b[pos++] & 0xff;
  }

  private void skip(int n, String what) throws Malformed {
    if (n > limit - pos) {
      throw new Malformed(what + " ends past the bytes present");
    }
    pos += n;
  }

  private long varint(int maxBytes) throws Malformed {
    long result = 0;
    for (int i = 0; i < maxBytes; i++) {
      int v = readByte();
      result |= (long) (v & 0x7f) << (7 * i);
      if ((v & 0x80) == 0) {
        return result;
      }
    }
    throw new Malformed("a varint is longer than " + maxBytes + " bytes");
  }
}
