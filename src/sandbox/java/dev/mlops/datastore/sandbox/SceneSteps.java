package dev.mlops.datastore.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.GoDuration;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The ordered steps of a scene, read from YAML; what each does is up to {@link LocalSandbox}.
 * Every error names the file and the step, as the world file's do.
 *
 * <pre>
 * steps:
 *   - wait: settled                                 # or {settled: true, timeout: 90s}
 *   - edit: {kind: Secret, namespace: a, name: creds, patch: {stringData: {AWS_SECRET_ACCESS_KEY: ...}}}
 *   - apply: more.yaml                              # a file next to this one, or one object inline
 *   - delete: {kind: Dataset, namespace: a, name: d}
 *   - wait: {kind: AwsIntegration, namespace: a, name: i, condition: Ready, status: "True", reason: ..., timeout: 60s}
 *   - wait: {kind: AwsIntegration, namespace: a, name: i, condition: Ready, fresh: true}   # in a check made since the wait began
 *   - wait: {kind: ServiceAccount, namespace: a, name: sa, annotation: eks.amazonaws.com/role-arn}
 *   - wait: {kind: Dataset, namespace: a, name: d, gone: true}
 *   - advanceClock: 20m                             # the clock the operator, STS and tokens share
 *   - restartOperator: true                         # a new operator process on the same cluster and AWS
 * </pre>
 */
final class SceneSteps {
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
  static final List<String> KINDS = List.of("Namespace", "ServiceAccount", "Secret", "ConfigMap", "Pod", "AwsIntegration", "Dataset");

  /** One object, by kind, namespace and name. */
  record Target(String kind, String namespace, String name) {
    @Override
    public String toString() {
      return kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }
  }

  /** A step of the scene; {@code index} counts from 1, {@code text} says what it does in a line. */
  sealed interface Step {
    int index();

    String text();
  }

  record Apply(int index, String text, List<HasMetadata> objects) implements Step {}

  record Edit(int index, String text, Target target, JsonNode patch) implements Step {}

  record Delete(int index, String text, Target target) implements Step {}

  /** Waits until every resource is settled, or until one object meets what the step asks. */
  record Wait(int index, String text, Target target, String condition, String status, String reason, boolean fresh, String annotation,
      boolean gone, Duration timeout) implements Step {
    boolean settled() {
      return target == null;
    }
  }

  record AdvanceClock(int index, String text, Duration by) implements Step {}

  record RestartOperator(int index, String text) implements Step {}

  private final Path file;

  private SceneSteps(Path file) {
    this.file = file;
  }

