package dev.mlops.datastore;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations written the way Kubernetes users write them ({@code 90s}, {@code 10m},
 * {@code 1h30m}, {@code 500ms}): the same grammar as the CRD's checkInterval pattern.
 */
public final class GoDuration {
  private static final Pattern WHOLE = Pattern.compile("(?:[0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private GoDuration() {}

  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text.trim()).matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration such as 90s, 10m or 1h30m");
    }
    double millis = 0;
    Matcher m = PART.matcher(text.trim());
    while (m.find()) {
      double value = Double.parseDouble(m.group(1));
      millis +=
          switch (m.group(2)) {
            case "ms" -> value;
            case "s" -> value * 1_000;
            case "m" -> value * 60_000;
            default -> value * 3_600_000;
          };
    }
    if (millis > Long.MAX_VALUE / 2) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
    return Duration.ofMillis(Math.round(millis));
  }
}
