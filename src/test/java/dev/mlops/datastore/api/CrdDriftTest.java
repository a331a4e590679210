package dev.mlops.datastore.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed crds/ folder must be exactly what the build generates from the Java model. */
class CrdDriftTest {
  private static final Path GENERATED = Path.of("target", "classes", "META-INF", "fabric8");
  private static final Path COMMITTED = Path.of("crds");

  @Test
  void shouldMatchTheGeneratedCrdsFileForFile() throws IOException {
    assertThat(names(COMMITTED))
        .as("crds/ must hold the same files as the generated CRDs")
        .containsExactlyElementsOf(names(GENERATED));
    for (String name : names(GENERATED)) {
      assertThat(Files.readString(COMMITTED.resolve(name)))
          .as("crds/%s is stale: run `mvn -Pupdate-crds process-classes` and commit it", name)
          .isEqualTo(Files.readString(GENERATED.resolve(name)));
    }
  }

  private static java.util.List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml")).sorted().toList();
    }
  }
}
