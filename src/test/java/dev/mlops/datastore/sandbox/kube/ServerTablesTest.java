package dev.mlops.datastore.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The JSONPaths, ages and field selectors of the sandbox's kubectl front, as the API server reads them. */
class ServerTablesTest {
  private static final JsonNode OBJECT = read("""
      {"metadata": {"name": "d", "namespace": "team"},
       "spec": {"path": "s3://b/k.csv"},
       "status": {"path": "not this one?", "conditions": [
         {"type": "Reachable", "status": "True", "reason": "Found"},
         {"type": "Ready", "status": "False", "reason": "ColumnNotFound"}]},
       "involvedObject": {"kind": "Dataset", "name": "d"}}
      """);

  private static JsonNode read(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void shouldSelectFieldsFiltersAndFieldsBelow() {
    assertThat(ServerTables.evaluate(OBJECT, ".status.conditions[?(@.type==\"Ready\")].reason")).extracting(JsonNode::asText)
        .containsExactly("ColumnNotFound");
    assertThat(ServerTables.evaluate(OBJECT, "..conditions[?(@.type == \"Ready\")].status")).extracting(JsonNode::asText).containsExactly("False");
    assertThat(ServerTables.evaluate(OBJECT, "..spec.path")).extracting(JsonNode::asText).containsExactly("s3://b/k.csv");
    assertThat(ServerTables.evaluate(OBJECT, ".spec.missing")).isEmpty();
    assertThat(ServerTables.evaluate(OBJECT, ".spec.path[0]")).as("a form it cannot read selects nothing").isEmpty();
  }

  @Test
  void shouldPrintAgesAsKubectlDoes() {
    Instant now = Instant.parse("2026-01-10T12:00:00Z");
    assertThat(ServerTables.age("2026-01-10T11:59:15Z", now)).isEqualTo("45s");
    assertThat(ServerTables.age("2026-01-10T11:56:48Z", now)).isEqualTo("3m12s");
    assertThat(ServerTables.age("2026-01-10T11:35:00Z", now)).isEqualTo("25m");
    assertThat(ServerTables.age("2026-01-10T06:50:00Z", now)).isEqualTo("5h10m");
    assertThat(ServerTables.age("2026-01-09T06:00:00Z", now)).isEqualTo("30h");
    assertThat(ServerTables.age("2026-01-04T10:00:00Z", now)).isEqualTo("6d2h");
    assertThat(ServerTables.age("2025-12-01T12:00:00Z", now)).isEqualTo("40d");
    assertThat(ServerTables.age("yesterday", now)).isEqualTo("<unknown>");
  }

  @Test
  void shouldMatchFieldSelectorsAsTheApiServerDoes() {
    assertThat(FieldSelector.matches("metadata.name=d", OBJECT)).isTrue();
    assertThat(FieldSelector.matches("metadata.name==d,metadata.namespace=team", OBJECT)).isTrue();
    assertThat(FieldSelector.matches("involvedObject.kind=Dataset,involvedObject.name=other", OBJECT)).isFalse();
    assertThat(FieldSelector.matches("metadata.namespace!=team", OBJECT)).isFalse();
    assertThat(FieldSelector.matches("", OBJECT)).isTrue();
  }

  @Test
  void shouldDropStrategicMergeDirectives() {
    JsonNode patch = read("{\"$setElementOrder/secrets\": [{\"name\": \"a\"}], \"metadata\": {\"$patch\": \"merge\", \"labels\": {\"a\": \"b\"}}}");

    assertThat(KubectlFront.withoutDirectives(patch).toString()).isEqualTo("{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
  }
}
