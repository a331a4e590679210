package dev.mlops.datastore.model;

import dev.mlops.datastore.dataset.BudgetedObjectStore;
import dev.mlops.datastore.dataset.InspectionLimits;
import dev.mlops.datastore.dataset.ObjectStore;
import dev.mlops.datastore.dataset.ObjectStoreException;
import dev.mlops.datastore.dataset.ReadBudgetExceeded;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

/**
 * Inspects a model artifact by the rules of the platform that loads it, reading within the same
 * budgets as datasets (an {@link InspectionLimits}, enforced by a {@link BudgetedObjectStore}):
 *
 * <ul>
 *   <li>Robust Intelligence: the path is one Python file that binds {@code predict_dict} or
 *       {@code predict_df} at module level. A HEAD, one ranged GET of at most {@link
 *       #SOURCE_BUDGET} bytes (a model file is a few kilobytes; a larger one is read as far as the
 *       budget goes), and one listing page for the objects beside it.
 *   <li>DataRobot: the path is a custom-model folder: one listing page, then the first {@link
 *       #PREFIX_BYTES} bytes of each artifact (up to {@link #MAX_ARTIFACTS_READ}) to check that
 *       its content is what its extension promises, and {@code custom.py} when there is one.
 * </ul>
 *
 * <p>One instance per process, shared by every caller; inspections at once are bounded as the
 * dataset inspector bounds them.
 */
public final class ModelInspector {
  /** Bytes of a Python file read at most. */
  public static final int SOURCE_BUDGET = 1024 * 1024;
  static final int PREFIX_BYTES = ModelFormat.PREFIX;
  static final int MAX_ARTIFACTS_READ = 5;
  static final int LISTING_PAGE = 1000;
  private static final List<String> PREDICT = List.of("predict_dict", "predict_df");
  private static final String EXTENSIONS = ".pkl, .pth, .h5, .onnx, .pmml, .rds, .jar, .zip, .mojo";

  private final InspectionLimits limits;
  private final Semaphore slots;

  public ModelInspector(InspectionLimits limits) {
    this.limits = limits;
    this.slots = new Semaphore(limits.maxConcurrentInspections(), true);
  }

