package dev.mlops.datastore.dataset;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * Inspects a dataset by reading as few bytes as its format allows: usually one ranged GET (a 64
 * KiB prefix of text, or the 64 KiB suffix holding a Parquet footer), whose answer also gives the
 * size, ETag, Last-Modified and encryption a HEAD would, a second only when the first was not enough; for a Delta table, its log (see {@link DeltaLogReader}).
 * The content decides the format; a name that promises another format is reported with a hint.
 *
 * <p>One instance per process, shared by every caller: it holds the {@link InspectionLimits} and
 * bounds how many inspections read more than {@link BudgetedObjectStore#UNSLOTTED_BYTES} at once,
 * so ten reconcile threads cannot each hold a large footer, while the usual one-range check waits
 * for no slot (a slot held across S3's latency made two slots the operator's throughput). Each inspection reads through a {@link BudgetedObjectStore}, the one place its budget of
 * bytes and requests is enforced.
 */
public final class DatasetInspector {
  static final int PREFIX = 64 * 1024;
  static final int MAX_HEADER = 1024 * 1024;
  /** Characters of a column name shown when the text had to be decoded as another encoding than UTF-8. */
  static final int MAX_NAME = 120;
  /** Column-naming keys of data_params: any key ending in _col, and these lists. */
  private static final String SINGLE_SUFFIX = "_col";
  private static final String LIST_SUFFIX = "_cols";

  private final InspectionLimits limits;
  private final Semaphore slots;
  /** Delta checkpoint facts, shared by the Datasets of a table (per bucket and identity). */
  private final CheckpointCache checkpoints = new CheckpointCache(256);

  public DatasetInspector(InspectionLimits limits) {
    this.limits = limits;
    this.slots = new Semaphore(limits.maxConcurrentInspections(), true);
  }

  public InspectionLimits limits() {
    return limits;
  }

  /**
   * Reads the dataset and says what it found. Data problems, denials, missing objects and budgets
   * reached are {@link Inspection#problems()}, never exceptions.
   *
   * @param key the object key, or the table folder for a Delta table
   * @param deltaTable whether the dataset is declared a Delta table
   * @param dataParams column-naming parameters to check (label_col, ...)
   * @throws ObjectStoreException of kind {@code TRANSIENT} only (throttling, 5xx, timeouts,
   *     connection failures, or the thread interrupted while waiting for a slot): the caller retries
   * @throws RuntimeException any other one is a fault of this code, deliberately not turned into a
   *     data problem
   */
  public Inspection inspect(ObjectStore rawStore, String key, boolean deltaTable, Map<String, String> dataParams) {
    boolean[] held = {false};
    BudgetedObjectStore store = new BudgetedObjectStore(rawStore, limits, () -> {
      try {
        slots.acquire();
        held[0] = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ObjectStoreException(ObjectStoreException.Kind.TRANSIENT, "interrupted while waiting to inspect " + rawStore.describe(key), e);
      }
    });
    try {
      return inspectWithinBudget(store, key, deltaTable, dataParams);
    } finally {
      if (held[0]) {
        slots.release();
      }
    }
  }

  private Inspection inspectWithinBudget(BudgetedObjectStore store, String key, boolean deltaTable, Map<String, String> dataParams) {
    Inspection result = new Inspection();
    try {
      if (deltaTable) {
        DeltaLogReader.read(store, key, result, limits, checkpoints);
      } else {
        object(store, key, result);
      }
    } catch (ObjectStoreException e) {
      result.problem(readProblem(e, store, key));
    } catch (ReadBudgetExceeded e) {
      result.problem(e.problem());
    }
    if (result.columns != null && dataParams != null) {
      checkColumns(result, dataParams);
    }
    result.bytesRead = store.bytesRead();
    result.requests = store.requests();
    return result;
  }

  private static Problem readProblem(ObjectStoreException e, ObjectStore store, String key) {
    return switch (e.kind()) {
      case NOT_FOUND -> Problem.readable("ObjectNotFound", e.getMessage());
      case KMS_DENIED -> Problem.readable("KmsAccessDenied", e.getMessage() + ": the object is SSE-KMS encrypted and the identity may not use its key (kms:Decrypt)");
      case ACCESS_DENIED -> Problem.readable("AccessDenied", e.getMessage()
          + "; without s3:ListBucket S3 also answers 403 (not 404) for a key that does not exist, so check the path too");
      case TRANSIENT -> throw e;
      case OTHER -> Problem.readable("Unreadable", e.getMessage());
    };
  }

  private void object(ObjectStore store, String key, Inspection result) {
    Optional<DataFormat> declared = DataFormat.fromName(key);
    // The name promises Parquet: start from the footer end, which also shows the magic.
    boolean parquetName = declared.orElse(null) == DataFormat.PARQUET;
    // The first read's answer also says size, version and encryption: no HEAD before it.
    ObjectStore.Chunk chunk = parquetName ? store.readSuffixWithInfo(key, PREFIX) : store.readWithInfo(key, 0, PREFIX);
    ObjectStore.ObjectInfo info = chunk.info();
    result.sizeBytes = info.size();
    result.etag = info.etag();
    result.lastModified = info.lastModified();
    result.encryption = info.encryption();
    if (info.size() == 0) {
      result.problem(Problem.format("EmptyObject", store.describe(key) + " is empty"));
      return;
    }
    byte[] first = chunk.bytes();
    boolean wholeObject = first.length >= info.size();
    if (parquetName) {
      if (endsWith(first, "PAR1") || endsWith(first, "PARE")) {
        parquet(store, key, info, first, declared, result);
        return;
      }
      if (!wholeObject) {
        first = store.read(key, 0, PREFIX);
      }
    }
    switch (TextSchemaReader.sniff(first)) {
      case PARQUET, PARQUET_ENCRYPTED -> {
        byte[] tail = wholeObject ? first : store.readSuffix(key, PREFIX);
        parquet(store, key, info, tail, declared, result);
      }
      case GZIP -> gzip(first, wholeObject, declared, result, store, key, info.size());
      case JSON_ARRAY -> {
        result.format = null;
        String hint = declared.orElse(null) == DataFormat.JSONL
            ? "the object holds one JSON array, not JSON Lines (one object per line): write one record per line, or gzip it and name it .json.gz"
            : "the object holds one uncompressed JSON array: the platforms read JSON Lines (.jsonl) or a gzipped array (.json.gz)";
        result.problem(Problem.format("FormatMismatch", hint));
      }
      case JSON_OBJECT -> {
        result.format = DataFormat.JSONL;
        TextSchemaReader.Decoded text = TextSchemaReader.decodeChecked(first, wholeObject);
        TextSchemaReader.Result records = TextSchemaReader.jsonLines(text.text(), wholeObject);
        if (records.needMore() && !wholeObject) {
          // The first record is longer than the first read: one more, larger read, as for a long CSV header.
          byte[] bigger = store.read(key, 0, (int) Math.min(info.size(), MAX_HEADER));
          text = TextSchemaReader.decodeChecked(bigger, bigger.length >= info.size());
          records = TextSchemaReader.jsonLines(text.text(), bigger.length >= info.size());
          if (records.needMore()) {
            records = TextSchemaReader.Result.failed(recordTooLong(bigger.length, "bytes"));
          }
        }
        apply(records, result);
        notUtf8(text, "", result);
        mismatch(declared, DataFormat.JSONL, result);
      }
      case TEXT, EMPTY -> csv(store, key, info, first, wholeObject, declared, result);
    }
  }

  private void parquet(ObjectStore store, String key, ObjectStore.ObjectInfo info, byte[] tail, Optional<DataFormat> declared, Inspection result) {
    result.format = DataFormat.PARQUET;
    mismatch(declared, DataFormat.PARQUET, result);
    try {
      ParquetFooterReader.Footer footer = ParquetFooterReader.read(store, key, tail, info.size(), limits);
      result.columns = footer.columns();
      result.rows = footer.rows();
    } catch (ParquetFooterReader.UnreadableFooter e) {
      result.problem(e.problem());
    }
  }

  private void gzip(byte[] first, boolean wholeObject, Optional<DataFormat> declared, Inspection result, ObjectStore store, String key, long size) {
    TextSchemaReader.Inflated inflated;
    try {
      inflated = TextSchemaReader.gunzip(first);
    } catch (IOException e) {
      result.problem(Problem.format("CorruptGzip", "the object starts like gzip but cannot be inflated (" + e.getMessage() + ")"));
      return;
    }
    TextSchemaReader.Sniffed sniffed = TextSchemaReader.sniff(inflated.bytes());
    boolean complete = wholeObject && inflated.ended() && inflated.bytes().length < TextSchemaReader.MAX_INFLATED;
    if (sniffed == TextSchemaReader.Sniffed.JSON_ARRAY || sniffed == TextSchemaReader.Sniffed.JSON_OBJECT) {
      TextSchemaReader.Decoded text = TextSchemaReader.decodeChecked(inflated.bytes(), complete);
      TextSchemaReader.Result records = jsonRecords(sniffed, text.text(), complete);
      if (records.needMore() && !wholeObject) {
        // The first record is longer than the first read inflates to: one more, larger read.
        byte[] bigger = store.read(key, 0, (int) Math.min(size, MAX_HEADER));
        try {
          inflated = TextSchemaReader.gunzip(bigger);
        } catch (IOException e) {
          result.problem(Problem.format("CorruptGzip", "the object starts like gzip but cannot be inflated (" + e.getMessage() + ")"));
          return;
        }
        wholeObject = bigger.length >= size;
        complete = wholeObject && inflated.ended() && inflated.bytes().length < TextSchemaReader.MAX_INFLATED;
        text = TextSchemaReader.decodeChecked(inflated.bytes(), complete);
        records = jsonRecords(sniffed, text.text(), complete);
        if (records.needMore()) {
          records = TextSchemaReader.Result.failed(recordTooLong(inflated.bytes().length, "bytes inflated from the first " + bigger.length + " bytes of the object"));
        }
      }
      if (wholeObject && !inflated.ended() && inflated.bytes().length < TextSchemaReader.MAX_INFLATED) {
        result.problem(Problem.format("CorruptGzip", "the gzip stream ends before its end-of-stream marker, after " + inflated.bytes().length
            + " inflated bytes: the object looks cut (gzip -t says so too); upload or compress it again in full"));
      }
      result.format = sniffed == TextSchemaReader.Sniffed.JSON_ARRAY ? DataFormat.JSON_GZ : DataFormat.JSONL_GZ;
      apply(records, result);
      notUtf8(text, " of the inflated text", result);
    }
    switch (sniffed) {
      case JSON_ARRAY -> {
        if (declared.isPresent() && declared.get() != DataFormat.JSON_GZ) {
          result.problem(Problem.format("FormatMismatch", "the object is gzip-compressed JSON (one array of records), but its name says "
              + declared.get().extension() + ": name it .json.gz"));
        }
      }
      case JSON_OBJECT -> {
        if (declared.isPresent() && declared.get() != DataFormat.JSONL_GZ && declared.get() != DataFormat.JSON_GZ) {
          result.problem(Problem.format("FormatMismatch", "the object is gzip-compressed JSON Lines, but its name says "
              + declared.get().extension() + ": name it .jsonl.gz"));
        }
      }
      case EMPTY -> result.problem(Problem.format("EmptyObject", "the gzip stream inflates to nothing"));
      default -> {
        result.format = null;
        result.problem(Problem.format("FormatMismatch", "the object is gzip-compressed "
            + (declared.orElse(null) == DataFormat.CSV ? "CSV named .csv: the platforms read plain CSV; decompress it" : "text that is not JSON")
            + "; gzip is supported for .jsonl.gz and .json.gz only"));
      }
    }
  }

  private static TextSchemaReader.Result jsonRecords(TextSchemaReader.Sniffed sniffed, String text, boolean complete) {
    return sniffed == TextSchemaReader.Sniffed.JSON_ARRAY ? TextSchemaReader.jsonArray(text, complete) : TextSchemaReader.jsonLines(text, complete);
  }

  private static Problem recordTooLong(int read, String what) {
    return Problem.format("RecordTooLong", "the first record is longer than " + read + " " + what + ": no record ends within the "
        + MAX_HEADER + " bytes (1 MiB) this check reads for one record; the platforms read it, but this check cannot vouch for its columns");
  }

  /**
   * Text that is not UTF-8 is {@code NotUtf8}: the platforms read UTF-8, where it fails or mangles
   * names. The columns stay, decoded as the likely encoding and made printable, so the message can
   * name those that carry characters outside ASCII.
   */
  private static void notUtf8(TextSchemaReader.Decoded text, String where, Inspection result) {
    TextSchemaReader.NotUtf8 bad = text.notUtf8();
    if (bad == null) {
      return;
    }
    if (result.columns != null) {
      result.columns = result.columns.stream().map(c -> TextSchemaReader.printable(c, MAX_NAME)).toList();
    }
    List<String> affected = result.columns == null ? List.of()
        : result.columns.stream().filter(c -> c.chars().anyMatch(ch -> ch > 0x7e)).limit(5).toList();
    String at = bad.encoding().startsWith("UTF-16")
        ? "a NUL byte at offset " + bad.offset() + where + " (a zero byte in every other position)"
        : String.format("byte 0x%02X at offset %d%s", bad.badByte(), bad.offset(), where);
    result.problem(Problem.format("NotUtf8", at + " is not UTF-8: the text looks like " + bad.encoding()
        + (affected.isEmpty() ? "; the column names themselves are ASCII" : "; read that way, columns " + affected.stream().map(c -> "'" + c + "'").toList()
            + " hold characters outside ASCII")
        + ". The platforms read UTF-8 (pandas' default), where this fails or mangles those values: save it as UTF-8 (iconv -f "
        + bad.charset().name() + " -t UTF-8)"));
  }

  private void csv(ObjectStore store, String key, ObjectStore.ObjectInfo info, byte[] first, boolean wholeObject, Optional<DataFormat> declared,
      Inspection result) {
    if (looksBinary(first)) {
      result.problem(Problem.format("UnsupportedFormat", "the object is binary and none of CSV, Parquet, JSON Lines or gzip"));
      return;
    }
    result.format = DataFormat.CSV;
    TextSchemaReader.Decoded text = TextSchemaReader.decodeChecked(first, wholeObject);
    TextSchemaReader.Result header = TextSchemaReader.csvHeader(text.text(), wholeObject);
    if (header.needMore()) {
      // The header is longer than the first read: one more, larger read.
      int more = (int) Math.min(info.size(), MAX_HEADER);
      byte[] bigger = store.read(key, 0, more);
      text = TextSchemaReader.decodeChecked(bigger, bigger.length >= info.size());
      header = TextSchemaReader.csvHeader(text.text(), bigger.length >= info.size());
      if (header.needMore()) {
        header = new TextSchemaReader.Result(null, false, Problem.format("HeaderTooLong", "the CSV header is longer than " + MAX_HEADER + " bytes"));
      }
    }
    apply(header, result);
    notUtf8(text, "", result);
    if (declared.isPresent() && declared.get() == DataFormat.PARQUET) {
      result.problem(Problem.format("FormatMismatch", "the name says Parquet, but the object is text (no PAR1 magic): name it .csv if it is CSV"));
    } else {
      mismatch(declared, DataFormat.CSV, result);
    }
  }

  private static void mismatch(Optional<DataFormat> declared, DataFormat actual, Inspection result) {
    if (declared.isPresent() && declared.get() != actual
        && !(declared.get() == DataFormat.JSON_GZ && actual == DataFormat.JSONL_GZ)) {
      result.problem(Problem.format("FormatMismatch", "the name says " + declared.get().extension() + " but the object is "
          + actual.name().replace('_', '.').toLowerCase(Locale.ROOT) + ": name it " + actual.extension()));
    }
  }

  private static void apply(TextSchemaReader.Result r, Inspection result) {
    if (r.problem() != null) {
      result.problem(r.problem());
    } else if (r.columns() != null) {
      result.columns = r.columns();
    } else {
      result.problem(Problem.format("NoRecords", "no complete record in the first bytes"));
    }
  }

  private static boolean endsWith(byte[] b, String magic) {
    if (b.length < 4) {
      return false;
    }
    for (int i = 0; i < 4; i++) {
      if (b[b.length - 4 + i] != magic.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean looksBinary(byte[] b) {
    if (b.length >= 2 && ((b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE || (b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF)) {
      return false;
    }
    int zeros = 0;
    int n = Math.min(b.length, 4096);
    for (int i = 0; i < n; i++) {
      if (b[i] == 0) {
        zeros++;
      }
    }
    // UTF-16 without a BOM has a zero in every other byte; binary has them scattered.
    return zeros > 0 && zeros < n / 3;
  }

  /** Every column-naming data param must name a column; a near miss is suggested. */
  static void checkColumns(Inspection result, Map<String, String> params) {
    List<String> columns = result.columns();
    params.forEach((name, value) -> {
      List<String> wanted = new ArrayList<>();
      if (name.endsWith(SINGLE_SUFFIX)) {
        wanted.add(value);
      } else if (name.endsWith(LIST_SUFFIX)) {
        for (String v : value.replace("[", "").replace("]", "").replace("\"", "").split(",")) {
          if (!v.isBlank()) {
            wanted.add(v.strip());
          }
        }
      }
      for (String w : wanted) {
        if (!columns.contains(w)) {
          String near = nearest(w, columns);
          result.problem(Problem.schema("ColumnNotFound", "dataParams." + name + " names column '" + w + "', which the dataset does not have"
              + (near == null ? "" : "; did you mean '" + near + "'?") + " (columns: " + preview(columns) + ")"));
        }
      }
    });
  }

  private static String preview(List<String> columns) {
    return columns.size() <= 20 ? String.join(", ", columns) : String.join(", ", columns.subList(0, 20)) + ", ... (" + columns.size() + " in all)";
  }

  static String nearest(String wanted, List<String> columns) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : columns) {
      if (c.equalsIgnoreCase(wanted)) {
        return c;
      }
      int d = distance(wanted.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return best != null && bestDistance <= Math.max(2, wanted.length() / 3) ? best : null;
  }

  private static int distance(String a, String b) {
    if (Math.abs(a.length() - b.length()) > 10 || a.length() > 200 || b.length() > 200) {
      return Integer.MAX_VALUE;
    }
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
