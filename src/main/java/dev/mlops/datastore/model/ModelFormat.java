package dev.mlops.datastore.model;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the first bytes of a model file are, by their magic numbers, and which contents each of
 * DataRobot's documented artifact extensions may hold. Works on a prefix of at most {@link
 * #PREFIX} bytes and never allocates by a length read from the data: the ONNX check walks the
 * first protobuf fields and only compares their lengths with the object's size.
 */
public enum ModelFormat {
  /** Python pickle, protocol 2 to 5 ({@code 0x80 PROTO n}). */
  PICKLE("a Python pickle"),
  /** zlib stream: joblib's compressed pickles. */
  ZLIB("a zlib-compressed stream (joblib's compressed pickle)"),
  ZIP("a zip archive"),
  HDF5("an HDF5 file"),
  ONNX("an ONNX model (protobuf)"),
  PMML("PMML XML"),
  /** XML whose root element is not PMML. */
  XML("XML that is not PMML"),
  GZIP("gzip-compressed data"),
  BZIP2("bzip2-compressed data"),
  XZ("xz-compressed data"),
  /** R's serialize() format, uncompressed ({@code X\n} or {@code B\n}). */
  RDS("an R serialized object"),
  TEXT("text"),
  BINARY("binary data of no known model format"),
  EMPTY("empty");

  /** Bytes {@link #sniff} looks at: enough for HDF5's superblock at offset 2048. */
  public static final int PREFIX = 4096;

