package dev.mlops.datastore.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Truncated and mutated bytes give a clear problem, never an exception escaping the inspector
 * ("Unreadable" is its name for an internal failure) and never an allocation sized by an unchecked
 * length: the build runs tests with a small heap, so such an allocation would fail the run.
 */
class DatasetReaderFuzzTest {
  private static final Path DATA = DatasetInspectorTest.DATA;

  @Test
  void shouldSurviveMutatedAndTruncatedParquetFiles() throws IOException {
    List<byte[]> seeds = new ArrayList<>();
    try (Stream<Path> files = Files.list(DATA.resolve("parquet"))) {
      for (Path p : files.filter(p -> p.toString().contains(".parquet")).toList()) {
        seeds.add(Files.readAllBytes(p));
      }
    }
    fuzz(seeds, "f.parquet", 3000, 11);
  }

  @Test
  void shouldSurviveMutatedTextJsonAndGzip() throws IOException {
    List<byte[]> seeds = List.of(
        "id,amount,label\r\n1,2,0\r\n".getBytes(StandardCharsets.UTF_8),
        "\"a\",\"b\nc\"\n1,2\n".getBytes(StandardCharsets.UTF_8),
        "{\"id\":1,\"label\":0}\n{\"id\":2}\n".getBytes(StandardCharsets.UTF_8),
        DatasetInspectorTest.gzip("{\"id\":1}\n{\"label\":2}\n"),
        DatasetInspectorTest.gzip("[{\"id\":1},{\"id\":2}]"));
    for (String name : new String[] {"f.csv", "f.jsonl", "f.jsonl.gz", "f.json.gz", "f"}) {
      fuzz(seeds, name, 1500, name.hashCode());
    }
  }

  @Test
  void shouldSurviveMutatedDeltaLogs() throws IOException {
    Path table = DATA.resolve("delta/basic-with-inserts-deletes-checkpoint/_delta_log");
    Random random = new Random(5);
    assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
      for (int round = 0; round < 300; round++) {
        MemoryObjectStore store = new MemoryObjectStore();
        try (Stream<Path> files = Files.list(table)) {
          for (Path p : files.toList()) {
            byte[] b = Files.readAllBytes(p);
            if (random.nextInt(4) == 0) {
              b = mutate(b, random);
            }
            store.put("t/_delta_log/" + p.getFileName(), b);
          }
        }
        Inspection i = DatasetInspectorTest.INSPECTOR.inspect(store, "t", true, Map.of("label_col", "id"));
        assertThat(i.problems()).extracting(Problem::reason).doesNotContain("Unreadable");
      }
    });
  }

  private static void fuzz(List<byte[]> seeds, String name, int rounds, long seed) {
    Random random = new Random(seed);
    assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
      for (int r = 0; r < rounds; r++) {
        byte[] base = seeds.get(random.nextInt(seeds.size()));
        byte[] bytes = random.nextBoolean() ? mutate(base, random) : java.util.Arrays.copyOf(base, random.nextInt(base.length + 1));
        Inspection i = DatasetInspectorTest.INSPECTOR.inspect(new MemoryObjectStore().put(name, bytes), name, false, Map.of("label_col", "label"));
        assertThat(i.problems()).extracting(Problem::reason).as("round %d", r).doesNotContain("Unreadable");
      }
    });
  }

  static byte[] mutate(byte[] b, Random random) {
    byte[] out = b.clone();
    int edits = 1 + random.nextInt(8);
    for (int e = 0; e < edits && out.length > 0; e++) {
      int at = random.nextInt(out.length);
      switch (random.nextInt(3)) {
        case 0 -> out[at] = (byte) random.nextInt(256);
        case 1 -> out[at] = (byte) (out[at] ^ (1 << random.nextInt(8)));
        default -> {
          // Lengths and counts live in the last bytes of Parquet: hit them often.
          int tail = Math.max(0, out.length - 1 - random.nextInt(Math.min(out.length, 64)));
          out[tail] = (byte) random.nextInt(256);
        }
      }
    }
    return out;
  }
}
