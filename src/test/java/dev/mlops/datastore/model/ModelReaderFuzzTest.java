package dev.mlops.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The model readers under a small heap: {@link ModelFuzzRun} in a forked JVM with {@code -Xmx64m},
 * as the dataset readers are fuzzed. Fails on any Error or exception escaping, and when the run
 * does not finish within a generous bound.
 */
class ModelReaderFuzzTest {
  private static final long BOUND_SECONDS = 180;

  @Test
  void shouldSurviveHostileAndMutatedModelsUnderASixtyFourMegabyteHeap() throws IOException, InterruptedException {
    Path log = Files.createDirectories(Path.of("target", "fuzz")).resolve("model-fuzz.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(List.of(java, "-Xmx64m", "-Xss512k", "-cp", System.getProperty("java.class.path"), ModelFuzzRun.class.getName()))
        .directory(new File(System.getProperty("user.dir")))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    boolean finished = process.waitFor(BOUND_SECONDS, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly().waitFor();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);

    assertThat(finished).as("the fuzz run finished within %d s; output:%n%s", BOUND_SECONDS, output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("failures=0").contains("maxHeap=");
  }
}
