package dev.mlops.datastore.sandbox;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

/**
 * What the sandbox is doing while it starts, one line per step on stderr (stdout holds only the
 * table or the JSON), so the seconds before the first status are not silent.
 */
final class Progress {
  private final PrintStream err;
  private final Instant started;

  Progress(PrintStream err, Instant started) {
    this.err = err;
    this.started = started;
  }

  void step(String what) {
    err.println("sandbox: " + what + "... (" + elapsed() + ")");
    err.flush();
  }

  void done(String what) {
    err.println("sandbox: " + what + " (" + elapsed() + ")");
    err.flush();
  }

  private String elapsed() {
    long millis = Duration.between(started, Instant.now()).toMillis();
    return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
  }
}
