package dev.mlops.datastore.model;

import dev.mlops.datastore.dataset.InspectionLimits;
import dev.mlops.datastore.dataset.ObjectStore;
import dev.mlops.datastore.dataset.ObjectStoreException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The model readers' fuzz run, as a program: {@link ModelReaderFuzzTest} starts it in a JVM with a
 * small heap. Runs the Python tokenizer, the source decoder, the magic-byte checks and the whole
 * inspector (both platforms) over mutated and truncated real model files and over hostile shapes
 * (a megabyte of open brackets, indentation thousands deep, an unterminated docstring, objects
 * that claim gigabytes). Any {@code Throwable} escaping is a failure. Prints one summary line;
 * exits 1 with the first failures listed.
 */
public final class ModelFuzzRun {
  /** Characters that open and close strings, comments, brackets and blocks: mutations hit them often. */
  private static final String PYTHON_PUNCTUATION = "\"'\\\n\t(#:=";
  private final ModelInspector inspector = new ModelInspector(InspectionLimits.forThisJvm());
  private final List<String> failures = new ArrayList<>();
  private int cases;
  private int problems;

  public static void main(String[] args) {
    ModelFuzzRun run = new ModelFuzzRun();
    run.hostileShapes();
    run.pythonFiles(3000, 13);
    run.artifacts(3000, 17);
    PrintStream out = System.out;
    out.println("fuzz: cases=" + run.cases + " withProblems=" + run.problems + " failures=" + run.failures.size()
        + " maxHeap=" + Runtime.getRuntime().maxMemory() / (1024 * 1024) + "MiB");
    run.failures.stream().limit(20).forEach(out::println);
    System.exit(run.failures.isEmpty() ? 0 : 1);
  }

  private void check(String label, Supplier<Boolean> hasProblem) {
    cases++;
    try {
      if (hasProblem.get()) {
        problems++;
      }
    } catch (Throwable t) {
      failures.add(label + ": " + t.getClass().getName() + ": " + t.getMessage() + " at " + (t.getStackTrace().length > 0 ? t.getStackTrace()[0] : "?"));
    }
  }

  private void inspectBoth(String label, Store store, String key, String folder) {
    check(label + " (RI)", () -> !inspector.inspect(store, key, ModelRules.ROBUST_INTELLIGENCE).problems().isEmpty());
    check(label + " (DataRobot)", () -> !inspector.inspect(store, folder, ModelRules.DATAROBOT).problems().isEmpty());
  }

