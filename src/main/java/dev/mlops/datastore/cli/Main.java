package dev.mlops.datastore.cli;

import dev.mlops.datastore.OperatorMain;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The one executable: no argument or {@code run} starts the operator against the current
 * kubeconfig; the other words are subcommands. Exit codes, the same for every command: 0 ok, 1 a
 * problem was found, 2 unusable arguments (one line), 3 an internal failure (one line naming what
 * was being done and the exception's class; the stack trace only with {@code --debug}), so a
 * script never takes a crash for a verdict.
 */
public final class Main {
  static final int INTERNAL_FAILURE = 3;
  static final String USAGE =
      """
      Usage: java -jar aws-datastore-operator.jar [--debug] [COMMAND]

      Commands:
        run          start the operator against the current kubeconfig (the default)
        trust-check  evaluate a role's trust policy for service accounts, offline:
                     trust-check --policy FILE --issuer URL --role-arn ARN
                       --service-account NAMESPACE:NAME [--service-account ...] [--audience AUD]
        inspect      check a dataset (a local file or folder, or s3://BUCKET/KEY):
                     inspect PATH [--data-type DATA_TYPE_DELTA_TABLE] [--label-col NAME] [--timeout 30s]
                     inspect --model PATH [--platform RobustIntelligence|DataRobot]  (a model artifact)
        help         print this help

      Exit codes: 0 ok, 1 a problem was found, 2 unusable arguments, 3 internal failure
      (--debug prints its stack trace).
      The operator is configured with OPERATOR_* environment variables; see README.md.
      """;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] rawArgs, PrintStream out, PrintStream err) {
    List<String> args = new ArrayList<>(List.of(rawArgs));
    boolean debug = args.remove("--debug");
    String command = args.isEmpty() ? "run" : args.get(0);
    List<String> rest = args.isEmpty() ? List.of() : args.subList(1, args.size());
    switch (command) {
      case "run":
        if (!rest.isEmpty()) {
          err.println("error: run takes no arguments (configure with OPERATOR_* variables)");
          return 2;
        }
        return guarded("running the operator", debug, err, OperatorMain::run);
      case "trust-check":
        return guarded("checking the trust policy", debug, err, () -> TrustCheckCommand.run(rest, out, err));
      case "inspect":
        return guarded("inspecting the dataset", debug, err, () -> InspectCommand.run(rest, System.getenv(), out, err));
      case "help":
      case "--help":
      case "-h":
        out.print(USAGE);
        return 0;
      default:
        err.println("error: unknown command '" + command + "'; try --help");
        return 2;
    }
  }

  /**
   * Runs a command; whatever escapes it (a fault of this code, or the JVM out of memory) is one
   * line and exit 3. The message of the exception is left out on purpose: it may quote input (a
   * policy, a path with a presigned query) that does not belong on a terminal or in CI logs.
   */
  static int guarded(String doing, boolean debug, PrintStream err, Supplier<Integer> command) {
    try {
      return command.get();
    } catch (RuntimeException | Error e) {
      err.println("error: internal failure while " + doing + ": " + e.getClass().getName()
          + (debug ? "" : " (run with --debug for the stack trace)"));
      if (debug) {
        e.printStackTrace(err);
      }
      return INTERNAL_FAILURE;
    }
  }
}
