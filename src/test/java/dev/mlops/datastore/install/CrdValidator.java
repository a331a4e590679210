package dev.mlops.datastore.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the API server would say about a resource, without an API server: the generated CRD's
 * OpenAPI schema checked as JSON Schema (networknt), then its CEL rules
 * ({@code x-kubernetes-validations}) evaluated with {@code self} bound to each value that carries
 * rules, as the API server binds it (rules run only where the value is present).
 */
final class CrdValidator {
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .addVar("self", SimpleType.DYN)
      .addVar("oldSelf", SimpleType.DYN)
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private final JsonNode openApi;
  private final JsonSchema schema;

  CrdValidator(CustomResourceDefinition crd) {
    openApi = Serialization.jsonMapper().valueToTree(crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema());
    ObjectNode jsonSchema = openApi.deepCopy();
    jsonSchema.put("$schema", "http://json-schema.org/draft-04/schema#");
    schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(jsonSchema);
  }

  /** Every message the API server would answer with; empty when the resource is admitted. */
  List<String> validate(JsonNode resource) {
    List<String> messages = new ArrayList<>();
    for (ValidationMessage m : schema.validate(resource)) {
      messages.add(m.getMessage());
    }
    cel(openApi, resource, "", messages);
    return messages;
  }

  private void cel(JsonNode schemaNode, JsonNode value, String path, List<String> messages) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return;
    }
    for (JsonNode rule : schemaNode.path("x-kubernetes-validations")) {
      try {
        var ast = COMPILER.compile(rule.path("rule").asText()).getAst();
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("self", toCel(value));
        Object result = RUNTIME.createProgram(ast).eval(vars);
        if (!Boolean.TRUE.equals(result)) {
          messages.add(path + ": " + rule.path("message").asText(rule.path("rule").asText()));
        }
      } catch (Exception e) {
        messages.add(path + ": rule " + rule.path("rule").asText() + " failed to evaluate: " + e.getMessage());
      }
    }
    if (value.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = schemaNode.path("properties").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> p = it.next();
        cel(p.getValue(), value.get(p.getKey()), path + "." + p.getKey(), messages);
      }
    } else if (value.isArray() && schemaNode.has("items")) {
      int i = 0;
      for (JsonNode element : value) {
        cel(schemaNode.get("items"), element, path + "[" + i++ + "]", messages);
      }
    }
  }

  private static Object toCel(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), toCel(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(e -> list.add(toCel(e)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }
}