  private void hostileShapes() {
    int mib = 1024 * 1024;
    Map<String, String> sources = Map.of(
        "open brackets", "x = " + "(".repeat(mib - 8) + "\n",
        "deep indentation", deepIndentation(5000),
        "unterminated docstring", "\"\"\"" + "def predict_df(df):\n".repeat(40_000),
        "one long identifier", "a".repeat(mib) + " = 1\n",
        "many definitions", "def f(x):\n    return x\n".repeat(40_000),
        "backslashes", "\\\n".repeat(mib / 2),
        "semicolons", "a=1;".repeat(mib / 4));
    sources.forEach((label, source) -> {
      check(label + " scan", () -> PythonModuleScanner.scan(source).topLevel().isEmpty());
      byte[] bytes = source.getBytes(StandardCharsets.UTF_8);
      inspectBoth(label, new Store().put("m/model.py", bytes).put("m/custom.py", bytes), "m/model.py", "m/");
    });
    byte[] onnxClaim = {0x08, 0x08, 0x3a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
    check("onnx length of 2 GiB", () -> ModelFormat.sniff(onnxClaim, onnxClaim.length) == ModelFormat.ONNX);
    check("onnx length within a huge object", () -> ModelFormat.sniff(onnxClaim, Long.MAX_VALUE) != ModelFormat.ONNX);
    Store huge = new Store().claim("m/model.py", 1L << 34, "def predict_df(df):\n".getBytes(StandardCharsets.UTF_8))
        .claim("m/model.pkl", 1L << 34, ModelFiles.pickle());
    inspectBoth("objects claiming 16 GiB", huge, "m/model.py", "m/");
    Store many = new Store();
    for (int i = 0; i < 5000; i++) {
      many.put("m/weights-" + i + ".pkl", i % 2 == 0 ? ModelFiles.pickle() : ModelFiles.hdf5());
    }
    inspectBoth("5,000 artifacts", many, "m/nothing.py", "m/");
  }

  private static String deepIndentation(int depth) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      b.append(" ".repeat(i)).append("if x:\n");
    }
    return b.append(" ".repeat(depth)).append("def predict_df(df):\n").toString();
  }

  private void pythonFiles(int rounds, long seed) {
    List<byte[]> seeds = List.of(ModelFiles.RI_MODEL.getBytes(StandardCharsets.UTF_8), ModelFiles.RI_MODEL_NESTED.getBytes(StandardCharsets.UTF_8),
        "# -*- coding: latin-1 -*-\nx = 'caf\u00e9'\ndef predict_dict(x):\n  return x\n".getBytes(StandardCharsets.ISO_8859_1),
        "from a import (b,\n c as d)\nasync def predict_dict(x): return x\nclass A:\n\tdef predict_df(s, df): pass\n".getBytes(StandardCharsets.UTF_8));
    Random random = new Random(seed);
    for (int r = 0; r < rounds; r++) {
      byte[] bytes = mutateOrTruncate(seeds.get(random.nextInt(seeds.size())), random);
      String label = "python round " + r;
      check(label + " decode", () -> PythonSource.decode(bytes, random.nextBoolean()).error() != null);
      check(label + " scan", () -> PythonModuleScanner.scan(new String(bytes, StandardCharsets.UTF_8)).topLevel().isEmpty());
      inspectBoth(label, new Store().put("m/model.py", bytes).put("m/custom.py", bytes).put("m/model.pkl", bytes), "m/model.py", "m/");
    }
  }

  private void artifacts(int rounds, long seed) {
    Map<String, byte[]> seeds = Map.of(
        "model.pkl", ModelFiles.pickle(),
        "model.pth", ModelFiles.zip("archive/data.pkl", ModelFiles.pickle()),
        "model.h5", ModelFiles.hdf5(),
        "model.onnx", ModelFiles.onnx(),
        "model.pmml", ModelFiles.pmml());
    List<String> names = new ArrayList<>(new TreeMap<>(seeds).keySet());
    Random random = new Random(seed);
    for (int r = 0; r < rounds; r++) {
      String name = names.get(random.nextInt(names.size()));
      byte[] bytes = mutateOrTruncate(seeds.get(name), random);
      long claimed = random.nextInt(4) == 0 ? random.nextLong() & Long.MAX_VALUE : bytes.length;
      check("artifact round " + r + " sniff", () -> ModelFormat.sniff(bytes, claimed) == ModelFormat.BINARY);
      inspectBoth("artifact round " + r, new Store().put("m/" + name, bytes).put("m/model.py", bytes), "m/model.py", "m/");
    }
  }

  static byte[] mutateOrTruncate(byte[] base, Random random) {
    if (random.nextBoolean()) {
      return Arrays.copyOf(base, random.nextInt(base.length + 1));
    }
    byte[] out = base.clone();
    int edits = 1 + random.nextInt(8);
    for (int e = 0; e < edits && out.length > 0; e++) {
      int at = random.nextInt(Math.min(out.length, random.nextBoolean() ? 16 : out.length));
      switch (random.nextInt(4)) {
        case 0 -> out[at] = (byte) random.nextInt(256);
        case 1 -> out[at] = (byte) (out[at] ^ (1 << random.nextInt(8)));
        case 2 -> out[at] = (byte) 0xff;
        default -> out[at] = (byte) PYTHON_PUNCTUATION.charAt(random.nextInt(PYTHON_PUNCTUATION.length()));
      }
    }
    return out;
  }

  /** Objects in memory; an object may claim a size larger than its bytes, as a hostile server's HEAD may. */
  static final class Store implements ObjectStore {
    private final TreeMap<String, byte[]> objects = new TreeMap<>();
    private final Map<String, Long> claimed = new java.util.HashMap<>();

    Store put(String key, byte[] bytes) {
      objects.put(key, bytes);
      return this;
    }

    Store claim(String key, long size, byte[] bytes) {
      claimed.put(key, size);
      return put(key, bytes);
    }

    private byte[] get(String key) {
      byte[] b = objects.get(key);
      if (b == null) {
        throw new ObjectStoreException(ObjectStoreException.Kind.NOT_FOUND, describe(key) + " does not exist", null);
      }
      return b;
    }

    @Override
    public ObjectInfo head(String key) {
      return new ObjectInfo(claimed.getOrDefault(key, (long) get(key).length), "\"e\"", null, null, null);
    }

    @Override
    public byte[] read(String key, long offset, int length) {
      byte[] b = get(key);
      if (offset >= b.length) {
        return new byte[0];
      }
      return Arrays.copyOfRange(b, (int) offset, (int) Math.min(b.length, offset + length));
    }

    @Override
    public byte[] readSuffix(String key, int length) {
      byte[] b = get(key);
      return Arrays.copyOfRange(b, Math.max(0, b.length - length), b.length);
    }

    @Override
    public Listing list(String prefix, String startAfter, int maxKeys) {
      List<Listed> out = new ArrayList<>();
      for (var e : objects.tailMap(prefix, true).entrySet()) {
        if (!e.getKey().startsWith(prefix) || out.size() >= maxKeys) {
          break;
        }
        out.add(new Listed(e.getKey(), claimed.getOrDefault(e.getKey(), (long) e.getValue().length)));
      }
      return new Listing(out, out.size() >= maxKeys, 1);
    }

    @Override
    public String describe(String key) {
      return "mem://" + key;
    }
  }
}
