package dev.mlops.datastore.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.datastore.GoDuration;
import dev.mlops.datastore.dataset.DatasetInspector;
import dev.mlops.datastore.dataset.Inspection;
import dev.mlops.datastore.dataset.InspectionLimits;
import dev.mlops.datastore.dataset.LocalObjectStore;
import dev.mlops.datastore.dataset.ObjectStore;
import dev.mlops.datastore.dataset.ObjectStoreException;
import dev.mlops.datastore.dataset.Problem;
import dev.mlops.datastore.dataset.S3ObjectStore;
import dev.mlops.datastore.dataset.S3Path;
import dev.mlops.datastore.model.ModelInspection;
import dev.mlops.datastore.model.ModelInspector;
import dev.mlops.datastore.model.ModelProblem;
import dev.mlops.datastore.model.ModelRules;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code inspect PATH [--data-type DATA_TYPE_DELTA_TABLE] [--label-col NAME] [--timeout 30s]}: the
 * dataset check of the operator (with {@code --model [--platform P]}, the ModelArtifact check), on
 * a local file or folder or an {@code s3://} URL (standard AWS credential chain and endpoint
 * variables), with the operator's read budgets for this JVM's heap. Prints one JSON object
 * ({@code --output json}, the default when stdout is not a terminal) or a summary for a person
 * ({@code --output text}); exit 0 when usable, 1 when a problem was found (or S3 could not be
 * reached in time: one line), 2 on unusable arguments. Every S3 call has an API-call timeout
 * ({@code --timeout}, all retries included) and a per-attempt timeout (a third of it), so a silent
 * endpoint ends the command instead of hanging it.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    versionProvider = BuildInfo.class,
    sortOptions = false,
    sortSynopsis = false,
    header = "Check a dataset (or, with --model, a model artifact) as the operator does, offline or over S3.",
    description = {
      "Reports the format (by content, not name), columns, row count, Delta version, and the problems that make the data"
          + " unusable, reading as few bytes as the format allows.",
      "PATH is a local file or folder, or s3://BUCKET/KEY (the standard AWS credential chain; AWS_REGION and"
          + " AWS_ENDPOINT_URL_S3 are honoured). A local folder is read as a Delta table.",
      "With --model, PATH is a model file or folder, checked as a ModelArtifact is (the platform's entry point, its"
          + " functions, the weights beside it)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  " + Main.EXECUTABLE + " inspect s3://rime-blob-integration/data/fraud_ref.csv --label-col label",
      "  " + Main.EXECUTABLE + " inspect ./events --data-type DATA_TYPE_DELTA_TABLE --output text",
      "  " + Main.EXECUTABLE + " inspect --model ./models/fraud_model.py --platform RobustIntelligence",
      "  " + Main.EXECUTABLE + " inspect data.parquet --output json | jq .columns",
      "",
      Main.EXIT_CODES + " Exit 0 means usable."
    })
