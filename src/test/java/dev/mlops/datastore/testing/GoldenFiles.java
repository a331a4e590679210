package dev.mlops.datastore.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares a rendered object with its golden YAML file under {@code src/test/resources/golden/}.
 * After an intended change, regenerate them with {@code mvn test -Dtest='*StatusFactoryTest'
 * -DupdateGolden=true} and read the diff before committing it.
 */
public final class GoldenFiles {
  private static final Path ROOT = Path.of("src/test/resources/golden");

  private GoldenFiles() {}

  public static void assertMatches(String name, Object actual) {
    String yaml = "# Golden file: regenerate with mvn test -Dtest='*StatusFactoryTest' -DupdateGolden=true\n"
        + Serialization.asYaml(actual).replaceFirst("^---\n", "");
    Path file = ROOT.resolve(name + ".yaml");
    try {
      if (Boolean.getBoolean("updateGolden")) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
      }
      assertThat(file).as("golden file %s (regenerate with -DupdateGolden=true)", file).exists();
      assertThat(yaml).as("status rendered for %s", file).isEqualTo(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
