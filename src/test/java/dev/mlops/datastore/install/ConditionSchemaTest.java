package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.testing.MockCluster;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The conditions the operator builds fit the metav1.Condition-shaped schema of both CRDs: the API
 * server refuses a whole status write when one condition does not.
 */
class ConditionSchemaTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void shouldShapeConditionsLikeMetav1ConditionInBothCrds() {
    for (CustomResourceDefinition crd : MockCluster.generatedCrds()) {
      JsonNode conditions = status(crd).path("properties").path("conditions");
      JsonNode item = conditions.path("items").path("properties");

      assertThat(conditions.path("x-kubernetes-list-type").asText()).as(crd.getMetadata().getName()).isEqualTo("map");
      assertThat(conditions.path("x-kubernetes-list-map-keys")).extracting(JsonNode::asText).containsExactly("type");
      assertThat(item.path("status").path("enum")).extracting(JsonNode::asText).containsExactly("True", "False", "Unknown");
      assertThat(item.path("lastTransitionTime").path("format").asText()).isEqualTo("date-time");
      assertThat(item.path("reason").path("pattern").asText()).isEqualTo("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$");
      assertThat(item.path("message").path("maxLength").asInt()).isEqualTo(Conditions.MAX_MESSAGE_LENGTH);
      assertThat(conditions.path("items").path("required")).extracting(JsonNode::asText).contains("type", "status");
      assertThat(status(crd).path("default").path("observedGeneration").asLong()).isEqualTo(-1L);
    }
  }

  @Test
  void shouldCutAMessageLongerThanTheSchemaAllows() {
    String huge = "x".repeat(Conditions.MAX_MESSAGE_LENGTH + 5000);

    // Not Ready: its message is capped shorter still (first cause only).
    List<Condition> built = Conditions.after(List.of(), 1, CLOCK).set("Readable", false, "SomeReason", huge).build();

    assertThat(built.get(0).getMessage()).hasSize(Conditions.MAX_MESSAGE_LENGTH).endsWith("…");
    assertThat(built.get(0).getReason()).matches("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$");
    assertThat(built.get(0).getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");
  }

  private static JsonNode status(CustomResourceDefinition crd) {
    JsonNode schema = Serialization.jsonMapper().valueToTree(crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema());
    return schema.path("properties").path("status");
  }
}
