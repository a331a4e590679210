package dev.mlops.datastore.model;

/** Whose loading rules a model is checked by. */
public enum ModelRules {
  /** One Python file defining predict_dict or predict_df at module level. */
  ROBUST_INTELLIGENCE("RobustIntelligence"),
  /** A structured custom-model folder: an artifact by extension and/or custom.py. */
  DATAROBOT("DataRobot");

  private final String platform;

  ModelRules(String platform) {
    this.platform = platform;
  }

  /**
   * The rules for a path when no platform chooses: a Python file other than DataRobot's
   * custom.py is Robust Intelligence's model file; anything else is a DataRobot folder.
   */
  public static ModelRules forPath(String key) {
    return key.endsWith(".py") && !key.endsWith("/custom.py") && !key.equals("custom.py") ? ROBUST_INTELLIGENCE : DATAROBOT;
  }

  /** The platform's name as the API spells it. */
  public String platform() {
    return platform;
  }
}
