package dev.mlops.datastore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.datastore.sandbox.aws.LocalAws;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** inspect as a person runs it: a path in, one JSON object and an exit code out. */
class InspectCommandTest {
  private static final Path DATA = Path.of("src", "test", "resources", "data");
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return InspectCommand.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private JsonNode json() throws IOException {
    return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void shouldDescribeAParquetFileAndExitZero() throws IOException {
    assertThat(run(Map.of(), DATA.resolve("parquet/alltypes_plain.parquet").toString(), "--label-col", "bool_col")).isZero();

    JsonNode j = json();
    assertThat(j.path("format").asText()).isEqualTo("PARQUET");
    assertThat(j.path("columnCount").asInt()).isEqualTo(11);
    assertThat(j.path("rows").asLong()).isEqualTo(8);
    assertThat(j.path("problems").size()).isZero();
    assertThat(j.path("bytesRead").asLong()).isPositive();
    assertThat(j.path("requests").asInt()).isEqualTo(1); // the footer's suffix GET, which also gives the size
    assertThat(j.has("delta")).isTrue();
  }

  @Test
  void shouldDescribeADeltaTableFolder() throws IOException {
    assertThat(run(Map.of(), DATA.resolve("delta/data-reader-partition-values").toString(), "--data-type", "DATA_TYPE_DELTA_TABLE")).isZero();

    JsonNode j = json();
    assertThat(j.path("format").asText()).isEqualTo("DELTA_TABLE");
    assertThat(j.path("delta").path("version").asLong()).isZero();
    assertThat(j.path("delta").path("partitionColumns").get(0).asText()).isEqualTo("as_int");
  }

  @Test
  void shouldExitOneWithTheProblemForAMisspelledLabel(@TempDir Path dir) throws IOException {
    Path csv = Files.writeString(dir.resolve("d.csv"), "id,label\n1,0\n");

    assertThat(run(Map.of(), csv.toString(), "--label-col", "lable")).isEqualTo(1);

    JsonNode problem = json().path("problems").get(0);
    assertThat(problem.path("reason").asText()).isEqualTo("ColumnNotFound");
    assertThat(problem.path("message").asText()).contains("did you mean 'label'?");
  }

  @Test
  void shouldExitTwoWithOneLineOnUnusableArguments() {
    String[][] bad = {{}, {"/no/such/file.csv"}, {"a.csv", "b.csv"}, {"x.csv", "--data-type", "PARQUET"}, {"--label-col"}, {"s3://"}};
    for (String[] args : bad) {
      err.reset();
      assertThat(run(Map.of(), args)).as(String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8).strip()).startsWith("error: ").doesNotContain("\n");
    }
  }

  @Test
  void shouldReadFromS3WithTheStandardChainAndEndpointVariables() throws IOException {
    try (LocalAws aws = new LocalAws()) {
      aws.bucket("cli-bucket", "111122223333", "us-east-1");
      aws.world().user("arn:aws:iam::111122223333:user/cli", "AKIACLITEST000000000", "cli-secret");
      aws.world().grant("arn:aws:iam::111122223333:user/cli", "cli-bucket", "", "s3:GetObject", "s3:ListBucket");
      aws.s3().putObject("cli-bucket", "d/x.jsonl", "{\"id\":1,\"label\":0}\n".getBytes(StandardCharsets.UTF_8));
      System.setProperty("aws.accessKeyId", "AKIACLITEST000000000");
      System.setProperty("aws.secretAccessKey", "cli-secret");
      try {
        int code = run(Map.of("AWS_ENDPOINT_URL_S3", aws.s3().endpoint().toString(), "AWS_REGION", "us-east-1"), "s3://cli-bucket/d/x.jsonl", "--label-col", "label");

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(json().path("format").asText()).isEqualTo("JSONL");
        assertThat(json().path("requests").asInt()).isEqualTo(1); // one ranged GET: no HEAD before it
      } finally {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
      }
    }
  }

