package dev.mlops.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.ModelArtifact;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.testing.MockCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every YAML the README shows is applied to the mock cluster and reconciled by the operator. */
class ExamplesIT {
  private static final Path EXAMPLES = Path.of("deploy", "examples");
  private static final String NS = "examples";

  @Test
  void shouldApplyEveryExampleAndGiveEachCustomResourceAStatus() throws IOException {
    List<HasMetadata> objects = examples();
    assertThat(objects).extracting(HasMetadata::getKind).contains("AwsIntegration", "Dataset", "ModelArtifact");

    try (MockCluster cluster = new MockCluster().startOperator(Clock.systemUTC())) {
      var client = cluster.client();
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
      for (HasMetadata object : objects) {
        client.resource(object).inNamespace(NS).create();
      }
      for (HasMetadata object : objects) {
        if (object instanceof AwsIntegration || object instanceof Dataset || object instanceof ModelArtifact) {
          await()
              .atMost(Duration.ofSeconds(20))
              .untilAsserted(
                  () -> {
                    HasMetadata live = client.resource(object).inNamespace(NS).get();
                    JsonNode status = Serialization.jsonMapper().valueToTree(live).path("status");
                    assertThat(status.path("observedGeneration").asLong()).isEqualTo(1L);
                    assertThat(status.path("conditions").findValuesAsText("type")).contains(Conditions.READY);
                  });
        }
      }
    }
  }

  @Test
  void shouldUseOnlyFieldsTheModelKnows() throws IOException {
    for (Path file : files()) {
      for (JsonNode raw : rawDocuments(file)) {
        String kind = raw.path("kind").asText();
        Class<?> type = kind.equals("AwsIntegration") ? AwsIntegration.class : kind.equals("Dataset") ? Dataset.class
            : kind.equals("ModelArtifact") ? ModelArtifact.class : null;
        if (type == null) {
          continue;
        }
        JsonNode roundTrip = Serialization.jsonMapper().valueToTree(Serialization.jsonMapper().treeToValue(raw, type));
        assertThat(roundTrip.path("spec")).as("%s spec survives the typed model unchanged", file).isEqualTo(raw.path("spec"));
      }
    }
  }

  private static List<HasMetadata> examples() throws IOException {
    List<HasMetadata> all = new ArrayList<>();
    for (Path file : files()) {
      try (InputStream in = Files.newInputStream(file)) {
        Object parsed = Serialization.unmarshal(in);
        if (parsed instanceof List<?> list) {
          list.forEach(o -> all.add((HasMetadata) o));
        } else {
          all.add((HasMetadata) parsed);
        }
      }
    }
    return all;
  }

  private static List<JsonNode> rawDocuments(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
      if (!doc.isBlank()) {
        docs.add(Serialization.yamlMapper().readTree(doc));
      }
    }
    return docs;
  }

  private static List<Path> files() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }
}
