package dev.mlops.datastore.sandbox.kube;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A field selector as the API server reads it ({@code a.b=v,c!=w}, also {@code ==}), applied to one
 * object: kubectl wait selects on {@code metadata.name}, kubectl describe an Event's
 * {@code involvedObject.*}.
 */
final class FieldSelector {
  private FieldSelector() {}

  static boolean matches(String selector, JsonNode object) {
    if (selector == null || selector.isBlank()) {
      return true;
    }
    for (String term : selector.split(",")) {
      boolean negated = term.contains("!=");
      String[] kv = term.split(negated ? "!=" : "==?", 2);
      if (kv.length != 2) {
        continue;
      }
      JsonNode at = object;
      for (String part : kv[0].trim().split("\\.")) {
        at = at.path(part);
      }
      String value = at.isMissingNode() || at.isNull() ? "" : at.asText();
      if (value.equals(kv[1].trim()) == negated) {
        return false;
      }
    }
    return true;
  }
}
