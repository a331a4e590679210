package dev.mlops.datastore.api.v1alpha1;

/** The ML platform whose service accounts an integration presets. */
public enum Platform {
  RobustIntelligence,
  DataRobot,
  Custom
}
