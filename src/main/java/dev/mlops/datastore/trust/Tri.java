package dev.mlops.datastore.trust;

/** The value of one condition, statement or verdict part: true, false, or not decidable here. */
enum Tri {
  TRUE,
  FALSE,
  UNKNOWN
}