  @Test
  void shouldExitOneWithAProblemNotACrashOnTheTwentyTwoByteParquet(@TempDir Path dir) throws IOException {
    Path hostile = Files.write(dir.resolve("x.parquet"), HexFormat.of().parseHex("50415231150219fcffffffff07000a00000050415231"));

    assertThat(run(Map.of(), hostile.toString())).isEqualTo(1);

    assertThat(json().path("problems").get(0).path("reason").asText()).isEqualTo("CorruptParquet");
  }

  @Test
  void shouldRefuseAnUnusableTimeout() {
    assertThat(run(Map.of(), "s3://b/k.csv", "--timeout", "soon")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).strip()).startsWith("error: --timeout").doesNotContain("\n");
  }

  @Test
  @Timeout(120)
  void shouldGiveUpOnASilentEndpointWithOneLineInsteadOfWaiting() throws IOException {
    // An endpoint that accepts connections and never answers: only the client's timeouts end the call.
    List<Socket> held = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        while (!silent.isClosed()) {
          try {
            held.add(silent.accept());
          } catch (IOException closed) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      System.setProperty("aws.accessKeyId", "AKIASILENT0000000000");
      System.setProperty("aws.secretAccessKey", "silent-secret");
      try {
        int code = run(Map.of("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:" + silent.getLocalPort(), "AWS_REGION", "us-east-1"),
            "s3://silent-bucket/d/x.csv", "--timeout", "3s");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).startsWith("error: ").contains("s3://silent-bucket/d/x.csv").contains("did not answer in time")
            .doesNotContain("\n").doesNotContain("silent-secret");
        assertThat(held).isNotEmpty(); // the call was made, and cut by the timeout
      } finally {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  private int runOnTerminal(String... args) {
    List<String> all = new ArrayList<>(List.of("inspect"));
    all.addAll(List.of(args));
    return Main.run(all.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), true);
  }

  @Test
  void shouldPrintAReadableSummaryByDefaultOnATerminal() {
    assertThat(runOnTerminal(DATA.resolve("parquet/alltypes_plain.parquet").toString(), "--label-col", "bool_col")).isZero();

    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotStartWith("{");
    assertThat(text.lines()).anyMatch(l -> l.matches("Format: +PARQUET"))
        .anyMatch(l -> l.matches("Columns: +11 \\(id, bool_col, .*\\)"))
        .anyMatch(l -> l.matches("Rows: +8"))
        .anyMatch(l -> l.matches("Read: +[\\d,]+ bytes in 1 request"))
        .anyMatch(l -> l.matches("Result: +usable"))
        .contains("No problems.");
  }

  @Test
  void shouldListTheProblemsInText(@TempDir Path dir) throws IOException {
    Path csv = Files.writeString(dir.resolve("d.csv"), "id,label\n1,0\n");

    assertThat(run(Map.of(), csv.toString(), "--label-col", "lable", "--output", "text")).isEqualTo(1);

    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text.lines()).anyMatch(l -> l.matches("Result: +NOT usable")).contains("Problems:");
    assertThat(text).contains("  ColumnNotFound: ").contains("did you mean 'label'?");
  }

  @Test
  void shouldPrintJsonOnATerminalWhenAsked() throws IOException {
    assertThat(runOnTerminal(DATA.resolve("parquet/alltypes_plain.parquet").toString(), "--output", "json")).isZero();
    assertThat(json().path("format").asText()).isEqualTo("PARQUET");
  }

  @Test
  void shouldNotPassTerminalControlCodesFromAColumnNameThroughToText(@TempDir Path dir) throws IOException {
    Path csv = Files.writeString(dir.resolve("d.csv"), "id,la\u001b[31mbel\n1,0\n");

    run(Map.of(), csv.toString(), "--output", "text");

    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("\u001b").contains("la\\u001b[31mbel");
  }
}
