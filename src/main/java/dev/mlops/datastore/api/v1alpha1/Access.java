package dev.mlops.datastore.api.v1alpha1;

/** Which S3 actions must work on the bucket. */
public enum Access {
  ReadOnly,
  ReadWrite
}