  /**
   * Reads the model and says what it found. Missing objects, denials, wrong content and budgets
   * reached are {@link ModelInspection#problems()}, never exceptions.
   *
   * @param key the model file, or the model folder (with or without its trailing slash)
   * @throws ObjectStoreException of kind {@code TRANSIENT} only: the caller retries
   */
  public ModelInspection inspect(ObjectStore rawStore, String key, ModelRules rules) {
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ObjectStoreException(ObjectStoreException.Kind.TRANSIENT, "interrupted while waiting to inspect " + rawStore.describe(key), e);
    }
    try {
      BudgetedObjectStore store = new BudgetedObjectStore(rawStore, limits);
      ModelInspection result = new ModelInspection();
      result.rules = rules;
      try {
        if (rules == ModelRules.ROBUST_INTELLIGENCE) {
          pythonModel(store, key, result);
        } else {
          customModel(store, key, result);
        }
      } catch (ObjectStoreException e) {
        result.problem(readProblem(e));
      } catch (ReadBudgetExceeded e) {
        result.problem(ModelProblem.artifact(ModelProblem.READ_BUDGET_EXCEEDED, e.getMessage()));
      }
      result.bytesRead = store.bytesRead();
      result.requests = store.requests();
      return result;
    } finally {
      slots.release();
    }
  }

  private static ModelProblem readProblem(ObjectStoreException e) {
    return switch (e.kind()) {
      case NOT_FOUND -> ModelProblem.readable(ModelProblem.MODEL_FILE_NOT_FOUND, e.getMessage());
      case KMS_DENIED -> ModelProblem.readable(ModelProblem.KMS_ACCESS_DENIED, e.getMessage()
          + ": the object is SSE-KMS encrypted and the identity may not use its key (kms:Decrypt)");
      case ACCESS_DENIED -> ModelProblem.readable(ModelProblem.ACCESS_DENIED, e.getMessage()
          + "; without s3:ListBucket S3 also answers 403 (not 404) for a key that does not exist, so check the path too");
      case TRANSIENT -> throw e;
      case OTHER -> ModelProblem.readable(ModelProblem.UNREADABLE, e.getMessage());
    };
  }

  // ---- Robust Intelligence: one Python file ----

  private void pythonModel(ObjectStore store, String key, ModelInspection result) {
    if (key.isEmpty() || key.endsWith("/")) {
      ObjectStore.Listing listing = store.list(key, null, LISTING_PAGE);
      siblings(result, listing, key, null);
      if (listing.keys().isEmpty()) {
        result.problem(ModelProblem.readable(ModelProblem.MODEL_FILE_NOT_FOUND, "nothing exists under " + store.describe(key)));
        return;
      }
      List<String> python = result.siblings.stream().filter(n -> n.endsWith(".py")).limit(10).toList();
      result.problem(ModelProblem.artifact(ModelProblem.NOT_A_PYTHON_FILE, store.describe(key) + " is a folder; Robust Intelligence registers"
          + " one Python file (model_path): set path to "
          + (python.isEmpty() ? "the .py file that defines predict_dict or predict_df (the folder holds none)" : "one of " + python)));
      return;
    }
    String folder = parent(key);
    ObjectStore.ObjectInfo info;
    try {
      info = store.head(key);
    } catch (ObjectStoreException e) {
      if (e.kind() != ObjectStoreException.Kind.NOT_FOUND) {
        throw e;
      }
      result.problem(ModelProblem.readable(ModelProblem.MODEL_FILE_NOT_FOUND, e.getMessage() + nearbyFiles(store, key, folder, result)));
      return;
    }
    result.sizeBytes = info.size();
    result.etag = info.etag();
    result.lastModified = info.lastModified();
    int length = (int) Math.min(info.size(), Math.min(SOURCE_BUDGET, limits.maxSingleRead()));
    byte[] bytes = length == 0 ? new byte[0] : store.read(key, 0, length);
    boolean complete = bytes.length >= info.size();
    ModelFormat format = ModelFormat.sniff(bytes, info.size());
    String name = key.substring(folder.length());
    if (format.isBinaryModel()) {
      result.problem(ModelProblem.artifact(ModelProblem.NOT_A_PYTHON_FILE, store.describe(key) + " is " + format.description()
          + ", not Python source" + (name.endsWith(".py") ? " (named .py)" : "")
          + ": Robust Intelligence's model_path is the Python file that loads the model; put the model file beside it and load it there"));
    } else if (!name.endsWith(".py")) {
      result.problem(ModelProblem.artifact(ModelProblem.NOT_A_PYTHON_FILE, store.describe(key) + " does not end in .py: Robust Intelligence"
          + " imports model_path as a Python module; name it " + stem(name) + ".py"));
    } else {
      python(store, key, bytes, complete, true, result);
    }
    siblings(result, store.list(folder, null, LISTING_PAGE), folder, key);
  }

  /** Decodes and scans a Python file; with {@code needPredict}, one of predict_dict / predict_df must be bound at module level. */
  private static void python(ObjectStore store, String key, byte[] bytes, boolean complete, boolean needPredict, ModelInspection result) {
    PythonSource.Decoded decoded = PythonSource.decode(bytes, complete);
    if (decoded.error() != null) {
      result.problem(ModelProblem.artifact(ModelProblem.NOT_UTF8, store.describe(key) + ": " + decoded.error()
          + "; Python reads source as UTF-8 unless a '# -*- coding: NAME -*-' line says otherwise: save it as UTF-8"));
      return;
    }
    PythonModuleScanner.Result scan = PythonModuleScanner.scan(decoded.text());
    result.functions = scan.functions();
    if (!needPredict || PREDICT.stream().anyMatch(p -> scan.topLevel(p).isPresent())) {
      return;
    }
    StringBuilder m = new StringBuilder("no module-level predict_dict or predict_df in ").append(store.describe(key))
        .append(": Robust Intelligence imports the file and calls predict_dict(x: dict) or predict_df(df: pd.DataFrame)");
    for (PythonModuleScanner.Definition d : scan.nested()) {
      if (PREDICT.contains(d.name())) {
        m.append("; ").append(d.name()).append(" on line ").append(d.line()).append(" is inside ").append(d.enclosing())
            .append(", not at module level: move it to the top level, or bind it there (").append(d.name()).append(" = ...)");
        break;
      }
    }
    nearMiss(scan).ifPresent(s -> m.append("; did you mean to name '").append(s[0]).append("' ").append(s[1]).append('?'));
    List<String> names = scan.topLevelNames();
    m.append("; module-level names: ").append(names.isEmpty() ? "none" : names.stream().limit(20).collect(Collectors.joining(", "))
        + (names.size() > 20 ? " and " + (names.size() - 20) + " more" : ""));
    if (!complete) {
      m.append(" (only the first ").append(bytes.length).append(" bytes were read)");
    }
    result.problem(ModelProblem.artifact(ModelProblem.NO_PREDICT_FUNCTION, m.toString()));
  }

  /** The module-level name nearest to predict_dict / predict_df, and which of the two it nears. */
  static Optional<String[]> nearMiss(PythonModuleScanner.Result scan) {
    String[] best = null;
    int bestScore = Integer.MAX_VALUE;
    for (String name : scan.topLevelNames()) {
      String lower = name.toLowerCase(Locale.ROOT);
      for (String target : PREDICT) {
        int d = distance(lower, target);
        boolean near = d <= 3 || lower.startsWith("predict") || lower.contains("predict_d");
        int score = lower.startsWith("predict") && d > 3 ? 10 + d : d;
        if (near && score < bestScore) {
          bestScore = score;
          best = new String[] {name, target};
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /** Levenshtein distance, for names of bounded length (longer ones count as far). */
  static int distance(String a, String b) {
    if (a.length() > 200 || b.length() > 200) {
      return Integer.MAX_VALUE / 2;
    }
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** For a missing model file: the files beside where it was looked for, and the nearest name. */
  private static String nearbyFiles(ObjectStore store, String key, String folder, ModelInspection result) {
    ObjectStore.Listing listing;
    try {
      listing = store.list(folder, null, LISTING_PAGE);
    } catch (ObjectStoreException e) {
      if (e.kind() == ObjectStoreException.Kind.TRANSIENT) {
        throw e;
      }
      return "";
    }
    siblings(result, listing, folder, key);
    String wanted = key.substring(folder.length()).toLowerCase(Locale.ROOT);
    String nearest = result.siblings.stream().filter(n -> !n.contains("/"))
        .min(Comparator.comparingInt(n -> distance(n.toLowerCase(Locale.ROOT), wanted))).orElse(null);
    if (nearest != null && distance(nearest.toLowerCase(Locale.ROOT), wanted) <= Math.max(3, wanted.length() / 3)) {
      return "; did you mean '" + nearest + "'?";
    }
    List<String> python = result.siblings.stream().filter(n -> n.endsWith(".py")).limit(10).toList();
    return python.isEmpty() ? "" : "; Python files beside it: " + python;
  }

  // ---- DataRobot: a custom-model folder ----

  private void customModel(ObjectStore store, String key, ModelInspection result) {
    String name = key.substring(parent(key).length());
    boolean oneFile = !key.isEmpty() && !key.endsWith("/") && (ModelFormat.artifactExtension(name).isPresent() || name.equals("custom.py"));
    String folder = oneFile ? parent(key) : key.isEmpty() || key.endsWith("/") ? key : key + "/";
    ObjectStore.Listing listing = store.list(folder, null, LISTING_PAGE);
    List<ObjectStore.Listed> top = new ArrayList<>();
    List<String> deeper = new ArrayList<>();
    for (ObjectStore.Listed l : listing.keys()) {
      String rest = l.key().substring(Math.min(folder.length(), l.key().length()));
      if (rest.isEmpty()) {
        continue;
      }
      if (rest.contains("/")) {
        if (ModelFormat.artifactExtension(rest).isPresent() || rest.endsWith("/custom.py")) {
          deeper.add(rest);
        }
      } else if (!oneFile || l.key().equals(key)) {
        top.add(l);
      }
    }
    if (listing.keys().isEmpty() || oneFile && top.isEmpty()) {
      result.problem(ModelProblem.readable(ModelProblem.MODEL_FILE_NOT_FOUND, (oneFile ? store.describe(key) + " does not exist"
          : "nothing exists under " + store.describe(folder)) + ": DataRobot's custom model is a folder holding the artifact (" + EXTENSIONS
          + ") and/or custom.py"));
      return;
    }
    List<ObjectStore.Listed> artifacts = top.stream().filter(l -> ModelFormat.artifactExtension(l.key()).isPresent()).toList();
    Optional<ObjectStore.Listed> custom = top.stream().filter(l -> l.key().endsWith("/custom.py") || l.key().equals("custom.py")).findFirst();
    siblings(result, listing, folder, null);
    result.siblings = result.siblings.stream().filter(s -> artifacts.stream().noneMatch(a -> a.key().equals(folder + s))
        && custom.map(c -> !c.key().equals(folder + s)).orElse(true)).toList();
    if (artifacts.isEmpty() && custom.isEmpty()) {
      String found = result.siblings.stream().filter(s -> !s.contains("/")).limit(10).collect(Collectors.joining(", "));
      result.problem(ModelProblem.artifact(ModelProblem.NO_MODEL_ARTIFACT, "no model artifact (" + EXTENSIONS + ") and no custom.py at the top of "
          + store.describe(folder) + (found.isEmpty() ? "" : "; it holds: " + found)
          + (deeper.isEmpty() ? "" : "; DataRobot loads only the folder's top level, and these are deeper: "
              + deeper.stream().limit(5).collect(Collectors.joining(", ")))));
      return;
    }
    int read = 0;
    for (ObjectStore.Listed a : artifacts) {
      String rel = a.key().substring(folder.length());
      if (read++ >= MAX_ARTIFACTS_READ) {
        result.artifacts.add(new ModelInspection.Artifact(rel, a.size(), null));
        continue;
      }
      checkArtifact(store, a, rel, result);
    }
    if (custom.isPresent()) {
      ObjectStore.Listed c = custom.get();
      int length = (int) Math.min(Math.max(0, c.size()), Math.min(SOURCE_BUDGET, limits.maxSingleRead()));
      byte[] bytes = length == 0 ? new byte[0] : store.read(c.key(), 0, length);
      ModelFormat format = ModelFormat.sniff(bytes, c.size());
      if (format.isBinaryModel()) {
        result.problem(ModelProblem.artifact(ModelProblem.NOT_A_PYTHON_FILE, store.describe(c.key()) + " is " + format.description()
            + ", not Python source: custom.py holds DataRobot's hooks (load_model, score, ...); name the model file by its format ("
            + EXTENSIONS + ")"));
      } else {
        python(store, c.key(), bytes, bytes.length >= c.size(), false, result);
      }
    }
  }

  private static void checkArtifact(ObjectStore store, ObjectStore.Listed a, String rel, ModelInspection result) {
    String ext = ModelFormat.artifactExtension(rel).orElseThrow();
    byte[] bytes = a.size() == 0 ? new byte[0] : store.read(a.key(), 0, (int) Math.min(PREFIX_BYTES, Math.max(1, a.size())));
    ModelFormat format = ModelFormat.sniff(bytes, Math.max(a.size(), bytes.length));
    result.artifacts.add(new ModelInspection.Artifact(rel, a.size(), format));
    if (ModelFormat.expectedFor(ext).contains(format)) {
      return;
    }
    String expected = ModelFormat.expectedFor(ext).stream().map(ModelFormat::description).collect(Collectors.joining(" or "));
    String hint = "";
    if (format == ModelFormat.TEXT && new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).startsWith("version https://git-lfs")) {
      hint = ": it is a Git LFS pointer, not the model; fetch the real file (git lfs pull) before uploading it";
    } else if (format == ModelFormat.EMPTY) {
      hint = ": the upload is empty; upload the model again";
    } else {
      Optional<String> rightExt = List.of(".pkl", ".h5", ".onnx", ".pmml", ".zip", ".rds").stream()
          .filter(e -> ModelFormat.expectedFor(e).contains(format)).findFirst();
      hint = rightExt.map(e -> ": if that is the model, name it " + stem(rel) + e).orElse("");
    }
    result.problem(ModelProblem.artifact(ModelProblem.ARTIFACT_FORMAT_MISMATCH, store.describe(a.key()) + " is named " + ext + " but is "
        + format.description() + "; DataRobot loads " + ext + " as " + expected + hint));
  }

  // ---- shared ----

  /** The listed objects under {@code folder}, relative to it, without {@code self}. */
  private static void siblings(ModelInspection result, ObjectStore.Listing listing, String folder, String self) {
    result.siblings = listing.keys().stream().map(ObjectStore.Listed::key).filter(k -> !k.equals(self) && k.length() > folder.length())
        .map(k -> k.substring(folder.length())).toList();
    result.siblingsTruncated = listing.truncated();
  }

  private static String parent(String key) {
    return key.substring(0, key.lastIndexOf('/') + 1);
  }

  private static String stem(String name) {
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