  static List<Step> read(Path file) throws WorldFile.Invalid {
    if (!Files.isRegularFile(file)) {
      throw new WorldFile.Invalid(file + ": no such file");
    }
    JsonNode root;
    try {
      root = Serialization.yamlMapper().readTree(Files.readString(file));
    } catch (IOException e) {
      throw new WorldFile.Invalid(file + ": not valid YAML (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    SceneSteps reader = new SceneSteps(file);
    if (root == null || !root.isObject() || !root.path("steps").isArray()) {
      throw reader.invalid("steps", "is required (a list of steps)");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!key.equals("steps")) {
        throw reader.invalid(key, "unknown field (expected steps)");
      }
    }
    List<Step> steps = new ArrayList<>();
    int i = 0;
    for (JsonNode s : root.path("steps")) {
      steps.add(reader.step(s, i++));
    }
    return steps;
  }

  private Step step(JsonNode s, int i) throws WorldFile.Invalid {
    String at = "steps[" + i + "]";
    if (!s.isObject() || s.size() != 1) {
      throw invalid(at, "must be one of apply, edit, delete, wait, advanceClock, restartOperator, e.g. {wait: settled}");
    }
    Map.Entry<String, JsonNode> only = s.fields().next();
    String action = only.getKey();
    JsonNode v = only.getValue();
    int index = i + 1;
    String where = at + "." + action;
    return switch (action) {
      case "apply" -> {
        if (v.isTextual()) {
          try {
            yield new Apply(index, "apply " + v.asText(), SceneFile.read(file.resolveSibling(v.asText())));
          } catch (WorldFile.Invalid e) {
            throw invalid(where, e.getMessage());
          }
        }
        if (!v.isObject()) {
          throw invalid(where, "must be a file name or one object");
        }
        List<HasMetadata> objects = SceneFile.objects(v.toString(), file + ": " + where);
        yield new Apply(index, "apply " + new Target(v.path("kind").asText(), v.path("metadata").path("namespace").asText(null),
            v.path("metadata").path("name").asText()), objects);
      }
      case "edit" -> {
        Target t = target(v, where, List.of("kind", "namespace", "name", "patch"));
        if (!v.path("patch").isObject()) {
          throw invalid(where + ".patch", "is required (a JSON merge patch, e.g. {spec: {dataParams: {label_col: label}}})");
        }
        yield new Edit(index, "edit " + t, t, v.path("patch"));
      }
      case "delete" -> {
        Target t = target(v, where, List.of("kind", "namespace", "name"));
        yield new Delete(index, "delete " + t, t);
      }
      case "wait" -> wait(v, where, index);
      case "advanceClock" -> {
        Duration by = duration(v, where);
        yield new AdvanceClock(index, "advance the clock by " + v.asText(), by);
      }
      case "restartOperator" -> {
        if (!v.isBoolean() || !v.asBoolean()) {
          throw invalid(where, "must be true");
        }
        yield new RestartOperator(index, "restart the operator");
      }
      default -> throw invalid(at + "." + action, "unknown step (expected apply, edit, delete, wait, advanceClock, restartOperator)");
    };
  }

  private Wait wait(JsonNode v, String where, int index) throws WorldFile.Invalid {
    if (v.isTextual()) {
      if (!v.asText().equals("settled")) {
        throw invalid(where, "'" + v.asText() + "' is not settled (or give {kind, namespace, name, condition|annotation|gone})");
      }
      return new Wait(index, "wait until settled", null, null, null, null, false, null, false, DEFAULT_WAIT);
    }
    if (!v.isObject()) {
      throw invalid(where, "must be settled or a mapping");
    }
    Duration timeout = v.has("timeout") ? duration(v.path("timeout"), where + ".timeout") : DEFAULT_WAIT;
    if (v.has("settled")) {
      for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!key.equals("settled") && !key.equals("timeout")) {
          throw invalid(where + "." + key, "unknown field with settled (expected timeout)");
        }
      }
      return new Wait(index, "wait until settled", null, null, null, null, false, null, false, timeout);
    }
    Target t = target(v, where, List.of("kind", "namespace", "name", "condition", "status", "reason", "fresh", "annotation", "gone", "timeout"));
    int asks = (v.has("condition") ? 1 : 0) + (v.has("annotation") ? 1 : 0) + (v.has("gone") ? 1 : 0);
    if (asks != 1) {
      throw invalid(where, "needs one of condition (with status, and reason if wanted), annotation or gone: true");
    }
    if (v.has("gone") && !v.path("gone").asBoolean(false)) {
      throw invalid(where + ".gone", "must be true");
    }
    if (v.has("condition") && !t.kind().equals("AwsIntegration") && !t.kind().equals("Dataset")) {
      throw invalid(where + ".condition", "conditions are waited for on AwsIntegration and Dataset, not " + t.kind());
    }
    if (v.has("fresh") && (!v.has("condition") || !v.path("fresh").isBoolean())) {
      throw invalid(where + ".fresh", "is true or false, with a condition");
    }
    String status = v.path("status").asText("True");
    if (v.has("condition") && !List.of("True", "False", "Unknown").contains(status)) {
      throw invalid(where + ".status", "must be \"True\", \"False\" or \"Unknown\" (quoted in YAML)");
    }
    String what = v.has("condition") ? v.path("condition").asText() + "=" + status + (v.has("reason") ? " (" + v.path("reason").asText() + ")" : "")
        + (v.path("fresh").asBoolean(false) ? " in a check made since" : "")
        : v.has("annotation") ? "annotation " + v.path("annotation").asText() : "gone";
    return new Wait(index, "wait until " + t + " " + what, t, v.path("condition").asText(null), v.has("condition") ? status : null,
        v.path("reason").asText(null), v.path("fresh").asBoolean(false), v.path("annotation").asText(null), v.has("gone"), timeout);
  }

  private Target target(JsonNode v, String where, List<String> fields) throws WorldFile.Invalid {
    if (!v.isObject()) {
      throw invalid(where, "must be a mapping with kind, namespace and name");
    }
    for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!fields.contains(key)) {
        throw invalid(where + "." + key, "unknown field (expected " + String.join(", ", fields) + ")");
      }
    }
    String kind = v.path("kind").asText("");
    if (!KINDS.contains(kind)) {
      throw invalid(where + ".kind", "'" + kind + "' is not one of " + KINDS);
    }
    String name = v.path("name").asText("");
    if (name.isEmpty()) {
      throw invalid(where + ".name", "is required");
    }
    String namespace = v.path("namespace").asText("");
    if (namespace.isEmpty() && !kind.equals("Namespace")) {
      throw invalid(where + ".namespace", "is required for a " + kind);
    }
    return new Target(kind, namespace.isEmpty() ? null : namespace, name);
  }

  private Duration duration(JsonNode v, String where) throws WorldFile.Invalid {
    try {
      Duration d = GoDuration.parse(v.asText(""));
      if (d.isNegative() || d.isZero()) {
        throw invalid(where, "must be more than 0s");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw invalid(where, "'" + v.asText() + "' is not a duration such as 90s or 20m");
    }
  }

  private WorldFile.Invalid invalid(String field, String problem) {
    return new WorldFile.Invalid(file + ": " + field + ": " + problem);
  }
}
