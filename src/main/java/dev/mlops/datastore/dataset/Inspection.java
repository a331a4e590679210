package dev.mlops.datastore.dataset;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What inspecting a dataset found, and what it cost. Built step by step by the readers; problems
 * accumulate, columns and counts are filled where the format records them.
 */
public final class Inspection {
  /** Delta Lake table details. */
  public record Delta(long version, int files, List<String> partitionColumns, int minReaderVersion, List<String> readerFeatures) {}

  DataFormat format;
  List<String> columns;
  Long rows;
  /** Why {@link #rows} is partial or missing where the format could have recorded it; null when it is whole. */
  String rowsNote;
  Delta delta;
  Long sizeBytes;
  String etag;
  Instant lastModified;
  String encryption;
  final List<Problem> problems = new ArrayList<>();
  long bytesRead;
  int requests;

  public DataFormat format() {
    return format;
  }

  public List<String> columns() {
    return columns == null ? List.of() : columns;
  }

  public Long rows() {
    return rows;
  }

  /**
   * Why the row count is partial (some Delta files carry no numRecords statistics: {@link #rows()}
   * then counts the others) or missing (the statistics could not be read); null when it is whole.
   */
  public String rowsNote() {
    return rowsNote;
  }

  public Delta delta() {
    return delta;
  }

  public Long sizeBytes() {
    return sizeBytes;
  }

  public String etag() {
    return etag;
  }

  public Instant lastModified() {
    return lastModified;
  }

  public List<Problem> problems() {
    return List.copyOf(problems);
  }

  public long bytesRead() {
    return bytesRead;
  }

  public int requests() {
    return requests;
  }

  public boolean usable() {
    return problems.isEmpty();
  }

  void problem(Problem p) {
    problems.add(p);
  }

  boolean has(Problem.Link link) {
    return problems.stream().anyMatch(p -> p.link() == link);
  }
}