final class InspectCommand implements Callable<Integer> {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code --data-type}, spelled as the Dataset API spells it. */
  enum DataType {
    DATA_TYPE_UNSPECIFIED,
    DATA_TYPE_DELTA_TABLE
  }

  private final CliContext context;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PATH", description = "A local file or folder, or s3://BUCKET/KEY.")
  String path;

  @Option(names = "--model", description = "Check a model artifact (file or folder) instead of a dataset.")
  boolean model;

  @Option(names = "--data-type", paramLabel = "TYPE",
      description = "DATA_TYPE_DELTA_TABLE for a Delta table (a local folder always is one); default: DATA_TYPE_UNSPECIFIED.")
  DataType dataType = DataType.DATA_TYPE_UNSPECIFIED;

  @Option(names = "--label-col", paramLabel = "NAME", description = "A column that must exist (the label of a training set).")
  String labelCol;

  @Option(names = "--platform", paramLabel = "PLATFORM",
      description = "With --model: RobustIntelligence or DataRobot (default: by the file name, .py is RobustIntelligence).")
  String platform;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
      description = "Bound on each S3 call, retries included (at least 1s; default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--output", paramLabel = "text|json", converter = OutputFormat.Converter.class,
      description = "text: a summary for a person; json: one object. Default: text on a terminal, json when piped.")
  OutputFormat output;

  InspectCommand(CliContext context) {
    this.context = context;
  }

  /**
   * {@code inspect ARGS...} as the executable runs it, with these variables and streams and stdout
   * taken as not a terminal.
   */
  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    List<String> all = new ArrayList<>(List.of("inspect"));
    all.addAll(args);
    return Main.run(all.toArray(String[]::new), env, out, err, false);
  }

  /** What {@link Main#guarded} names when this command fails. */
  String doing() {
    return model ? "inspecting the model artifact" : "inspecting the dataset";
  }

  @Override
  public Integer call() {
    Duration limit;
    try {
      limit = GoDuration.parse(timeout);
    } catch (IllegalArgumentException e) {
      limit = null;
    }
    if (limit == null || limit.compareTo(Duration.ofSeconds(1)) < 0) {
      throw usage("--timeout", "must be a duration of at least 1s (e.g. 30s, 2m), not '" + shown(timeout) + "'");
    }
    boolean delta = dataType == DataType.DATA_TYPE_DELTA_TABLE;
    if (model) {
      if (delta || labelCol != null) {
        throw usage("--model", "--data-type and --label-col are for datasets, not --model");
      }
      ModelRules rules = null;
      if (platform != null) {
        rules = Arrays.stream(ModelRules.values()).filter(r -> r.platform().equals(platform)).findFirst()
            .orElseThrow(() -> usage("--platform", "must be RobustIntelligence or DataRobot, not '" + shown(platform) + "'"));
      }
      return runModel(path, rules, limit);
    }
    if (platform != null) {
      throw usage("--platform", "is for --model");
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (labelCol != null) {
      params.put("label_col", labelCol);
    }
    ObjectStore store;
    String key;
    S3Client s3 = null;
    if (path.startsWith("s3://")) {
      String rest = path.substring(5);
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      key = slash < 0 ? "" : rest.substring(slash + 1);
      if (bucket.isEmpty() || (!delta && key.isEmpty())) {
        throw usage("PATH", "'" + shown(path) + "' names no object (s3://BUCKET/KEY)");
      }
      s3 = s3Client(limit);
      store = new S3ObjectStore(s3, bucket, null);
    } else {
      Path p = localPath(path);
      if (Files.isDirectory(p)) {
        store = new LocalObjectStore(p);
        key = "";
        delta = true;
      } else if (Files.isRegularFile(p)) {
        if (delta) {
          throw usage("PATH", "'" + shown(path) + "' is a file; a Delta table is a folder");
        }
        store = new LocalObjectStore(p.toAbsolutePath().getParent());
        key = p.getFileName().toString();
      } else {
        throw usage("PATH", "'" + shown(path) + "' does not exist");
      }
    }
    Inspection inspection;
    try {
      inspection = new DatasetInspector(InspectionLimits.forThisJvm()).inspect(store, key, delta, params);
    } catch (ObjectStoreException e) {
      context.err().println("error: " + Main.oneLine(e.getMessage()));
      return Main.PROBLEM_FOUND;
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
    context.out().println(json() ? toJson(path, inspection) : toText(path, inspection));
    return inspection.usable() ? Main.OK : Main.PROBLEM_FOUND;
  }

  private boolean json() {
    return OutputFormat.resolve(output, context.terminal()) == OutputFormat.JSON;
  }

  private Path localPath(String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw usage("PATH", "'" + shown(text) + "' is not a path (" + e.getReason() + ")");
    }
  }

  static String toJson(String path, Inspection i) {
    ObjectNode root = JSON.createObjectNode();
    root.put("path", path);
    root.put("format", i.format() == null ? null : i.format().name());
    ArrayNode columns = root.putArray("columns");
    i.columns().forEach(columns::add);
    root.put("columnCount", i.columns().size());
    if (i.rows() == null) {
      root.putNull("rows");
    } else {
      root.put("rows", i.rows());
    }
    if (i.rowsNote() != null) {
      root.put("rowsNote", i.rowsNote());
    }
    if (i.delta() != null) {
      ObjectNode d = root.putObject("delta");
      d.put("version", i.delta().version());
      d.put("files", i.delta().files());
      ArrayNode parts = d.putArray("partitionColumns");
      i.delta().partitionColumns().forEach(parts::add);
      d.put("minReaderVersion", i.delta().minReaderVersion());
      ArrayNode features = d.putArray("readerFeatures");
      i.delta().readerFeatures().forEach(features::add);
    } else {
      root.putNull("delta");
    }
    if (i.sizeBytes() != null) {
      root.put("sizeBytes", i.sizeBytes());
    }
    ArrayNode problems = root.putArray("problems");
    for (Problem p : i.problems()) {
      problems.addObject().put("reason", p.reason()).put("message", p.message());
    }
    root.put("bytesRead", i.bytesRead());
    root.put("requests", i.requests());
    return root.toString();
  }

  /**
   * The S3 client of both inspect forms: the standard region variables, the standard endpoint
   * override (path-style for a local server), and every call bounded by {@code timeout}, each
   * attempt by a third of it.
   */
  private S3Client s3Client(Duration timeout) {
    Map<String, String> env = context.env();
    try {
      return s3Client(timeout, env);
    } catch (RuntimeException e) {
      throw usage("PATH", "cannot set up S3 (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static S3Client s3Client(Duration timeout, Map<String, String> env) {
    var builder = S3Client.builder().crossRegionAccessEnabled(true)
        .overrideConfiguration(c -> c.apiCallTimeout(timeout).apiCallAttemptTimeout(timeout.dividedBy(3)))
        .region(Region.of(env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1"))));
    String endpoint = env.get("AWS_ENDPOINT_URL_S3");
    if (endpoint != null && !endpoint.isBlank()) {
      builder.endpointOverride(URI.create(endpoint)).forcePathStyle(true);
    }
    return builder.build();
  }

  /** {@code inspect --model}: the ModelArtifact check, offline or over s3://. */
  private int runModel(String path, ModelRules asked, Duration timeout) {
    ObjectStore store;
    String key;
    S3Client s3 = null;
    if (path.startsWith("s3://")) {
      S3Path s3Path;
      try {
        s3Path = S3Path.parse(path);
      } catch (IllegalArgumentException e) {
        throw usage("PATH", e.getMessage());
      }
      key = s3Path.key();
      s3 = s3Client(timeout);
      store = new S3ObjectStore(s3, s3Path.bucket(), null);
    } else {
      Path p = localPath(path);
      if (Files.isDirectory(p)) {
        store = new LocalObjectStore(p);
        key = "";
      } else if (Files.isRegularFile(p)) {
        store = new LocalObjectStore(p.toAbsolutePath().getParent());
        key = p.getFileName().toString();
      } else if (p.getFileName() != null && p.toAbsolutePath().getParent() != null && Files.isDirectory(p.toAbsolutePath().getParent())) {
        // A missing file in a folder that exists: the check says so, with the files beside it.
        store = new LocalObjectStore(p.toAbsolutePath().getParent());
        key = p.getFileName().toString();
      } else {
        throw usage("PATH", "'" + shown(path) + "' does not exist");
      }
    }
    ModelRules rules = asked != null ? asked : ModelRules.forPath(key.isEmpty() ? path : key);
    ModelInspection inspection;
    try {
      inspection = new ModelInspector(InspectionLimits.forThisJvm()).inspect(store, key, rules);
    } catch (ObjectStoreException e) {
      context.err().println("error: " + Main.oneLine(e.getMessage()));
      return Main.PROBLEM_FOUND;
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
    context.out().println(json() ? modelJson(path, inspection) : modelText(path, inspection));
    return inspection.usable() ? Main.OK : Main.PROBLEM_FOUND;
  }

  static String modelJson(String path, ModelInspection i) {
    ObjectNode root = JSON.createObjectNode();
    root.put("path", path);
    root.put("platform", i.rules().platform());
    if (i.sizeBytes() != null) {
      root.put("sizeBytes", i.sizeBytes());
    }
    ArrayNode functions = root.putArray("functions");
    i.functions().forEach(functions::add);
    ArrayNode artifacts = root.putArray("artifacts");
    for (ModelInspection.Artifact a : i.artifacts()) {
      artifacts.addObject().put("name", a.name()).put("sizeBytes", a.sizeBytes()).put("format", a.format() == null ? null : a.format().name());
    }
    ArrayNode siblings = root.putArray("siblings");
    i.siblings().stream().limit(50).forEach(siblings::add);
    root.put("siblingCount", i.siblings().size());
    root.put("siblingsTruncated", i.siblingsTruncated());
    ArrayNode problems = root.putArray("problems");
    for (ModelProblem p : i.problems()) {
      problems.addObject().put("reason", p.reason()).put("message", p.message());
    }
    root.put("bytesRead", i.bytesRead());
    root.put("requests", i.requests());
    return root.toString();
  }

  /** The text form of a dataset inspection: one labelled line per fact, the problems last. */
  static String toText(String path, Inspection i) {
    TextTable t = new TextTable();
    t.row("Path:", path);
    t.row("Format:", i.format() == null ? "unknown" : i.format().name());
    t.row("Columns:", i.columns().size() + (i.columns().isEmpty() ? "" : " (" + abbreviated(i.columns(), 20) + ")"));
    if (i.rows() != null) {
      t.row("Rows:", String.format("%,d", i.rows()) + (i.rowsNote() == null ? "" : " (" + i.rowsNote() + ")"));
    } else {
      t.row("Rows:", i.rowsNote() == null ? "not counted" : i.rowsNote());
    }
    if (i.delta() != null) {
      Inspection.Delta d = i.delta();
      t.row("Delta:", "version " + d.version() + ", " + plural(d.files(), "file") + ", minReaderVersion " + d.minReaderVersion()
          + (d.readerFeatures().isEmpty() ? "" : ", reader features " + TextTable.list(d.readerFeatures())));
      t.row("Partitioned by:", TextTable.list(d.partitionColumns()));
    }
    if (i.sizeBytes() != null) {
      t.row("Size:", String.format("%,d bytes", i.sizeBytes()));
    }
    t.row("Read:", String.format("%,d bytes in ", i.bytesRead()) + plural(i.requests(), "request"));
    t.row("Result:", i.usable() ? "usable" : "NOT usable");
    return t.render() + problemsText(i.problems().stream().map(p -> new String[] {p.reason(), p.message()}).toList());
  }

  /** The text form of a model inspection. */
  static String modelText(String path, ModelInspection i) {
    TextTable t = new TextTable();
    t.row("Path:", path);
    t.row("Platform:", i.rules().platform());
    if (i.sizeBytes() != null) {
      t.row("Size:", String.format("%,d bytes", i.sizeBytes()));
    }
    t.row("Functions:", TextTable.list(i.functions()));
    t.row("Artifacts:", TextTable.list(i.artifacts().stream()
        .map(a -> a.name() + " (" + (a.format() == null ? "unknown format" : a.format().name()) + String.format(", %,d bytes)", a.sizeBytes()))
        .toList()));
    t.row("Beside it:", i.siblings().isEmpty() ? "-" : abbreviated(i.siblings(), 20) + (i.siblingsTruncated() ? " (listing truncated)" : ""));
    t.row("Read:", String.format("%,d bytes in ", i.bytesRead()) + plural(i.requests(), "request"));
    t.row("Result:", i.usable() ? "usable" : "NOT usable");
    return t.render() + problemsText(i.problems().stream().map(p -> new String[] {p.reason(), p.message()}).toList());
  }

  private static String problemsText(List<String[]> problems) {
    if (problems.isEmpty()) {
      return "\nNo problems.";
    }
    StringBuilder text = new StringBuilder("\nProblems:\n");
    for (String[] p : problems) {
      text.append("  ").append(TextTable.safe(p[0])).append(": ").append(TextTable.safe(p[1], true).replace("\n", "\n    ")).append('\n');
    }
    return text.toString().stripTrailing();
  }

  private static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String abbreviated(List<String> items, int shown) {
    String head = String.join(", ", items.subList(0, Math.min(shown, items.size())));
    return items.size() > shown ? head + ", ... " + (items.size() - shown) + " more" : head;
  }

  private ParameterException usage(String field, String problem) {
    return new ParameterException(spec.commandLine(), field + ": " + problem);
  }

  private static String shown(String value) {
    return value.length() > 120 ? value.substring(0, 120) + "..." : value;
  }
}
