package dev.mlops.datastore.dataset;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Column names from the first bytes of a text dataset: a CSV header (quotes, multi-line quoted
 * names, CRLF / CR / LF, a BOM, UTF-16, and the delimiter among , ; tab and |), the keys of the
 * first JSON Lines records, or of the first records of one JSON array. Gzip is buffered whole
 * before it is inflated (the JDK's GZIPInputStream stops after the first member on a live
 * stream), and inflation stops at a bounded size.
 *
 * <p>The platforms read text as UTF-8 (pandas' default), so text that is not is found here
 * ({@link #notUtf8}): the first invalid byte, or the NUL bytes of UTF-16 without a byte-order mark,
 * with the encoding it most likely is, so the columns can still be shown decoded as that.
 */
public final class TextSchemaReader {
  static final int MAX_INFLATED = 4 * 1024 * 1024;
  private static final int MAX_RECORDS = 1000;
  private static final char[] DELIMITERS = {',', ';', '\t', '|'};
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).maxStringLength(1_000_000).build())
      .build();

  private TextSchemaReader() {}

  /** The result of reading a header or records: columns, or the need for more bytes, or a problem. */
  public record Result(List<String> columns, boolean needMore, Problem problem) {
    static Result of(List<String> columns) {
      return new Result(columns, false, null);
    }

    static Result more() {
      return new Result(null, true, null);
    }

    static Result failed(Problem p) {
      return new Result(null, false, p);
    }
  }

  /**
   * Text that is not UTF-8: where the first byte that breaks UTF-8 is, and the encoding the bytes
   * most likely are (which the caller decodes them as, to show the columns).
   */
  public record NotUtf8(long offset, int badByte, String encoding, Charset charset) {}

  /** Text decoded, and what was not UTF-8 about its bytes (null when they are UTF-8, or UTF-16 with a BOM). */
  public record Decoded(String text, NotUtf8 notUtf8) {}

  /** Decodes as {@link #decode} does, but says when the bytes are not UTF-8 and decodes them as what they likely are. */
  static Decoded decodeChecked(byte[] b, boolean complete) {
    NotUtf8 bad = notUtf8(b, complete);
    if (bad == null) {
      return new Decoded(decode(b), null);
    }
    boolean utf16 = bad.charset().equals(StandardCharsets.UTF_16LE) || bad.charset().equals(StandardCharsets.UTF_16BE);
    // A UTF-8 BOM before invalid bytes: the writer meant UTF-8, but the bytes are what they are; the BOM is not a column name.
    int from = !utf16 && b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF ? 3 : 0;
    int length = utf16 ? b.length & ~1 : b.length - from;
    return new Decoded(new String(b, from, length, bad.charset()), bad);
  }

  /**
   * Whether the bytes are not UTF-8: BOM-less UTF-16 (a zero in every other byte of ASCII text), or
   * the first byte sequence UTF-8 forbids (a stray continuation byte, a lead byte without its
   * continuations, an overlong form, a surrogate, beyond U+10FFFF). A sequence cut by the end of
   * the bytes is not counted when more of the object follows ({@code complete} false). A UTF-16 BOM
   * is honoured; after a UTF-8 BOM the bytes are still checked.
   */
  static NotUtf8 notUtf8(byte[] b, boolean complete) {
    boolean utf8Bom = b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF;
    if (!utf8Bom && b.length >= 2 && ((b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE || (b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF)) {
      return null;
    }
    if (b.length >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0) {
      return new NotUtf8(1, 0, "UTF-16LE (without a byte-order mark)", StandardCharsets.UTF_16LE);
    }
    if (b.length >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0) {
      return new NotUtf8(0, 0, "UTF-16BE (without a byte-order mark)", StandardCharsets.UTF_16BE);
    }
    int i = utf8Bom ? 3 : 0;
    while (i < b.length) {
      int c = b[i] & 0xff;
      int need;
      int min;
      if (c < 0x80) {
        i++;
        continue;
      } else if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        min = 0x80;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        min = 0x800;
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        min = 0x10000;
      } else {
        return singleByte(b, i);
      }
      int cp = c & (0x3F >> need);
      for (int k = 1; k <= need; k++) {
        if (i + k >= b.length) {
          return complete ? singleByte(b, i) : null;
        }
        int cc = b[i + k] & 0xff;
        if ((cc & 0xC0) != 0x80) {
          return singleByte(b, i);
        }
        cp = cp << 6 | cc & 0x3F;
      }
      if (cp < min || cp > 0x10FFFF || cp >= 0xD800 && cp <= 0xDFFF) {
        return singleByte(b, i);
      }
      i += need + 1;
    }
    return null;
  }

  /** Invalid UTF-8 at {@code at}: windows-1252 when bytes 0x80-0x9F (its curly quotes, dashes, euro) appear, else ISO-8859-1. */
  private static NotUtf8 singleByte(byte[] b, int at) {
    for (byte x : b) {
      int v = x & 0xff;
      if (v >= 0x80 && v <= 0x9F && v != 0x81 && v != 0x8D && v != 0x8F && v != 0x90 && v != 0x9D) {
        return new NotUtf8(at, b[at] & 0xff, "windows-1252", Charset.forName("windows-1252"));
      }
    }
    return new NotUtf8(at, b[at] & 0xff, "ISO-8859-1 (Latin-1)", StandardCharsets.ISO_8859_1);
  }

  /** A name fit to show: control characters removed, at most {@code max} characters. */
  public static String printable(String name, int max) {
    StringBuilder out = new StringBuilder();
    name.codePoints().filter(cp -> !Character.isISOControl(cp) && Character.getType(cp) != Character.FORMAT).forEach(out::appendCodePoint);
    return out.length() <= max ? out.toString() : out.substring(0, max) + "...";
  }

  /** What the first bytes are. */
  public enum Sniffed {
    EMPTY,
    PARQUET,
    PARQUET_ENCRYPTED,
    GZIP,
    JSON_ARRAY,
    JSON_OBJECT,
    TEXT
  }

  public static Sniffed sniff(byte[] head) {
    if (head.length == 0) {
      return Sniffed.EMPTY;
    }
    if (head.length >= 4 && head[0] == 'P' && head[1] == 'A' && head[2] == 'R' && (head[3] == '1' || head[3] == 'E')) {
      return head[3] == '1' ? Sniffed.PARQUET : Sniffed.PARQUET_ENCRYPTED;
    }
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return Sniffed.GZIP;
    }
    String text = decode(head);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        continue;
      }
      return c == '[' ? Sniffed.JSON_ARRAY : c == '{' ? Sniffed.JSON_OBJECT : Sniffed.TEXT;
    }
    return Sniffed.TEXT;
  }

  /** Text with its BOM honoured (UTF-8, UTF-16 LE/BE) and removed. */
  static String decode(byte[] b) {
    if (b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
      return new String(b, 3, b.length - 3, StandardCharsets.UTF_8);
    }
    if (b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE) {
      return new String(b, 2, (b.length - 2) & ~1, StandardCharsets.UTF_16LE);
    }
    if (b.length >= 2 && (b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF) {
      return new String(b, 2, (b.length - 2) & ~1, StandardCharsets.UTF_16BE);
    }
    if (b.length >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0) {
      return new String(b, 0, b.length & ~1, StandardCharsets.UTF_16LE);
    }
    if (b.length >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0) {
      return new String(b, 0, b.length & ~1, StandardCharsets.UTF_16BE);
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Inflated bytes, and whether the gzip stream ended where it says it does (its last member's trailer read). */
  record Inflated(byte[] bytes, boolean ended) {}

  /** Inflated bytes of a gzip prefix: as many as the prefix holds, at most {@link #MAX_INFLATED}. */
  static Inflated gunzip(byte[] prefix) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean ended = false;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(prefix), 8192)) {
      byte[] buf = new byte[8192];
      int n = 0;
      while (out.size() < MAX_INFLATED && (n = in.read(buf)) > 0) {
        out.write(buf, 0, Math.min(n, MAX_INFLATED - out.size()));
      }
      ended = n < 0;
    } catch (EOFException truncated) {
      // The prefix ends inside the stream: what was inflated so far is what we read.
    }
    return new Inflated(out.toByteArray(), ended);
  }

  /**
   * The header of a CSV text.
   *
   * @param complete whether the text is the whole object (no more bytes to fetch)
   */
  public static Result csvHeader(String text, boolean complete) {
    int end = recordEnd(text, 0);
    if (end < 0) {
      if (!complete) {
        return Result.more();
      }
      end = text.length();
    }
    String header = text.substring(0, end);
    if (header.isBlank()) {
      return Result.failed(Problem.format("EmptyHeader", "the first line of the CSV is empty: no column names"));
    }
    int next = skipNewline(text, end);
    int secondEnd = next < text.length() ? recordEnd(text, next) : -1;
    String second = secondEnd > next ? text.substring(next, secondEnd) : null;
    char delimiter = delimiter(header, second);
    List<String> names = split(header, delimiter);
    if (names.size() == 1 && !plausibleSingleColumn(names.get(0), next < text.length())) {
      // One field and no delimiter that does not read as a column name over data rows: a
      // configuration file, a secret, a note -- not a table with a header. Its first line must not
      // become a "column name" in a status that view can read.
      return Result.failed(Problem.format("NotTabular", "the first line holds no delimiter (',', ';', tab or '|')"
          + (names.get(0).indexOf('=') > 0 ? " and reads as KEY=VALUE" : "")
          + ": the object is not a table with a header; its content is not shown"));
    }
    return Result.of(names);
  }

  /**
   * A one-column CSV ({@code id} over a list of IDs) is a table: its header is one identifier-like
   * name (no space, no {@code =}, no {@code :}, at most 128 characters) with at least one row under it.
   */
  private static boolean plausibleSingleColumn(String name, boolean hasRows) {
    String n = name.strip();
    if (!hasRows || n.isEmpty() || n.length() > 128) {
      return false;
    }
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      if (Character.isWhitespace(c) || c == '=' || c == ':' || Character.isISOControl(c)) {
        return false;
      }
    }
    return true;
  }

  /** The index where the record starting at {@code from} ends (an unquoted CR or LF), or -1. */
  static int recordEnd(String text, int from) {
    boolean quoted = false;
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && (c == '\n' || c == '\r')) {
        return i;
      }
    }
    return -1;
  }

  private static int skipNewline(String text, int at) {
    if (at < text.length() && text.charAt(at) == '\r') {
      at++;
    }
    if (at < text.length() && text.charAt(at) == '\n') {
      at++;
    }
    return at;
  }

  /** The candidate found most often in the header, preferring one the second record agrees with. */
  private static char delimiter(String header, String second) {
    char best = ',';
    long bestScore = 0;
    for (char d : DELIMITERS) {
      int count = countUnquoted(header, d);
      if (count == 0) {
        continue;
      }
      boolean consistent = second == null || countUnquoted(second, d) == count;
      long score = (consistent ? 1_000_000L : 0) + count;
      if (score > bestScore) {
        best = d;
        bestScore = score;
      }
    }
    return best;
  }

  private static int countUnquoted(String s, char d) {
    int n = 0;
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == d) {
        n++;
      }
    }
    return n;
  }

  static List<String> split(String record, char delimiter) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < record.length(); i++) {
      char c = record.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < record.length() && record.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == delimiter) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  /**
   * Keys of the first JSON Lines records (in order of first appearance).
   *
   * @param complete whether the text is the whole object
   */
  public static Result jsonLines(String text, boolean complete) {
    Set<String> keys = new LinkedHashSet<>();
    int records = 0;
    int start = 0;
    while (start < text.length() && records < MAX_RECORDS) {
      int nl = indexOfNewline(text, start);
      if (nl < 0 && !complete) {
        break; // a partial last line
      }
      int end = nl < 0 ? text.length() : nl;
      String line = text.substring(start, end).strip();
      start = end + 1;
      if (line.isEmpty()) {
        continue;
      }
      List<String> lineKeys = objectKeys(line);
      if (lineKeys == null && nl < 0 && cutShort(line)) {
        return Result.failed(Problem.format("TruncatedRecord", "the data ends inside record " + (records + 1) + ": its last line ("
            + line.length() + " characters, no line end) is a JSON object cut short, so the object looks cut: upload or compress it again in full"));
      }
      if (lineKeys == null) {
        if (records == 0) {
          String trimmed = line.strip();
          if (trimmed.equals("{") || trimmed.startsWith("{") && !trimmed.endsWith("}")) {
            return Result.failed(Problem.format("NotJsonLines",
                "the object holds pretty-printed JSON spread over several lines, not JSON Lines (one JSON object per line)"));
          }
          return Result.failed(Problem.format("InvalidJsonLine", "line 1 is not a JSON object"));
        }
        return Result.failed(Problem.format("InvalidJsonLine", "record " + (records + 1) + " is not a JSON object on one line"));
      }
      keys.addAll(lineKeys);
      records++;
    }
    if (records == 0) {
      return complete ? Result.failed(Problem.format("NoRecords", "no JSON record found")) : Result.more();
    }
    return Result.of(List.copyOf(keys));
  }

  private static int indexOfNewline(String text, int from) {
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        return i;
      }
    }
    return -1;
  }

  /** Whether the text is the start of a JSON object that ends before the object closes (not a syntax error). */
  static boolean cutShort(String text) {
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      int depth = 1;
      while (depth > 0) {
        JsonToken t = p.nextToken();
        if (t == null) {
          return true;
        }
        if (t.isStructStart()) {
          depth++;
        } else if (t.isStructEnd()) {
          depth--;
        }
      }
      return false;
    } catch (JsonEOFException e) {
      return true;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // "[1,2," then the end: Jackson says "expected a value", at the very end of the text.
      return e.getLocation() != null && e.getLocation().getCharOffset() >= text.length();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Top-level keys of one JSON object, or null when the text is not exactly one object. */
  static List<String> objectKeys(String text) {
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      List<String> keys = new ArrayList<>();
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
        if (t != JsonToken.FIELD_NAME) {
          return null;
        }
        keys.add(p.currentName());
        p.nextToken();
        p.skipChildren();
      }
      return p.nextToken() == null ? keys : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Keys of the first records of one JSON array, read as far as the text goes. */
  public static Result jsonArray(String text, boolean complete) {
    Set<String> keys = new LinkedHashSet<>();
    int records = 0;
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        return Result.failed(Problem.format("InvalidJson", "the object does not start with a JSON array"));
      }
      while (records < MAX_RECORDS) {
        JsonToken t = p.nextToken();
        if (t == null || t == JsonToken.END_ARRAY) {
          break;
        }
        if (t != JsonToken.START_OBJECT) {
          return Result.failed(Problem.format("InvalidJson", "element " + (records + 1) + " of the array is not a JSON object (a record)"));
        }
        List<String> recordKeys = new ArrayList<>();
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
          recordKeys.add(p.currentName());
          p.nextToken();
          p.skipChildren();
        }
        if (t != JsonToken.END_OBJECT) {
          break;
        }
        keys.addAll(recordKeys);
        records++;
      }
    } catch (IOException | RuntimeException e) {
      if (records == 0) {
        return complete
            ? Result.failed(Problem.format("InvalidJson", "the JSON array cannot be read: " + firstLine(e.getMessage())))
            : Result.more();
      }
    }
    if (records == 0) {
      return complete ? Result.failed(Problem.format("NoRecords", "the JSON array holds no record")) : Result.more();
    }
    return Result.of(List.copyOf(keys));
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
