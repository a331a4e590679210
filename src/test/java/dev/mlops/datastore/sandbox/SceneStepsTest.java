package dev.mlops.datastore.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a steps file: what each step becomes, and one line naming the file and step for each mistake. */
class SceneStepsTest {
  @TempDir Path dir;

  private List<SceneSteps.Step> read(String yaml) throws Exception {
    Path file = dir.resolve("steps.yaml");
    Files.writeString(file, yaml);
    return SceneSteps.read(file);
  }

  private String problem(String yaml) throws Exception {
    try {
      read(yaml);
    } catch (WorldFile.Invalid e) {
      String prefix = dir.resolve("steps.yaml") + ": ";
      assertThat(e.getMessage()).startsWith(prefix).doesNotContain("\n");
      return e.getMessage().substring(prefix.length());
    }
    throw new AssertionError("the steps were read");
  }

  @Test
  void shouldReadEveryKindOfStepInOrder() throws Exception {
    Files.writeString(dir.resolve("more.yaml"), "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: n}\n");
    List<SceneSteps.Step> steps = read("""
        steps:
          - apply: more.yaml
          - edit: {kind: Dataset, namespace: n, name: d, patch: {spec: {path: "s3://b/k.csv"}}}
          - delete: {kind: Secret, namespace: n, name: s}
          - wait: {kind: AwsIntegration, namespace: n, name: i, condition: Ready, status: "False", reason: TokenExpired, fresh: true, timeout: 5s}
          - advanceClock: 90m
          - restartOperator: true
          - wait: settled
        """);

    assertThat(steps).extracting(SceneSteps.Step::text).containsExactly("apply more.yaml", "edit Dataset n/d", "delete Secret n/s",
        "wait until AwsIntegration n/i Ready=False (TokenExpired) in a check made since", "advance the clock by 90m", "restart the operator",
        "wait until settled");
    assertThat(((SceneSteps.Apply) steps.get(0)).objects()).hasSize(1);
    SceneSteps.Wait wait = (SceneSteps.Wait) steps.get(3);
    assertThat(wait.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(wait.fresh()).isTrue();
    assertThat(((SceneSteps.AdvanceClock) steps.get(4)).by()).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void shouldNameTheStepOfEveryMistake() throws Exception {
    assertThat(problem("wait: settled\n")).isEqualTo("steps: is required (a list of steps)");
    assertThat(problem("steps:\n  - {wait: settled, edit: {}}\n")).startsWith("steps[0]: must be one of apply");
    assertThat(problem("steps:\n  - apply: nope.yaml\n")).endsWith("nope.yaml: no such file");
    assertThat(problem("steps:\n  - edit: {kind: Dataset, namespace: n, name: d}\n")).startsWith("steps[0].edit.patch: is required");
    assertThat(problem("steps:\n  - delete: {kind: Deployment, namespace: n, name: d}\n")).startsWith("steps[0].delete.kind: 'Deployment' is not one of");
    assertThat(problem("steps:\n  - delete: {kind: Dataset, name: d}\n")).isEqualTo("steps[0].delete.namespace: is required for a Dataset");
    assertThat(problem("steps:\n  - wait: forever\n")).startsWith("steps[0].wait: 'forever' is not settled");
    assertThat(problem("steps:\n  - wait: {kind: Dataset, namespace: n, name: d}\n")).startsWith("steps[0].wait: needs one of condition");
    assertThat(problem("steps:\n  - wait: {kind: Secret, namespace: n, name: s, condition: Ready}\n"))
        .startsWith("steps[0].wait.condition: conditions are waited for on AwsIntegration and Dataset");
    assertThat(problem("steps:\n  - wait: {kind: Dataset, namespace: n, name: d, gone: true, timeout: later}\n"))
        .isEqualTo("steps[0].wait.timeout: 'later' is not a duration such as 90s or 20m");
    assertThat(problem("steps:\n  - advanceClock: -5m\n")).startsWith("steps[0].advanceClock: ");
    assertThat(problem("steps:\n  - restartOperator: false\n")).isEqualTo("steps[0].restartOperator: must be true");
  }
}
