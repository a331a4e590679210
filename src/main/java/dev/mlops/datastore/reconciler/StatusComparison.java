package dev.mlops.datastore.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Decides whether a freshly computed status differs from the stored one, by comparing their JSON
 * forms: the status POJOs are plain data without equals, and JSON is what would be written.
 */
public final class StatusComparison {
  private StatusComparison() {}

  public static boolean differs(Object stored, Object computed) {
    JsonNode a = Serialization.jsonMapper().valueToTree(stored);
    JsonNode b = Serialization.jsonMapper().valueToTree(computed);
    return !a.equals(b);
  }
}
