package dev.mlops.datastore.trust;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a policy document twice: once as a token stream that notices every duplicate key (IAM's
 * grammar forbids them, and ordinary JSON parsers silently keep the last), and once as a tree with
 * last-wins semantics, which is how a duplicate-keyed document is commonly read.
 */
public final class PolicyParser {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  /** A key that appears more than once in one object; {@code path} is JSON-Pointer-like. */
  public record Duplicate(String path, String key, int times) {}

  /**
   * @param root the document with last-wins semantics, or null when the text is not JSON
   * @param syntaxError why the text is not JSON, or null
   */
  public record Parsed(JsonNode root, String syntaxError, List<Duplicate> duplicates) {}

  private PolicyParser() {}

  public static Parsed parse(String text) {
    List<Duplicate> duplicates;
    try {
      duplicates = scanDuplicates(text);
    } catch (JsonProcessingException e) {
      return new Parsed(null, describe(e), List.of());
    } catch (IOException e) {
      return new Parsed(null, "unreadable: " + e.getClass().getSimpleName(), List.of());
    }
    try {
      JsonNode root = MAPPER.readTree(text);
      if (root == null || root.isMissingNode()) {
        return new Parsed(null, "the document is empty", List.of());
      }
      return new Parsed(root, null, duplicates);
    } catch (JsonProcessingException e) {
      return new Parsed(null, describe(e), List.of());
    }
  }

  /**
   * Linear in the document: each duplicate is counted in a map keyed by its place, so a policy
   * repeating one key 100,000 times costs 100,000 map updates, not a search of the duplicates found
   * so far for each.
   */
  private static List<Duplicate> scanDuplicates(String text) throws IOException {
    Map<List<String>, Integer> counts = new LinkedHashMap<>();
    Deque<Set<String>> seen = new ArrayDeque<>();
    Deque<String> path = new ArrayDeque<>();
    Deque<Integer> arrayIndex = new ArrayDeque<>();
    String pendingField = null;
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        switch (t) {
          case START_OBJECT, START_ARRAY -> {
            path.push(segment(pendingField, arrayIndex));
            pendingField = null;
            if (t == JsonToken.START_OBJECT) {
              seen.push(new HashSet<>());
              arrayIndex.push(-1);
            } else {
              seen.push(Set.of());
              arrayIndex.push(0);
            }
          }
          case END_OBJECT, END_ARRAY -> {
            seen.pop();
            path.pop();
            arrayIndex.pop();
            bumpIndex(arrayIndex);
          }
          case FIELD_NAME -> {
            String name = p.currentName();
            if (!seen.peek().add(name)) {
              counts.merge(List.of(pointer(path), name), 2, (was, two) -> was + 1);
            }
            pendingField = name;
          }
          default -> {
            pendingField = null;
            bumpIndex(arrayIndex);
          }
        }
      }
    }
    List<Duplicate> found = new ArrayList<>();
    counts.forEach((where, times) -> found.add(new Duplicate(where.get(0), where.get(1), times)));
    return found;
  }

  private static String segment(String field, Deque<Integer> arrayIndex) {
    if (field != null) {
      return field;
    }
    Integer index = arrayIndex.peek();
    return index == null || index < 0 ? "" : String.valueOf(index);
  }

  private static void bumpIndex(Deque<Integer> arrayIndex) {
    Integer top = arrayIndex.peek();
    if (top != null && top >= 0) {
      arrayIndex.pop();
      arrayIndex.push(top + 1);
    }
  }

  private static String pointer(Deque<String> path) {
    List<String> parts = new ArrayList<>(path);
    java.util.Collections.reverse(parts);
    StringBuilder sb = new StringBuilder();
    for (String part : parts) {
      if (!part.isEmpty()) {
        sb.append('/').append(part);
      }
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  private static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    var location = e.getLocation();
    String where =
        location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    message = message == null ? "invalid JSON" : message.lines().findFirst().orElse(message);
    if (message.length() > 200) {
      message = message.substring(0, 200) + "...";
    }
    return "not valid JSON" + where + ": " + message;
  }
}
