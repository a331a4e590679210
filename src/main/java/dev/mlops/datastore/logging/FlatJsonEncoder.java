package dev.mlops.datastore.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per line with flat keys, for log pipelines that index fields without a schema
 * (Loki, CloudWatch Logs Insights, Elasticsearch): {@code timestamp} (ISO-8601, UTC, milliseconds),
 * {@code level}, {@code logger}, {@code thread}, {@code message}, then the SLF4J key/values of the
 * line ({@code reason}, {@code awsRequestId}, ...), then the MDC, then {@code exception}.
 *
 * <p>logback's own {@code JsonEncoder} nests the MDC and the key/values under objects and writes
 * the timestamp as epoch milliseconds; queries then need a path per field. JOSDK's MDC keys for the
 * reconciled resource are renamed to the short keys a person filters on: {@code resource} (the
 * kind), {@code namespace}, {@code name}; its other {@code resource.*} keys (uid, versions) are
 * left out. A key the line sets itself wins over the same key from the MDC, so no key appears
 * twice. One StringBuilder per line, no intermediate maps.
 */
public final class FlatJsonEncoder extends EncoderBase<ILoggingEvent> {
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final String[] OWN_KEYS = {"timestamp", "level", "logger", "thread", "message", "exception"};

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    StringBuilder out = new StringBuilder(256);
    out.append("{\"timestamp\":\"");
    TIMESTAMP.formatTo(event.getInstant(), out);
    out.append('"');
    field(out, "level", event.getLevel().toString());
    field(out, "logger", event.getLoggerName());
    field(out, "thread", event.getThreadName());
    field(out, "message", event.getFormattedMessage());
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        if (pair.key != null && !own(pair.key)) {
          value(out, pair.key, pair.value);
        }
      }
    }
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc != null) {
      for (Map.Entry<String, String> e : mdc.entrySet()) {
        String key = mdcKey(e.getKey());
        if (key != null && !own(key) && !set(pairs, key) && !"no namespace".equals(e.getValue())) {
          field(out, key, e.getValue());
        }
      }
    }
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      field(out, "exception", ThrowableProxyUtil.asString(thrown));
    }
    out.append("}\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The flat key of an MDC entry; null to leave it out. */
  private static String mdcKey(String key) {
    if (key == null) {
      return null;
    }
    return switch (key) {
      case "resource.kind" -> "resource";
      case "resource.namespace" -> "namespace";
      case "resource.name" -> "name";
      default -> key.startsWith("resource.") ? null : key;
    };
  }

  private static boolean own(String key) {
    for (String k : OWN_KEYS) {
      if (k.equals(key)) {
        return true;
      }
    }
    return false;
  }

  private static boolean set(List<KeyValuePair> pairs, String key) {
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        if (key.equals(pair.key)) {
          return true;
        }
      }
    }
    return false;
  }

  private static void value(StringBuilder out, String key, Object value) {
    if (value instanceof Number n && Double.isFinite(n.doubleValue()) || value instanceof Boolean) {
      out.append(",\"");
      escape(out, key);
      out.append("\":").append(value);
    } else {
      field(out, key, value == null ? null : String.valueOf(value));
    }
  }

  private static void field(StringBuilder out, String key, String value) {
    out.append(",\"");
    escape(out, key);
    out.append("\":");
    if (value == null) {
      out.append("null");
      return;
    }
    out.append('"');
    escape(out, value);
    out.append('"');
  }

  static void escape(StringBuilder out, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
  }
}
