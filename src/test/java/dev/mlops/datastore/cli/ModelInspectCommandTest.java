package dev.mlops.datastore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.datastore.model.ModelFiles;
import dev.mlops.datastore.sandbox.aws.LocalAws;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect --model} on real model files written in the test: a path in, one JSON object and an exit code out. */
class ModelInspectCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  @TempDir Path dir;

  private int run(String... args) {
    return InspectCommand.run(List.of(args), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private JsonNode json() throws IOException {
    return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
  }

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.write(p, content);
  }

  private Path write(String name, String content) throws IOException {
    return write(name, content.getBytes(StandardCharsets.UTF_8));
  }

  private String firstReason() throws IOException {
    return json().path("problems").path(0).path("reason").asText();
  }

  @Test
  void shouldAcceptARobustIntelligenceModelFileAndListTheWeightsBesideIt() throws IOException {
    Path model = write("fraud_model.py", ModelFiles.RI_MODEL);
    write("fraud_model.pkl", ModelFiles.pickle());

    assertThat(run("--model", model.toString())).isZero();

    JsonNode j = json();
    assertThat(j.path("platform").asText()).isEqualTo("RobustIntelligence");
    assertThat(j.path("functions")).extracting(JsonNode::asText).containsExactly("predict_df");
    assertThat(j.path("siblings")).extracting(JsonNode::asText).containsExactly("fraud_model.pkl");
    assertThat(j.path("sizeBytes").asLong()).isEqualTo(Files.size(model));
    assertThat(j.path("bytesRead").asLong()).isEqualTo(Files.size(model));
    assertThat(j.path("requests").asInt()).isEqualTo(3);
    assertThat(j.path("problems").size()).isZero();
  }

  @Test
  void shouldTellAPickleNamedPyByItsContent() throws IOException {
    Path model = write("fraud_model.py", ModelFiles.pickle());

    assertThat(run("--model", model.toString())).isEqualTo(1);

    assertThat(firstReason()).isEqualTo("NotAPythonFile");
    assertThat(json().path("problems").path(0).path("message").asText()).contains("a Python pickle").contains("named .py");
  }

  @Test
  void shouldTellAZipNamedPyByItsContent() throws IOException {
    Path model = write("model.py", ModelFiles.zip("model.py", ModelFiles.RI_MODEL.getBytes(StandardCharsets.UTF_8)));
    assertThat(run("--model", model.toString(), "--platform", "RobustIntelligence")).isEqualTo(1);
    assertThat(json().path("problems").path(0).path("message").asText()).contains("a zip archive");
  }

  @Test
  void shouldNameTheMethodAndTheNearMissWhenNoPredictFunctionIsAtModuleLevel() throws IOException {
    Path model = write("fraud_model.py", ModelFiles.RI_MODEL_NESTED);

    assertThat(run("--model", model.toString())).isEqualTo(1);

    assertThat(firstReason()).isEqualTo("NoPredictFunction");
    String message = json().path("problems").path(0).path("message").asText();
    assertThat(message).contains("predict_df on line 4 is inside class FraudModel")
        .contains("did you mean to name 'predict_dataframe' predict_df?")
        .contains("module-level names: pd, FraudModel, predict_dataframe");
    assertThat(json().path("functions")).extracting(JsonNode::asText).containsExactly("predict_dataframe");
  }

  @Test
  void shouldRefuseLatin1WithoutADeclarationAndAcceptItWithOne() throws IOException {
    byte[] body = "# caf\u00e9 model\ndef predict_dict(x):\n    return x\n".getBytes(StandardCharsets.ISO_8859_1);
    Path plain = write("a/model.py", body);
    assertThat(run("--model", plain.toString())).isEqualTo(1);
    assertThat(firstReason()).isEqualTo("NotUtf8");
    assertThat(json().path("problems").path(0).path("message").asText()).contains("0xE9 at offset 5 (line 1)");

    out.reset();
    byte[] declared = ("# -*- coding: latin-1 -*-\n" + new String(body, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
    Path withCoding = write("b/model.py", declared);
    assertThat(run("--model", withCoding.toString())).isZero();
  }

  @Test
  void shouldSuggestTheFileAMissingModelPathWasMeantToName() throws IOException {
    write("fraud_model.py", ModelFiles.RI_MODEL);

    assertThat(run("--model", dir.resolve("fraud-model.py").toString(), "--platform", "RobustIntelligence")).isEqualTo(1);

    assertThat(firstReason()).isEqualTo("ModelFileNotFound");
    assertThat(json().path("problems").path(0).path("message").asText()).contains("did you mean 'fraud_model.py'?");
  }

  @Test
  void shouldAcceptADataRobotFolderWhoseArtifactsAreWhatTheirExtensionsSay() throws IOException {
    write("churn/model.pkl", ModelFiles.pickle());
    write("churn/model.onnx", ModelFiles.onnx());
    write("churn/model.h5", ModelFiles.hdf5());
    write("churn/model.pmml", ModelFiles.pmml());
    write("churn/model.mojo", ModelFiles.zip("model.ini", "[info]\n".getBytes(StandardCharsets.UTF_8)));
    write("churn/custom.py", "def load_model(input_dir):\n    return None\n\ndef score(data, model, **kwargs):\n    return data\n");
    write("churn/requirements.txt", "scikit-learn==1.5.0\n");

    assertThat(run("--model", dir.resolve("churn").toString(), "--platform", "DataRobot")).isZero();

    JsonNode j = json();
    assertThat(j.path("artifacts")).extracting(a -> a.path("name").asText() + "=" + a.path("format").asText())
        .containsExactly("model.h5=HDF5", "model.mojo=ZIP", "model.onnx=ONNX", "model.pkl=PICKLE", "model.pmml=PMML");
    assertThat(j.path("functions")).extracting(JsonNode::asText).containsExactly("load_model", "score");
    assertThat(j.path("siblings")).extracting(JsonNode::asText).containsExactly("requirements.txt");
  }

  @Test
  void shouldReportAnArtifactWhoseContentIsNotWhatItsExtensionSays() throws IOException {
    write("churn/model.h5", ModelFiles.pickle());

    assertThat(run("--model", dir.resolve("churn").toString(), "--platform", "DataRobot")).isEqualTo(1);

    assertThat(firstReason()).isEqualTo("ArtifactFormatMismatch");
    assertThat(json().path("problems").path(0).path("message").asText())
        .contains("is named .h5 but is a Python pickle").contains("name it model.pkl");
  }

  @Test
  void shouldRecogniseAGitLfsPointerUploadedAsTheModel() throws IOException {
    write("m/model.onnx", "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 1048576\n");
    assertThat(run("--model", dir.resolve("m").toString(), "--platform", "DataRobot")).isEqualTo(1);
    assertThat(json().path("problems").path(0).path("message").asText()).contains("Git LFS pointer");
  }

  @Test
  void shouldSayWhatAFolderWithoutArtifactHolds() throws IOException {
    write("empty/README.md", "# churn\n");
    write("empty/v1/model.pkl", ModelFiles.pickle());

    assertThat(run("--model", dir.resolve("empty").toString())).isEqualTo(1);

    assertThat(json().path("platform").asText()).isEqualTo("DataRobot");
    assertThat(firstReason()).isEqualTo("NoModelArtifact");
    assertThat(json().path("problems").path(0).path("message").asText()).contains("README.md").contains("v1/model.pkl");
  }

  @Test
  void shouldReadAModelFromS3WithTheStandardChainAndEndpointVariables() throws IOException {
    try (LocalAws aws = new LocalAws()) {
      aws.bucket("cli-models", "111122223333", "us-east-1");
      aws.world().user("arn:aws:iam::111122223333:user/cli", "AKIACLITEST000000000", "cli-secret");
      aws.world().grant("arn:aws:iam::111122223333:user/cli", "cli-models", "", "s3:GetObject", "s3:ListBucket");
      aws.s3().putObject("cli-models", "churn/model.onnx", ModelFiles.onnx());
      aws.s3().putObject("cli-models", "churn/model.pkl", ModelFiles.hdf5());
      aws.s3().putObject("cli-models", "churn/weights.h5", java.util.Arrays.copyOf(ModelFiles.hdf5(), 1 << 20));
      System.setProperty("aws.accessKeyId", "AKIACLITEST000000000");
      System.setProperty("aws.secretAccessKey", "cli-secret");
      try {
        int code = InspectCommand.run(List.of("--model", "s3://cli-models/churn/"),
            Map.of("AWS_ENDPOINT_URL_S3", aws.s3().endpoint().toString(), "AWS_REGION", "us-east-1"),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(1);
        assertThat(json().path("platform").asText()).isEqualTo("DataRobot");
        assertThat(firstReason()).isEqualTo("ArtifactFormatMismatch");
        assertThat(json().path("problems").path(0).path("message").asText()).contains("s3://cli-models/churn/model.pkl is named .pkl but is an HDF5 file");
        // One listing page and one read of at most 4 KiB per artifact, whatever its size.
        assertThat(json().path("requests").asInt()).isEqualTo(4);
        assertThat(aws.s3().bytesOut("cli-models", "churn/weights.h5")).isEqualTo(4096);
        assertThat(json().path("bytesRead").asLong()).isEqualTo(4096 + ModelFiles.onnx().length + ModelFiles.hdf5().length);
      } finally {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
      }
    }
  }

  @Test
  void shouldRefuseUnusableModelArgumentsWithExitTwo() throws IOException {
    Path model = write("m.py", ModelFiles.RI_MODEL);
    assertThat(run("--model", model.toString(), "--platform", "Sagemaker")).isEqualTo(2);
    assertThat(run("--model", model.toString(), "--label-col", "label")).isEqualTo(2);
    assertThat(run(model.toString(), "--platform", "DataRobot")).isEqualTo(2);
    assertThat(run("--model", "s3://x")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).lines()).hasSize(4).allMatch(l -> l.startsWith("error: "));
    assertThat(out.size()).isZero();
  }
}
