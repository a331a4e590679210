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

  /** The platform's name as the API spells it. */
  public String platform() {
    return platform;
  }
}
