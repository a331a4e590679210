package dev.mlops.datastore.model;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes Python source as the interpreter would: UTF-8 (a BOM allowed) unless a PEP 263 coding
 * declaration on one of the first two lines names another encoding. A prefix that is not the whole
 * file is cut at its last line end, which never splits a UTF-8 sequence.
 */
final class PythonSource {
  private static final Pattern CODING = Pattern.compile("^[ \\t\\f]*#.*?coding[:=][ \\t]*([-\\w.]+)");

  /** The text, or where and why it cannot be decoded. */
  record Decoded(String text, String error) {}

  private PythonSource() {}

  static Decoded decode(byte[] bytes, boolean complete) {
    int length = bytes.length;
    if (!complete) {
      int end = length;
      while (end > 0 && bytes[end - 1] != '\n') {
        end--;
      }
      length = end;
    }
    int start = length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
    Charset charset = StandardCharsets.UTF_8;
    String declared = declaredEncoding(bytes, start, length);
    if (declared != null) {
      String java = declared.replace('_', '-');
      java = switch (java) {
        case "latin-1", "latin1", "l1", "iso-8859-1", "iso8859-1", "8859", "cp819" -> "ISO-8859-1";
        case "cp1252" -> "windows-1252";
        case "ascii", "us-ascii", "646" -> "US-ASCII";
        default -> java;
      };
      try {
        if (Charset.isSupported(java)) {
          charset = Charset.forName(java);
        }
      } catch (IllegalCharsetNameException e) {
        // Python refuses an unknown encoding too; reading it as UTF-8 finds what can be found.
      }
    }
    CharsetDecoder decoder = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, start, length - start);
    // No charset Python accepts decodes to more chars than bytes (UTF-8: at most one per byte).
    CharBuffer out = CharBuffer.allocate(length - start + 16);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int offset = in.position();
      int line = 1;
      for (int k = 0; k < offset; k++) {
        if (bytes[k] == '\n') {
          line++;
        }
      }
      String hex = String.format("0x%02X", bytes[Math.min(offset, bytes.length - 1)] & 0xff);
      return new Decoded(null, "byte " + hex + " at offset " + offset + " (line " + line + ") is not valid " + charset.name()
          + (declared == null ? "" : " (the file declares coding: " + declared + ")"));
    }
    out.flip();
    return new Decoded(out.toString(), null);
  }

  /** The encoding a coding declaration on the first two lines names, or null. */
  static String declaredEncoding(byte[] bytes, int start, int length) {
    int lineStart = start;
    for (int lineNo = 0; lineNo < 2 && lineStart < length; lineNo++) {
      int end = lineStart;
      while (end < length && end - lineStart < 200 && bytes[end] != '\n') {
        end++;
      }
      String text = new String(bytes, lineStart, end - lineStart, StandardCharsets.ISO_8859_1);
      Matcher m = CODING.matcher(text);
      if (m.find()) {
        String name = m.group(1).toLowerCase(Locale.ROOT);
        return name.equals("utf-8") || name.equals("utf8") || name.startsWith("utf-8-") ? null : name;
      }
      if (!text.strip().isEmpty() && !text.strip().startsWith("#")) {
        return null;
      }
      lineStart = end + 1;
    }
    return null;
  }
}
