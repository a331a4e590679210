package dev.mlops.datastore.dataset;

import java.util.Locale;
import java.util.Optional;

/** The dataset formats the platforms read. */
public enum DataFormat {
  CSV,
  PARQUET,
  JSONL,
  JSONL_GZ,
  JSON_GZ,
  DELTA_TABLE;

  /** The format a key's name promises, if its extension says. */
  public static Optional<DataFormat> fromName(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.endsWith(".jsonl.gz") || k.endsWith(".ndjson.gz")) {
      return Optional.of(JSONL_GZ);
    }
    if (k.endsWith(".json.gz")) {
      return Optional.of(JSON_GZ);
    }
    if (k.endsWith(".csv")) {
      return Optional.of(CSV);
    }
    if (k.endsWith(".parquet") || k.endsWith(".pq")) {
      return Optional.of(PARQUET);
    }
    if (k.endsWith(".jsonl") || k.endsWith(".ndjson")) {
      return Optional.of(JSONL);
    }
    return Optional.empty();
  }

  public String extension() {
    return switch (this) {
      case CSV -> ".csv";
      case PARQUET -> ".parquet";
      case JSONL -> ".jsonl";
      case JSONL_GZ -> ".jsonl.gz";
      case JSON_GZ -> ".json.gz";
      case DELTA_TABLE -> "/ (a table folder)";
    };
  }
}
