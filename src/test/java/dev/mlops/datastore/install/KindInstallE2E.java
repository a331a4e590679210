package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The install as a user makes it, on a real API server: a kind cluster, the image built and loaded,
 * the Helm chart installed, the examples applied. It proves what only a real API server can: the
 * CRDs are accepted (schema, CEL cost), the examples are admitted, the operator's RBAC suffices for
 * its informers and status writes, and its readiness probe passes.
 *
 * <p>Optional: it runs only where {@code kind}, {@code kubectl}, {@code helm} and a working {@code
 * docker} are on the PATH (a developer laptop, a CI runner with Docker), and is skipped otherwise,
 * as on this project's build machines. {@code E2E_KIND_CLUSTER=name} uses an existing kind cluster
 * instead of creating (and deleting) {@code aws-datastore-operator-e2e}. See docs/install.md.
 */
class KindInstallE2E {
  private static final String NAMESPACE = "aws-datastore-operator";
  private static final String EXAMPLES_NAMESPACE = "e2e-examples";
  private static final String IMAGE = "aws-datastore-operator:e2e";
  private static String cluster;
  private static boolean created;

  @BeforeAll
  static void cluster() throws Exception {
    assumeTrue(onPath("kind") && onPath("kubectl") && onPath("helm") && onPath("docker"),
        "kind, kubectl, helm and docker are needed on the PATH for the kind E2E");
    assumeTrue(run(60, "docker", "info").exit() == 0, "docker is not running");
    String existing = System.getenv("E2E_KIND_CLUSTER");
    cluster = existing == null || existing.isBlank() ? "aws-datastore-operator-e2e" : existing;
    if (existing == null || existing.isBlank()) {
      ok(run(300, "kind", "create", "cluster", "--name", cluster, "--wait", "120s"));
      created = true;
    }
    ok(run(900, "docker", "build", "-t", IMAGE, "."));
    ok(run(300, "kind", "load", "docker-image", IMAGE, "--name", cluster));
  }

  @AfterAll
  static void deleteCluster() throws Exception {
    if (created) {
      run(300, "kind", "delete", "cluster", "--name", cluster);
    }
  }

  @Test
  void shouldInstallTheChartAndReconcileTheExamples() throws Exception {
    String context = "kind-" + cluster;
    ok(run(300, "helm", "upgrade", "--install", "aws-datastore-operator", "charts/aws-datastore-operator",
        "--kube-context", context, "--namespace", NAMESPACE, "--create-namespace",
        "--set", "image.repository=aws-datastore-operator", "--set", "image.tag=e2e", "--set", "image.pullPolicy=Never",
        "--wait", "--timeout", "180s"));
    ok(run(200, "kubectl", "--context", context, "-n", NAMESPACE, "rollout", "status", "deployment/aws-datastore-operator",
        "--timeout=180s"));

    run(60, "kubectl", "--context", context, "create", "namespace", EXAMPLES_NAMESPACE);
    for (Path example : examples()) {
      ok(run(60, "kubectl", "--context", context, "-n", EXAMPLES_NAMESPACE, "apply", "-f", example.toString()));
    }

    // No AWS here, so nothing becomes Ready; but the operator must have looked at every example and
    // written a status for its generation.
    for (String kind : List.of("awsintegrations", "datasets", "modelartifacts")) {
      ok(run(200, "kubectl", "--context", context, "-n", EXAMPLES_NAMESPACE, "wait", kind, "--all",
          "--for=jsonpath={.status.conditions[?(@.type==\"Ready\")].observedGeneration}=1", "--timeout=180s"));
    }
  }

  private static List<Path> examples() throws IOException {
    try (var files = Files.list(Path.of("deploy", "examples"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  record Result(int exit, String output) {}

  private static void ok(Result r) {
    assertThat(r.exit()).as(r.output()).isZero();
  }

  private static Result run(int timeoutSeconds, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, String.join(" ", command) + ": timed out");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
