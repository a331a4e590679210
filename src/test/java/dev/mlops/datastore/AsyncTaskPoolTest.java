package dev.mlops.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link OperatorMain#poolAsyncTasks}: on a two-CPU pod, {@code CompletableFuture}'s default executor
 * (where the JDK HTTP client completes every response) is the common pool, not a new thread per
 * task. Each case runs in a JVM of its own that believes it has two CPUs, since the setting only
 * acts before the JVM first uses {@code CompletableFuture}.
 */
class AsyncTaskPoolTest {
  @Test
  void shouldRunAsyncTasksOnTheCommonPoolOnTwoCpus() throws Exception {
    String said = childSays("pool");

    assertThat(said).startsWith("java.util.concurrent.ForkJoinPool threads=");
    // The pool's two workers at most, however many tasks.
    assertThat(Integer.parseInt(said.substring(said.indexOf('=') + 1))).isBetween(1, 2);
  }

  @Test
  void shouldStartAThreadPerAsyncTaskOnTwoCpusWithoutIt() throws Exception {
    // What the JVM does by itself, which the case above changes.
    assertThat(childSays("default")).isEqualTo("java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor threads=50");
  }

  @Test
  void shouldLeaveAnExplicitParallelismAlone() throws Exception {
    assertThat(childSays("pool", "-D" + OperatorMain.COMMON_POOL_PARALLELISM + "=1"))
        .startsWith("java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor");
  }

  /** Runs {@link Child} with two CPUs; its one line of output. */
  private static String childSays(String mode, String... jvmArgs) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:ActiveProcessorCount=2"));
    command.addAll(List.of(jvmArgs));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName(), mode));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  /** Prints the default executor's class and the threads started to run 50 async tasks one after another. */
  static final class Child {
    public static void main(String[] args) {
      if (args[0].equals("pool")) {
        OperatorMain.poolAsyncTasks();
      }
      var threads = java.lang.management.ManagementFactory.getThreadMXBean();
      long before = threads.getTotalStartedThreadCount();
      for (int i = 0; i < 50; i++) {
        CompletableFuture.runAsync(() -> { }).join();
      }
      System.out.println(new CompletableFuture<Void>().defaultExecutor().getClass().getName()
          + " threads=" + (threads.getTotalStartedThreadCount() - before));
    }
  }
}
