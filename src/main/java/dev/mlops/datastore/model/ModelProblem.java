package dev.mlops.datastore.model;

/**
 * Something that makes a model unusable by its platform, with the link it breaks and a message a
 * person can act on. Reasons are CamelCase codes documented in docs/conditions.md.
 */
public record ModelProblem(Link link, String reason, String message) {
  public static final String MODEL_FILE_NOT_FOUND = "ModelFileNotFound";
  public static final String ACCESS_DENIED = "AccessDenied";
  public static final String KMS_ACCESS_DENIED = "KmsAccessDenied";
  public static final String UNREADABLE = "Unreadable";
  public static final String NOT_A_PYTHON_FILE = "NotAPythonFile";
  public static final String NO_PREDICT_FUNCTION = "NoPredictFunction";
  public static final String NOT_UTF8 = "NotUtf8";
  public static final String NO_MODEL_ARTIFACT = "NoModelArtifact";
  public static final String ARTIFACT_FORMAT_MISMATCH = "ArtifactFormatMismatch";
  public static final String READ_BUDGET_EXCEEDED = "ReadBudgetExceeded";

  /** Which condition the problem belongs to. */
  public enum Link {
    READABLE,
    ARTIFACT
  }

  static ModelProblem readable(String reason, String message) {
    return new ModelProblem(Link.READABLE, reason, message);
  }

  static ModelProblem artifact(String reason, String message) {
    return new ModelProblem(Link.ARTIFACT, reason, message);
  }
}
