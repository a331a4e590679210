package dev.mlops.datastore.sandbox.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A list or an object as the {@code meta.k8s.io/v1} Table {@code kubectl get} asks for: Name, then
 * a CRD's {@code additionalPrinterColumns} (each evaluated on the object, dates shown as an age,
 * with their priority so {@code -o wide} shows more), or Age for the core kinds. Each row carries
 * the object's metadata, from which kubectl prints the namespace column of {@code -A}.
 */
final class ServerTables {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * One step of the JSONPaths printer columns use: {@code .field} or {@code ..field} (anywhere below),
   * optionally followed by a filter on list items, {@code [?(@.key=="value")]}.
   */
  private static final Pattern STEP =
      Pattern.compile("(\\.\\.?)([A-Za-z0-9_-]+)(?:\\[\\?\\(@\\.([A-Za-z0-9_-]+)\\s*==\\s*\"([^\"]*)\"\\)\\])?");

  private ServerTables() {}

  static ObjectNode table(JsonNode answer, String path, ApiDiscovery discovery) {
    List<CustomResourceColumnDefinition> columns = discovery.resourceOf(path).filter(r -> r.crd() != null)
        .flatMap(r -> r.crd().getSpec().getVersions().stream().filter(v -> v.getName().equals(r.version())).findFirst())
        .map(v -> v.getAdditionalPrinterColumns() == null ? List.<CustomResourceColumnDefinition>of() : v.getAdditionalPrinterColumns())
        .orElse(null);
    if (columns == null || columns.isEmpty()) {
      CustomResourceColumnDefinition age = new CustomResourceColumnDefinition();
      age.setName("Age");
      age.setType("date");
      age.setJsonPath(".metadata.creationTimestamp");
      columns = List.of(age);
    }
    ObjectNode table = JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata").put("resourceVersion", answer.path("metadata").path("resourceVersion").asText(""));
    ArrayNode defs = table.putArray("columnDefinitions");
    defs.addObject().put("name", "Name").put("type", "string").put("format", "name").put("description", "The object's name.").put("priority", 0);
    for (CustomResourceColumnDefinition c : columns) {
      defs.addObject().put("name", c.getName()).put("type", c.getType().equals("date") ? "string" : c.getType()).put("format", "")
          .put("description", c.getDescription() == null ? "" : c.getDescription()).put("priority", c.getPriority() == null ? 0 : c.getPriority());
    }
    ArrayNode rows = table.putArray("rows");
    List<JsonNode> objects = new ArrayList<>();
    if (answer.path("items").isArray()) {
      answer.path("items").forEach(objects::add);
    } else {
      objects.add(answer);
    }
    Instant now = Instant.now();
    for (JsonNode o : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(o.path("metadata").path("name").asText());
      for (CustomResourceColumnDefinition c : columns) {
        List<JsonNode> values = evaluate(o, c.getJsonPath());
        if (values.isEmpty()) {
          cells.addNull();
        } else if (c.getType().equals("date")) {
          cells.add(age(values.get(0).asText(), now));
        } else if (values.size() == 1 && !values.get(0).isContainerNode()) {
          if (c.getType().equals("integer") && values.get(0).canConvertToLong()) {
            cells.add(values.get(0).asLong());
          } else {
            cells.add(values.get(0).asText());
          }
        } else {
          cells.add(String.join(",", values.stream().map(v -> v.isContainerNode() ? v.toString() : v.asText()).toList()));
        }
      }
      ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
      partial.set("metadata", o.path("metadata"));
    }
    return table;
  }

  /** The values {@code jsonPath} selects in {@code object}: steps of fields and equality filters on list items. */
  static List<JsonNode> evaluate(JsonNode object, String jsonPath) {
    List<JsonNode> at = List.of(object);
    Matcher m = STEP.matcher(jsonPath);
    int consumed = 0;
    while (m.find() && m.start() == consumed) {
      consumed = m.end();
      List<JsonNode> next = new ArrayList<>();
      List<JsonNode> found = new ArrayList<>();
      for (JsonNode n : at) {
        if (m.group(1).length() == 2) {
          below(n, m.group(2), found);
        } else if (!n.path(m.group(2)).isMissingNode() && !n.path(m.group(2)).isNull()) {
          found.add(n.path(m.group(2)));
        }
      }
      for (JsonNode child : found) {
        if (m.group(3) == null) {
          next.add(child);
        } else {
          for (JsonNode item : child) {
            if (item.path(m.group(3)).asText().equals(m.group(4))) {
              next.add(item);
            }
          }
        }
      }
      at = next;
    }
    return consumed == jsonPath.length() ? at : List.of();
  }

  /** Every value of a field named {@code name} in {@code node} or anywhere below it. */
  private static void below(JsonNode node, String name, List<JsonNode> found) {
    if (node.isObject() && node.has(name) && !node.get(name).isNull()) {
      found.add(node.get(name));
    }
    for (JsonNode child : node) {
      if (child.isContainerNode()) {
        below(child, name, found);
      }
    }
  }

  /** An age as kubectl prints it: 45s, 3m12s, 25m, 5h10m, 30h, 6d2h, 40d. */
  static String age(String timestamp, Instant now) {
    Duration d;
    try {
      d = Duration.between(Instant.parse(timestamp), now);
    } catch (DateTimeParseException e) {
      return "<unknown>";
    }
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    long m = s / 60;
    if (m < 10) {
      return m + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
    }
    if (m < 180) {
      return m + "m";
    }
    long h = m / 60;
    if (h < 8) {
      return h + "h" + (m % 60 == 0 ? "" : m % 60 + "m");
    }
    if (h < 48) {
      return h + "h";
    }
    long days = h / 24;
    return days < 8 && h % 24 != 0 ? days + "d" + h % 24 + "h" : days + "d";
  }
}
