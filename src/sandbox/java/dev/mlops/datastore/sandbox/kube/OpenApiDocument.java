package dev.mlops.datastore.sandbox.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The OpenAPI v3 document of one group version, as the API server publishes it at
 * {@code /openapi/v3/apis/GROUP/VERSION}: each kind's schema (a CRD's {@code openAPIV3Schema}, with
 * apiVersion, kind and metadata as a real server adds them) tagged with its group, version and kind,
 * which {@code kubectl explain} looks for; and a PATCH and POST operation per resource that takes
 * {@code fieldValidation}, from which kubectl learns the server validates (so it sends the request
 * instead of validating with a schema of its own).
 */
final class OpenApiDocument {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

  private OpenApiDocument() {}

  static ObjectNode of(List<ApiDiscovery.Resource> resources) {
    ObjectNode doc = JSON.createObjectNode().put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", ApiDiscovery.VERSION);
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    schemas.set(OBJECT_META, objectMeta());
    for (ApiDiscovery.Resource r : resources) {
      String name = schemaName(r);
      ObjectNode schema = r.crd() == null ? JSON.createObjectNode().put("type", "object")
          .put("description", r.kind() + " of the core API (the sandbox serves no schema for it).") : crdSchema(r);
      ObjectNode props = schema.with("properties");
      props.putObject("apiVersion").put("type", "string")
          .put("description", "APIVersion defines the versioned schema of this representation of an object.");
      props.putObject("kind").put("type", "string").put("description", "Kind is a string value representing the REST resource this object represents.");
      props.putObject("metadata").put("description", "Standard object's metadata.").putArray("allOf").addObject()
          .put("$ref", "#/components/schemas/" + OBJECT_META);
      schema.putArray("x-kubernetes-group-version-kind").addObject().put("group", r.group()).put("kind", r.kind()).put("version", r.version());
      schemas.set(name, schema);
      String collection = r.prefix() + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.plural();
      paths.putObject(collection).set("post", operation(r, "create" + r.kind(), name));
      paths.putObject(collection + "/{name}").set("patch", operation(r, "patch" + r.kind(), name));
    }
    return doc;
  }

  private static String schemaName(ApiDiscovery.Resource r) {
    if (r.group().isEmpty()) {
      return "io.k8s.api.core.v1." + r.kind();
    }
    String[] parts = r.group().split("\\.");
    StringBuilder reversed = new StringBuilder();
    for (int i = parts.length - 1; i >= 0; i--) {
      reversed.append(parts[i]).append('.');
    }
    return reversed + r.version() + "." + r.kind();
  }

  private static ObjectNode crdSchema(ApiDiscovery.Resource r) {
    JsonNode schema = r.crd().getSpec().getVersions().stream().filter(v -> v.getName().equals(r.version())).findFirst()
        .map(v -> (JsonNode) JSON.valueToTree(v.getSchema().getOpenAPIV3Schema())).orElseThrow();
    return ((ObjectNode) schema).deepCopy();
  }

  private static ObjectNode operation(ApiDiscovery.Resource r, String id, String schema) {
    ObjectNode op = JSON.createObjectNode().put("operationId", id);
    op.putObject("x-kubernetes-group-version-kind").put("group", r.group()).put("kind", r.kind()).put("version", r.version());
    op.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query").put("description",
        "Strict, Warn or Ignore: how the server treats unknown and duplicate fields.").putObject("schema").put("type", "string");
    op.putObject("responses").putObject("200").put("description", "OK").putObject("content").putObject("application/json")
        .putObject("schema").put("$ref", "#/components/schemas/" + schema);
    return op;
  }

  private static ObjectNode objectMeta() {
    ObjectNode meta = JSON.createObjectNode().put("type", "object").put("description",
        "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.");
    ObjectNode p = meta.putObject("properties");
    p.putObject("name").put("type", "string").put("description", "Name must be unique within a namespace.");
    p.putObject("namespace").put("type", "string").put("description", "Namespace defines the space within which each name must be unique.");
    p.putObject("labels").put("type", "object").put("description", "Map of string keys and values that can be used to organize objects.")
        .putObject("additionalProperties").put("type", "string");
    p.putObject("annotations").put("type", "object").put("description", "An unstructured key value map set by external tools.")
        .putObject("additionalProperties").put("type", "string");
    p.putObject("generation").put("type", "integer").put("format", "int64").put("description",
        "A sequence number representing a specific generation of the desired state.");
    p.putObject("resourceVersion").put("type", "string").put("description", "An opaque value that represents the internal version of this object.");
    p.putObject("uid").put("type", "string").put("description", "UID is the unique in time and space value for this object.");
    p.putObject("creationTimestamp").put("type", "string").put("format", "date-time").put("description",
        "A timestamp representing the server time when this object was created.");
    return meta;
  }
}
