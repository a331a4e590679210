package dev.mlops.datastore.sandbox;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.ModelArtifact;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Kubernetes objects for the sandbox, from multi-document YAML: Namespaces, ServiceAccounts,
 * Secrets, AwsIntegrations, Datasets and ModelArtifacts. An object without a namespace goes to
 * {@code default}, as kubectl puts it. Errors name the file and the document.
 */
final class SceneFile {
  private static final Set<String> KINDS = Set.of("Namespace", "ServiceAccount", "Secret", "AwsIntegration", "Dataset", "Pod", "ConfigMap",
      "ModelArtifact", "AwsIntegrationPolicy");
  /** Kinds without a namespace: nothing is defaulted for them. */
  private static final Set<String> CLUSTER_KINDS = Set.of("Namespace", "AwsIntegrationPolicy");

  static final String DEFAULT_NAMESPACE = "default";

  private SceneFile() {}

  static List<HasMetadata> read(Path file) throws WorldFile.Invalid {
    if (!Files.isRegularFile(file)) {
      throw new WorldFile.Invalid(file + ": no such file");
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new WorldFile.Invalid(file + ": cannot read (" + e.getMessage() + ")");
    }
    return objects(text, file.toString());
  }

  /** The objects of multi-document YAML; errors start with {@code where} (a file, or a file and field). */
  static List<HasMetadata> objects(String text, String where) throws WorldFile.Invalid {
    List<HasMetadata> out = new ArrayList<>();
    int index = 0;
    for (String doc : text.split("(?m)^---\\s*$")) {
      if (doc.replaceAll("(?m)^\\s*#.*$", "").isBlank()) {
        continue;
      }
      String at = where + ": document " + (++index);
      var node = parse(doc, at);
      String kind = node.path("kind").asText("");
      if (!KINDS.contains(kind)) {
        throw new WorldFile.Invalid(at + ": kind: '" + kind + "' is not one of " + KINDS);
      }
      if (node.path("metadata").path("name").asText("").isEmpty()) {
        throw new WorldFile.Invalid(at + ": metadata.name: is required");
      }
      if (!CLUSTER_KINDS.contains(kind) && node.path("metadata").path("namespace").asText("").isEmpty()) {
        // As kubectl does (with no namespace in its context): the default namespace.
        ((com.fasterxml.jackson.databind.node.ObjectNode) node.path("metadata")).put("namespace", DEFAULT_NAMESPACE);
      }
      Class<? extends HasMetadata> type = switch (kind) {
        case "AwsIntegration" -> AwsIntegration.class;
        case "Dataset" -> Dataset.class;
        case "ModelArtifact" -> ModelArtifact.class;
        case "AwsIntegrationPolicy" -> dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicy.class;
        default -> null;
      };
      try {
        out.add(type == null ? Serialization.unmarshal(node.toString()) : Serialization.jsonMapper().treeToValue(node, type));
      } catch (IOException | RuntimeException e) {
        throw new WorldFile.Invalid(at + ": " + e.getMessage().lines().findFirst().orElse("cannot be read"));
      }
    }
    return out;
  }

  private static com.fasterxml.jackson.databind.JsonNode parse(String doc, String at) throws WorldFile.Invalid {
    try {
      return Serialization.yamlMapper().readTree(doc);
    } catch (IOException e) {
      throw new WorldFile.Invalid(at + ": not valid YAML (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
  }
}
