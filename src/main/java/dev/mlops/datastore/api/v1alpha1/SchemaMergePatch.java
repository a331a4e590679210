package dev.mlops.datastore.api.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * A CRD-generator customizer that merges a JSON merge patch (RFC 7386) into a type's generated
 * schema, for what fabric8's field annotations cannot say: {@code x-kubernetes-list-type}, an enum
 * or a {@code format} on a String, a pattern on list items, a default for the status.
 *
 * <p>fabric8's own {@code MergePatchCustomizer} updates with Jackson's readerForUpdating, which
 * replaces a nested map such as {@code properties} whole instead of merging into it. Used only by
 * the CRD generator at build time; the operator never loads it.
 */
public final class SchemaMergePatch implements SchemaCustomizer.Customizer {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Override
  public JSONSchemaProps apply(JSONSchemaProps props, String patch, KubernetesSerialization serialization) {
    try {
      JsonNode target = MAPPER.valueToTree(props);
      JsonNode merged = merge(target, MAPPER.readTree(patch));
      return MAPPER.treeToValue(merged, JSONSchemaProps.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("schema patch is not JSON: " + patch, e);
    }
  }

  private static JsonNode merge(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : MAPPER.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), merge(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }
}
