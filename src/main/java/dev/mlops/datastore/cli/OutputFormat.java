package dev.mlops.datastore.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --output}: a table for a person, or JSON for a script. Without the flag, text when stdout
 * is a terminal and JSON when it is piped or redirected, so {@code trust-check ... | jq} works as
 * it always has.
 */
enum OutputFormat {
  TEXT,
  JSON;

  static OutputFormat resolve(OutputFormat asked, boolean terminal) {
    if (asked != null) {
      return asked;
    }
    return terminal ? TEXT : JSON;
  }

  /** Accepts {@code text} and {@code json}, any case. */
  static final class Converter implements ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String value) {
      for (OutputFormat f : values()) {
        if (f.name().equalsIgnoreCase(value)) {
          return f;
        }
      }
      String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
      throw new TypeConversionException("must be text or json, not '" + shown + "'");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
