package dev.mlops.datastore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 16: inspect prints why a Delta row count is missing or partial, as rowsNote. */
class InspectRowsNoteTest {
  @Test
  void shouldPrintTheRowsNoteOfATableWithoutStatistics() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = InspectCommand.run(List.of("src/test/resources/data/delta/data-reader-partition-values", "--data-type", "DATA_TYPE_DELTA_TABLE"),
        Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    JsonNode j = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(exit).isZero();
    assertThat(j.path("rows").isNull()).isTrue();
    assertThat(j.path("rowsNote").asText()).startsWith("rows not counted:");
  }

  @Test
  void shouldPrintNoRowsNoteWhenTheCountIsWhole() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InspectCommand.run(List.of("src/test/resources/data/delta/basic-with-inserts-deletes-checkpoint", "--data-type", "DATA_TYPE_DELTA_TABLE"),
        Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    JsonNode j = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(j.path("rows").asLong()).isPositive();
    assertThat(j.has("rowsNote")).isFalse();
  }
}
