package dev.mlops.datastore.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every shell block of README.md and docs/ is a command a user can run: the blocks fenced as
 * {@code sh}, {@code bash} or {@code shell} run here, after {@code package}, against the packaged
 * jars, from a scratch folder that sees the repository's {@code target/}, {@code deploy/}, {@code
 * charts/}, {@code crds/} and {@code docs/} (one folder per page, so that a block may use a file an
 * earlier block of the page wrote), with no kubeconfig, no AWS credentials and no network
 * of note. Each must exit 0, or the code an {@code <!-- test: exit=N -->} comment right before it
 * documents.
 *
 * <p>A block that needs a cluster, AWS, the network, or a build that takes minutes says so with an
 * {@code <!-- no-test: why -->} comment right before it, and is not run. The rule is checked both
 * ways: a block that calls {@code kubectl}, {@code helm}, {@code aws}, {@code eksctl}, {@code
 * docker}, {@code terraform} or {@code mvn} without that comment fails (with the comment to add),
 * and so does a {@code no-test} comment without a reason.
 */
class DocsCommandsE2E {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Pattern FENCE = Pattern.compile("^( {0,6})(```|~~~)\\s*(sh|bash|shell)\\s*$");
  private static final Pattern NO_TEST = Pattern.compile("^\\s*<!--\\s*no-test:(.*?)-->\\s*$");
  private static final Pattern EXIT = Pattern.compile("^\\s*<!--\\s*test:\\s*exit=(\\d+)\\s*-->\\s*$");
  private static final Pattern NEEDS_MORE =
      Pattern.compile("(^|[\\s;|&(`$])(kubectl|helm|aws|eksctl|docker|terraform|mvn)(\\s|$)", Pattern.MULTILINE);
  private static final List<String> SHARED = List.of("target", "deploy", "charts", "crds", "docs");

  /** A shell block: where it is, its text, and what the comment before it says. */
  record Block(String file, int line, String script, String noTest, int exit) {
    String name() {
      return file + ":" + line;
    }
  }

  static List<Path> documents() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> walk = Files.walk(ROOT.resolve("docs"))) {
      walk.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  static List<Block> blocks(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = FENCE.matcher(lines.get(i));
      if (!open.matches()) {
        continue;
      }
      String indent = open.group(1);
      String fence = open.group(2);
      StringBuilder script = new StringBuilder();
      int j = i + 1;
      while (j < lines.size() && !lines.get(j).trim().equals(fence)) {
        String l = lines.get(j);
        script.append(l.startsWith(indent) ? l.substring(indent.length()) : l).append('\n');
        j++;
      }
      String noTest = null;
      int exit = 0;
      for (int k = i - 1; k >= 0 && k >= i - 3; k--) {
        String before = lines.get(k);
        if (before.isBlank()) {
          continue;
        }
        Matcher m = NO_TEST.matcher(before);
        Matcher e = EXIT.matcher(before);
        if (m.matches()) {
          noTest = m.group(1).trim();
        } else if (e.matches()) {
          exit = Integer.parseInt(e.group(1));
        }
        break;
      }
      out.add(new Block(ROOT.relativize(file).toString(), i + 1, script.toString(), noTest, exit));
      i = j;
    }
    return out;
  }

  @Test
  void shouldFindTheShellBlocksOfTheReadmeAndTheDocs() throws IOException {
    List<Block> all = new ArrayList<>();
    for (Path doc : documents()) {
      all.addAll(blocks(doc));
    }
    assertThat(all).hasSizeGreaterThan(20);
    assertThat(all).as("blocks that run").anyMatch(b -> b.noTest() == null);
  }

  @TestFactory
  Stream<DynamicTest> everyShellBlockRunsOrSaysWhyNot() throws IOException {
    assertThat(ROOT.resolve("target/aws-datastore-operator.jar")).as("run after package").exists();
    List<DynamicTest> tests = new ArrayList<>();
    for (Path doc : documents()) {
      // The blocks of one page run in order from one folder: a later block may use a file an
      // earlier one wrote, as in a user's shell.
      Path[] folder = {null};
      for (Block block : blocks(doc)) {
        tests.add(DynamicTest.dynamicTest(block.name(), () -> {
          if (folder[0] == null && block.noTest() == null) {
            folder[0] = scratch();
          }
          check(block, folder[0]);
        }));
      }
    }
    return tests.stream();
  }

  private static Path scratch() throws IOException {
    Path scratch = Files.createTempDirectory("docs-block");
    for (String shared : SHARED) {
      if (Files.exists(ROOT.resolve(shared))) {
        Files.createSymbolicLink(scratch.resolve(shared), ROOT.resolve(shared));
      }
    }
    return scratch;
  }

  private static void check(Block block, Path scratch) throws Exception {
    if (block.noTest() != null) {
      assertThat(block.noTest()).as("the reason of the no-test comment before %s", block.name()).isNotBlank();
      return;
    }
    Matcher needs = NEEDS_MORE.matcher(block.script());
    assertThat(needs.find())
        .as("%s calls %s: if it needs a cluster, AWS, the network or a long build, put <!-- no-test: why --> before it",
            block.name(), needs.find(0) ? needs.group(2) : "")
        .isFalse();
    ProcessBuilder pb = new ProcessBuilder("bash", "-e", "-o", "pipefail", "-c", block.script()).directory(scratch.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("KUBE") || k.startsWith("OPERATOR_"));
    env.put("HOME", scratch.toString());
    env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
    Path output = scratch.resolve(".output");
    pb.redirectErrorStream(true).redirectOutput(output.toFile());
    Process process = pb.start();
    boolean done = process.waitFor(180, TimeUnit.SECONDS);
    if (!done) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    String printed = Files.readString(output);
    assertThat(done).as("%s finished within 180 s; it printed:%n%s", block.name(), tail(printed)).isTrue();
    assertThat(process.exitValue()).as("exit code of %s; it printed:%n%s", block.name(), tail(printed)).isEqualTo(block.exit());
  }

  private static String tail(String s) {
    return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
  }
}
