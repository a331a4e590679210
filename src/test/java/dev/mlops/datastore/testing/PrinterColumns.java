package dev.mlops.datastore.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders objects the way {@code kubectl get} does, from the CRD's additionalPrinterColumns (the
 * JSONPath forms our CRDs use: dotted fields, a leading {@code ..field}, and one
 * {@code [?(@.type=="X")]} filter), so tests
 * can show and check what a person sees without an API server.
 */
public final class PrinterColumns {
  private static final Pattern FILTER = Pattern.compile("^([^\\[]+)\\[\\?\\(@\\.(\\w+)\\s*==\\s*\"([^\"]+)\"\\)\\]\\.(.+)$");

  private PrinterColumns() {}

  public static String table(CustomResourceDefinition crd, List<? extends HasMetadata> objects) {
    // Without -o wide, kubectl leaves out the columns of priority above 0.
    List<CustomResourceColumnDefinition> columns = crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
        .filter(c -> c.getPriority() == null || c.getPriority() == 0).toList();
    List<List<String>> rows = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("NAME"));
    columns.forEach(c -> header.add(c.getName().toUpperCase()));
    rows.add(header);
    for (HasMetadata o : objects) {
      JsonNode node = Serialization.jsonMapper().valueToTree(o);
      List<String> row = new ArrayList<>(List.of(o.getMetadata().getName()));
      for (CustomResourceColumnDefinition c : columns) {
        row.add(c.getType().equals("date") ? "1m" : evaluate(node, c.getJsonPath()));
      }
      rows.add(row);
    }
    int[] widths = new int[header.size()];
    rows.forEach(r -> {
      for (int i = 0; i < r.size(); i++) {
        widths[i] = Math.max(widths[i], r.get(i).length());
      }
    });
    StringBuilder sb = new StringBuilder();
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        sb.append(i == r.size() - 1 ? r.get(i) : String.format("%-" + (widths[i] + 3) + "s", r.get(i)));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  static String evaluate(JsonNode root, String path) {
    Matcher m = FILTER.matcher(path);
    if (m.matches()) {
      JsonNode list = walk(root, m.group(1));
      for (JsonNode item : list) {
        if (m.group(3).equals(item.path(m.group(2)).asText())) {
          return walk(item, "." + m.group(4)).asText("");
        }
      }
      return "";
    }
    return walk(root, path).asText("");
  }

  private static JsonNode walk(JsonNode node, String dotted) {
    JsonNode current = node;
    if (dotted.startsWith("..")) {
      // "..field": the one field of that name anywhere below (our columns use it on fields that appear once).
      String first = dotted.substring(2).split("\\.")[0];
      current = node.findValue(first);
      dotted = dotted.substring(2 + first.length());
      if (current == null) {
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
      }
      if (dotted.isEmpty()) {
        return current;
      }
    }
    for (String part : dotted.substring(1).split("\\.")) {
      current = current.path(part);
    }
    return current;
  }
}
