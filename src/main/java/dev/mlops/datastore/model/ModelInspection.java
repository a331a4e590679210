package dev.mlops.datastore.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What inspecting a model found, and what it cost. Built step by step by {@link ModelInspector};
 * problems accumulate.
 */
public final class ModelInspection {
  /** An artifact file of a DataRobot folder and the format its first bytes show (null: not read). */
  public record Artifact(String name, long sizeBytes, ModelFormat format) {}

  ModelRules rules;
  Long sizeBytes;
  String etag;
  Instant lastModified;
  List<String> functions = List.of();
  final List<Artifact> artifacts = new ArrayList<>();
  List<String> siblings = List.of();
  boolean siblingsTruncated;
  final List<ModelProblem> problems = new ArrayList<>();
  long bytesRead;
  int requests;

  public ModelRules rules() {
    return rules;
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

  /** Functions defined at module level of the Python file read (the model file, or custom.py). */
  public List<String> functions() {
    return functions;
  }

  public List<Artifact> artifacts() {
    return List.copyOf(artifacts);
  }

  /** Other objects under the model's prefix, relative to it, from one listing page. */
  public List<String> siblings() {
    return siblings;
  }

  public boolean siblingsTruncated() {
    return siblingsTruncated;
  }

  public List<ModelProblem> problems() {
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

  void problem(ModelProblem p) {
    problems.add(p);
  }
}
