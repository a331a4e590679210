package dev.mlops.datastore.reconciler.awsintegration;

import static dev.mlops.datastore.reconciler.awsintegration.IrsaAnnotations.OWNER;
import static dev.mlops.datastore.reconciler.awsintegration.IrsaAnnotations.WRITTEN;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decides, without touching the API, what to change on one service account so that it carries an
 * integration's annotations, and what to take back when the integration lets it go.
 *
 * <p>The rules protect what the operator does not own: an annotation someone else set (or changed
 * after the operator wrote it) is never overwritten or removed; a service account managed by
 * another integration is left alone; release removes only values the operator wrote and that are
 * still as it wrote them.
 */
public final class AnnotationPlanner {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What happened to one service account. */
  public enum Outcome {
    ANNOTATED,
    NOT_FOUND,
    CONFLICT,
    CLAIMED_BY_OTHER
  }

  /**
   * @param changes annotation changes to send as a merge patch (a null value removes the key);
   *     empty when nothing needs writing
   */
  public record Plan(Outcome outcome, Map<String, String> changes, String message) {}

  private AnnotationPlanner() {}

  public static Plan claim(String integration, Map<String, String> desired, ServiceAccount sa) {
    if (sa == null) {
      return new Plan(
          Outcome.NOT_FOUND,
          Map.of(),
          "service account does not exist yet; it is annotated as soon as it is created");
    }
    Map<String, String> current = annotations(sa);
    String owner = current.get(OWNER);
    if (owner != null && !owner.equals(integration)) {
      return new Plan(
          Outcome.CLAIMED_BY_OTHER,
          Map.of(),
          "managed by AwsIntegration " + owner + "; a service account can follow one integration only");
    }
    Map<String, String> written = owner == null ? Map.of() : written(current);
    Map<String, String> newWritten = new TreeMap<>(written);
    Map<String, String> changes = new LinkedHashMap<>();
    List<String> conflicts = new ArrayList<>();

    for (Map.Entry<String, String> want : desired.entrySet()) {
      String key = want.getKey();
      String value = current.get(key);
      if (value == null) {
        changes.put(key, want.getValue());
        newWritten.put(key, want.getValue());
      } else if (value.equals(want.getValue())) {
        // Already right. If someone else set it, it stays theirs: not recorded as written by us.
        continue;
      } else if (value.equals(written.get(key))) {
        changes.put(key, want.getValue());
        newWritten.put(key, want.getValue());
      } else {
        conflicts.add(key + "=" + value);
      }
    }
    if (!conflicts.isEmpty()) {
      return new Plan(
          Outcome.CONFLICT,
          Map.of(),
          "annotation set by someone else: "
              + String.join(", ", conflicts)
              + "; the operator does not overwrite it (remove it, or point the integration at the same value)");
    }
    for (Map.Entry<String, String> mine : written.entrySet()) {
      if (!desired.containsKey(mine.getKey())) {
        if (mine.getValue().equals(current.get(mine.getKey()))) {
          changes.put(mine.getKey(), null);
        }
        newWritten.remove(mine.getKey());
      }
    }
    if (!changes.isEmpty() || !newWritten.equals(written)) {
      changes.putAll(ownership(integration, newWritten));
    }
    return new Plan(Outcome.ANNOTATED, changes, "annotated");
  }

  /** The changes that hand a service account back as it would be without this integration. */
  public static Map<String, String> release(String integration, ServiceAccount sa) {
    Map<String, String> current = annotations(sa);
    if (!integration.equals(current.get(OWNER))) {
      return Map.of();
    }
    Map<String, String> changes = new LinkedHashMap<>();
    written(current)
        .forEach(
            (key, value) -> {
              if (value.equals(current.get(key))) {
                changes.put(key, null);
              }
            });
    changes.put(OWNER, null);
    changes.put(WRITTEN, null);
    return changes;
  }

  public static boolean ownedBy(String integration, ServiceAccount sa) {
    return integration.equals(annotations(sa).get(OWNER));
  }

  private static Map<String, String> ownership(String integration, Map<String, String> written) {
    Map<String, String> marks = new LinkedHashMap<>();
    if (written.isEmpty()) {
      marks.put(OWNER, null);
      marks.put(WRITTEN, null);
    } else {
      marks.put(OWNER, integration);
      try {
        marks.put(WRITTEN, JSON.writeValueAsString(written));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot serialise a map of strings", e);
      }
    }
    return marks;
  }

  private static Map<String, String> written(Map<String, String> annotations) {
    String raw = annotations.get(WRITTEN);
    if (raw == null) {
      return Map.of();
    }
    try {
      Map<String, String> parsed = JSON.readValue(raw, new TypeReference<Map<String, String>>() {});
      parsed.values().removeIf(v -> v == null);
      return parsed;
    } catch (JsonProcessingException e) {
      // Edited by hand into something unreadable: claim nothing, so nothing is overwritten.
      return Map.of();
    }
  }

  private static Map<String, String> annotations(ServiceAccount sa) {
    Map<String, String> a = sa.getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }
}