  private static final byte[] HDF5_MAGIC = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  private static final byte[] XZ_MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};

  /** DataRobot's documented artifact extensions and the contents each may hold. */
  private static final Map<String, Set<ModelFormat>> EXPECTED = Map.of(
      ".pkl", EnumSet.of(PICKLE, ZLIB),
      ".pth", EnumSet.of(ZIP, PICKLE),
      ".h5", EnumSet.of(HDF5),
      ".onnx", EnumSet.of(ONNX),
      ".pmml", EnumSet.of(PMML),
      ".rds", EnumSet.of(GZIP, BZIP2, XZ, RDS),
      ".jar", EnumSet.of(ZIP),
      ".zip", EnumSet.of(ZIP),
      ".mojo", EnumSet.of(ZIP));

  private final String description;

  ModelFormat(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /** Whether the content is a model binary (not text a person wrote). */
  public boolean isBinaryModel() {
    return this != TEXT && this != EMPTY && this != XML;
  }

  /** The artifact extension of a file name (lower case, with the dot), when it is one of DataRobot's. */
  public static Optional<String> artifactExtension(String name) {
    int dot = name.lastIndexOf('.');
    if (dot < 0) {
      return Optional.empty();
    }
    String ext = name.substring(dot).toLowerCase(Locale.ROOT);
    return EXPECTED.containsKey(ext) ? Optional.of(ext) : Optional.empty();
  }

  /** The contents an artifact extension may hold. */
  public static Set<ModelFormat> expectedFor(String extension) {
    return EXPECTED.getOrDefault(extension, Set.of());
  }

  /**
   * The format of a file from its first bytes.
   *
   * @param prefix the first bytes (at most {@link #PREFIX} are looked at)
   * @param size the whole object's size, against which lengths read from the prefix are checked
   */
  public static ModelFormat sniff(byte[] prefix, long size) {
    int n = Math.min(prefix.length, PREFIX);
    if (n == 0) {
      return EMPTY;
    }
    if (n >= 4 && prefix[0] == 'P' && prefix[1] == 'K' && (prefix[2] == 3 && prefix[3] == 4 || prefix[2] == 5 && prefix[3] == 6)) {
      return ZIP;
    }
    for (int at : new int[] {0, 512, 1024, 2048}) {
      if (startsWith(prefix, n, at, HDF5_MAGIC)) {
        return HDF5;
      }
    }
    if (n >= 2 && (prefix[0] & 0xff) == 0x1f && (prefix[1] & 0xff) == 0x8b) {
      return GZIP;
    }
    if (n >= 3 && prefix[0] == 'B' && prefix[1] == 'Z' && prefix[2] == 'h') {
      return BZIP2;
    }
    if (startsWith(prefix, n, 0, XZ_MAGIC)) {
      return XZ;
    }
    if (n >= 2 && (prefix[0] & 0xff) == 0x80 && prefix[1] >= 2 && prefix[1] <= 5) {
      return PICKLE;
    }
    if (n >= 2 && (prefix[0] & 0xff) == 0x78 && ((prefix[0] & 0xff) * 256 + (prefix[1] & 0xff)) % 31 == 0) {
      return ZLIB;
    }
    if (n >= 2 && (prefix[0] == 'X' || prefix[0] == 'B') && prefix[1] == '\n') {
      return RDS;
    }
    if (looksLikeOnnx(prefix, n, size)) {
      return ONNX;
    }
    if (!isText(prefix, n)) {
      return BINARY;
    }
    Optional<String> root = xmlRoot(new String(prefix, 0, n, StandardCharsets.UTF_8));
    if (root.isPresent()) {
      String local = root.get().substring(root.get().indexOf(':') + 1);
      return local.equals("PMML") ? PMML : XML;
    }
    return TEXT;
  }

  /** The root element's name of an XML document's prefix, or empty when the text is not XML. */
  static Optional<String> xmlRoot(String text) {
    int i = text.startsWith("\uFEFF") ? 1 : 0;
    while (true) {
      while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i >= text.length() || text.charAt(i) != '<') {
        return Optional.empty();
      }
      if (text.startsWith("<?", i) || text.startsWith("<!--", i) || text.startsWith("<!", i)) {
        String end = text.startsWith("<?", i) ? "?>" : text.startsWith("<!--", i) ? "-->" : ">";
        int close = text.indexOf(end, i + 2);
        if (close < 0) {
          return Optional.empty();
        }
        i = close + end.length();
        continue;
      }
      int start = i + 1;
      int j = start;
      while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || ":_-.".indexOf(text.charAt(j)) >= 0)) {
        j++;
      }
      return j > start && Character.isLetter(text.charAt(start)) ? Optional.of(text.substring(start, j)) : Optional.empty();
    }
  }

  /**
   * ONNX's {@code ModelProto} starts with {@code ir_version} (field 1, a varint) and continues
   * with its other fields (producer_name, opset_import, graph, ...): the first fields must have
   * ModelProto's numbers and wire types, and their lengths must fit in the object.
   */
  static boolean looksLikeOnnx(byte[] b, int n, long size) {
    if (n < 2 || b[0] != 0x08) {
      return false;
    }
    int[] pos = {1};
    long irVersion = varint(b, n, pos);
    if (irVersion < 1 || irVersion > 64) {
      return false;
    }
    int fields = 0;
    while (pos[0] < n && fields < 4) {
      long tag = varint(b, n, pos);
      if (tag < 0) {
        return fields > 0;
      }
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      boolean varintField = field == 1 || field == 5;
      boolean lengthField = field >= 2 && field <= 8 && field != 5 || field == 14 || field == 20 || field == 25 || field == 26;
      if (varintField && wire == 0) {
        if (varint(b, n, pos) < 0) {
          return fields > 0;
        }
      } else if (lengthField && wire == 2) {
        long length = varint(b, n, pos);
        if (length < 0) {
          return fields > 0;
        }
        if (length > size - pos[0]) {
          return false;
        }
        pos[0] = (int) Math.min(n, pos[0] + length);
      } else {
        return false;
      }
      fields++;
    }
    return fields > 0 || size <= n;
  }

  /** A varint at pos (advanced), or -1 when it does not end within the prefix or 10 bytes. */
  private static long varint(byte[] b, int n, int[] pos) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= n) {
        return -1;
      }
      int x = b[pos[0]++] & 0xff;
      value |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return value < 0 ? -1 : value;
      }
    }
    return -1;
  }

  private static boolean startsWith(byte[] b, int n, int at, byte[] magic) {
    if (at + magic.length > n) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (b[at + i] != magic[i]) {
        return false;
      }
    }
    return true;
  }

  /** No NUL, and few control characters other than tab, line ends and form feed. */
  static boolean isText(byte[] b, int n) {
    int control = 0;
    for (int i = 0; i < n; i++) {
      int c = b[i] & 0xff;
      if (c == 0) {
        return false;
      }
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) {
        control++;
      }
    }
    return control * 20 <= n;
  }
}
