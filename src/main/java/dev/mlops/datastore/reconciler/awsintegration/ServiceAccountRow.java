package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.reconciler.awsintegration.AnnotationPlanner.Outcome;

/** What the annotation link found for one service account; null outcome when not required. */
record ServiceAccountRow(String name, Outcome outcome, String message) {}
