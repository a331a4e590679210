package dev.mlops.datastore.api.v1alpha1;

/** How a dataset path is read: one object, or a Delta Lake table folder. */
public enum DataType {
  DATA_TYPE_UNSPECIFIED,
  DATA_TYPE_DELTA_TABLE
}
