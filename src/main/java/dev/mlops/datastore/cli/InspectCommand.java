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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code inspect PATH [--data-type DATA_TYPE_DELTA_TABLE] [--label-col NAME] [--timeout 30s]}: the
 * dataset check of the operator (with {@code --model [--platform P]}, the ModelArtifact check), on a local file or folder or an {@code s3://} URL (standard AWS
 * credential chain and endpoint variables), with the operator's read budgets for this JVM's heap.
 * Prints one JSON object; exit 0 when usable, 1 when a problem was found (or S3 could not be
 * reached in time: one line), 2 on unusable arguments. Every S3 call has an API-call timeout
 * ({@code --timeout}, all retries included) and a per-attempt timeout (a third of it), so a silent
 * endpoint ends the command instead of hanging it.
 */
final class InspectCommand {
  static final String USAGE = "usage: inspect PATH [--data-type DATA_TYPE_DELTA_TABLE] [--label-col NAME] [--timeout 30s]"
      + " | inspect --model PATH [--platform RobustIntelligence|DataRobot] [--timeout 30s]";
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private InspectCommand() {}

  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    String path = null;
    boolean delta = false;
    Map<String, String> params = new LinkedHashMap<>();
    Duration timeout = DEFAULT_TIMEOUT;
    boolean model = false;
    ModelRules rules = null;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--help", "-h" -> {
          out.println(USAGE);
          return 0;
        }
        case "--data-type" -> {
          if (i + 1 >= args.size()) {
            return usage(err, "--data-type needs a value");
          }
          String v = args.get(++i);
          if (v.equals("DATA_TYPE_DELTA_TABLE")) {
            delta = true;
          } else if (!v.equals("DATA_TYPE_UNSPECIFIED")) {
            return usage(err, "--data-type must be DATA_TYPE_DELTA_TABLE or DATA_TYPE_UNSPECIFIED, not '" + v + "'");
          }
        }
        case "--model" -> model = true;
        case "--platform" -> {
          if (i + 1 >= args.size()) {
            return usage(err, "--platform needs a value");
          }
          String v = args.get(++i);
          rules = Arrays.stream(ModelRules.values()).filter(r -> r.platform().equals(v)).findFirst().orElse(null);
          if (rules == null) {
            return usage(err, "--platform must be RobustIntelligence or DataRobot, not '" + v + "'");
          }
        }
        case "--label-col" -> {
          if (i + 1 >= args.size()) {
            return usage(err, "--label-col needs a value");
          }
          params.put("label_col", args.get(++i));
        }
        case "--timeout" -> {
          if (i + 1 >= args.size()) {
            return usage(err, "--timeout needs a value");
          }
          String v = args.get(++i);
          try {
            timeout = GoDuration.parse(v);
          } catch (IllegalArgumentException e) {
            timeout = null;
          }
          if (timeout == null || timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            return usage(err, "--timeout must be a duration of at least 1s (e.g. 30s, 2m), not '" + v + "'");
          }
        }
        default -> {
          if (a.startsWith("--") || path != null) {
            return usage(err, "unexpected argument '" + a + "'");
          }
          path = a;
        }
      }
    }
    if (path == null) {
      return usage(err, "PATH is required");
    }
    if (model) {
      if (delta || !params.isEmpty()) {
        return usage(err, "--data-type and --label-col are for datasets, not --model");
      }
      return runModel(path, rules, timeout, env, out, err);
    }
    if (rules != null) {
      return usage(err, "--platform is for --model");
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
        return usage(err, "'" + path + "' names no object (s3://BUCKET/KEY)");
      }
      try {
        s3 = s3Client(timeout, env);
      } catch (RuntimeException e) {
        return usage(err, "cannot set up S3 (" + e.getClass().getSimpleName() + ")");
      }
      store = new S3ObjectStore(s3, bucket, null);
    } else {
      Path p = Path.of(path);
      if (Files.isDirectory(p)) {
        store = new LocalObjectStore(p);
        key = "";
        delta = true;
      } else if (Files.isRegularFile(p)) {
        if (delta) {
          return usage(err, "'" + path + "' is a file; a Delta table is a folder");
        }
        store = new LocalObjectStore(p.toAbsolutePath().getParent());
        key = p.getFileName().toString();
      } else {
        return usage(err, "'" + path + "' does not exist");
      }
    }
    Inspection inspection;
    try {
      inspection = new DatasetInspector(InspectionLimits.forThisJvm()).inspect(store, key, delta, params);
    } catch (ObjectStoreException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
    out.println(toJson(path, inspection));
    return inspection.usable() ? 0 : 1;
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
  private static int runModel(String path, ModelRules asked, Duration timeout, Map<String, String> env, PrintStream out, PrintStream err) {
    ObjectStore store;
    String key;
    S3Client s3 = null;
    if (path.startsWith("s3://")) {
      S3Path s3Path;
      try {
        s3Path = S3Path.parse(path);
      } catch (IllegalArgumentException e) {
        return usage(err, e.getMessage());
      }
      key = s3Path.key();
      try {
        s3 = s3Client(timeout, env);
      } catch (RuntimeException e) {
        return usage(err, "cannot set up S3 (" + e.getClass().getSimpleName() + ")");
      }
      store = new S3ObjectStore(s3, s3Path.bucket(), null);
    } else {
      Path p = Path.of(path);
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
        return usage(err, "'" + path + "' does not exist");
      }
    }
    ModelRules rules = asked != null ? asked : ModelRules.forPath(key.isEmpty() ? path : key);
    ModelInspection inspection;
    try {
      inspection = new ModelInspector(InspectionLimits.forThisJvm()).inspect(store, key, rules);
    } catch (ObjectStoreException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
    out.println(modelJson(path, inspection));
    return inspection.usable() ? 0 : 1;
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

  private static int usage(PrintStream err, String problem) {
    err.println("error: " + problem + " (" + USAGE + ")");
    return 2;
  }
}
