package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.testing.MockCluster;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Admission without an API server: every example is admitted by the generated CRDs, and every
 * deliberately invalid resource (src/test/resources/invalid, each with the message it must get
 * in its first line) is rejected with that message.
 */
class CrdValidationTest {
  private static final CrdValidator AWS_INTEGRATION = validator("AwsIntegration");
  private static final CrdValidator DATASET = validator("Dataset");

  private static CrdValidator validator(String kind) {
    CustomResourceDefinition crd = MockCluster.generatedCrds().stream()
        .filter(c -> c.getSpec().getNames().getKind().equals(kind)).findFirst().orElseThrow();
    return new CrdValidator(crd);
  }

  private static CrdValidator forKind(JsonNode resource) {
    return resource.path("kind").asText().equals("Dataset") ? DATASET : AWS_INTEGRATION;
  }

  static Stream<Path> examples() throws IOException {
    return yamlFiles(Path.of("deploy", "examples"));
  }

  static Stream<Path> invalid() throws IOException {
    return yamlFiles(Path.of("src", "test", "resources", "invalid"));
  }

  private static Stream<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void shouldAdmitEveryExample(Path file) throws IOException {
    for (JsonNode resource : documents(file)) {
      String kind = resource.path("kind").asText();
      if (kind.equals("AwsIntegration") || kind.equals("Dataset")) {
        assertThat(forKind(resource).validate(resource)).as("%s %s", file, resource.path("metadata").path("name")).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void shouldRejectEveryInvalidResourceWithItsMessage(Path file) throws IOException {
    String first = Files.readAllLines(file).get(0);
    assertThat(first).as("%s must start with '# expect: MESSAGE'", file).startsWith("# expect: ");
    String expected = first.substring("# expect: ".length()).trim();
    JsonNode resource = documents(file).get(0);

    List<String> messages = forKind(resource).validate(resource);

    assertThat(messages).as(file.toString()).anySatisfy(m -> assertThat(m).contains(expected));
  }

  private static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
      if (!doc.replaceAll("(?m)^#.*$", "").isBlank()) {
        out.add(Serialization.yamlMapper().readTree(doc));
      }
    }
    return out;
  }
}
