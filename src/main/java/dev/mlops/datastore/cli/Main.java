package dev.mlops.datastore.cli;

import dev.mlops.datastore.OperatorMain;
import java.io.PrintStream;

/**
 * The one executable: no argument or {@code run} starts the operator against the current
 * kubeconfig; the other words are subcommands. Unusable arguments exit 2 with one line.
 */
public final class Main {
  static final String USAGE =
      """
      Usage: java -jar aws-datastore-operator.jar [COMMAND]

      Commands:
        run          start the operator against the current kubeconfig (the default)
        trust-check  evaluate a role's trust policy for service accounts, offline:
                     trust-check --policy FILE --issuer URL --role-arn ARN
                       --service-account NAMESPACE:NAME [--service-account ...] [--audience AUD]
        inspect      check a dataset (a local file or folder, or s3://BUCKET/KEY):
                     inspect PATH [--data-type DATA_TYPE_DELTA_TABLE] [--label-col NAME]
        help         print this help

      The operator is configured with OPERATOR_* environment variables; see README.md.
      """;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    String command = args.length == 0 ? "run" : args[0];
    switch (command) {
      case "run":
        if (args.length > 1) {
          err.println("error: run takes no arguments (configure with OPERATOR_* variables)");
          return 2;
        }
        return OperatorMain.run();
      case "trust-check":
        return TrustCheckCommand.run(java.util.List.of(args).subList(1, args.length), out, err);
      case "inspect":
        return InspectCommand.run(java.util.List.of(args).subList(1, args.length), System.getenv(), out, err);
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
}
