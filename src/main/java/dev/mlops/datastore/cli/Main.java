package dev.mlops.datastore.cli;

import dev.mlops.datastore.OperatorMain;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one executable: no argument or {@code run} starts the operator against the current
 * kubeconfig; the other words are subcommands, parsed by picocli. Exit codes, the same for every
 * command: 0 ok, 1 a problem was found, 2 unusable arguments (one line on stderr), 3 an internal
 * failure (one line naming what was being done and the exception's class; the stack trace only with
 * {@code --debug}), so a script never takes a crash for a verdict. Help and {@code --version} exit
 * 0 on stdout.
 */
public final class Main {
  static final int OK = 0;
  static final int PROBLEM_FOUND = 1;
  static final int UNUSABLE_ARGUMENTS = 2;
  static final int INTERNAL_FAILURE = 3;
  /** How the help names the executable; also the start of every hint after a usage error. */
  static final String EXECUTABLE = "java -jar aws-datastore-operator.jar";
  /** The last lines of every command's help. */
  static final String EXIT_CODES =
      "Exit codes: 0 ok, 1 a problem was found, 2 unusable arguments, 3 internal failure"
          + " (--debug prints its stack trace).";

  private static final int HELP_WIDTH = 120;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err, stdoutIsTerminal()));
  }

  /** As {@link #main} runs it, with stdout taken as not a terminal (so JSON unless {@code --output text}). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, System.getenv(), out, err, false);
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, boolean terminal) {
    CommandLine cli = commandLine(new CliContext(env, terminal, out, err));
    int code = cli.execute(args);
    cli.getOut().flush();
    cli.getErr().flush();
    return code;
  }

  static CommandLine commandLine(CliContext context) {
    CommandLine cli = new CommandLine(new Root());
    cli.addSubcommand("run", new Run());
    cli.addSubcommand("trust-check", new TrustCheckCommand(context));
    cli.addSubcommand("inspect", new InspectCommand(context));
    cli.addSubcommand("help", new CommandLine.HelpCommand());
    cli.getSubcommands().get("help").getCommandSpec().usageMessage()
        .footerHeading("%nExamples:%n")
        .footer("  " + EXECUTABLE + " help", "  " + EXECUTABLE + " help trust-check", "", EXIT_CODES);
    cli.setOut(new PrintWriter(context.out(), true));
    cli.setErr(new PrintWriter(context.err(), true));
    // An argument starting with '@' is a path or a value, never a file of more arguments to read.
    cli.setExpandAtFiles(false);
    // Wide enough that no example line is wrapped in the middle of a command.
    cli.setUsageHelpWidth(HELP_WIDTH);
    // Styles only on a terminal (picocli's AUTO also honours NO_COLOR); never escape codes in a pipe.
    cli.setColorScheme(CommandLine.Help.defaultColorScheme(context.terminal() ? CommandLine.Help.Ansi.AUTO : CommandLine.Help.Ansi.OFF));
    cli.setParameterExceptionHandler((e, args) -> usageError(e, context.err()));
    cli.setExecutionStrategy(parsed -> guarded(doing(parsed), debug(parsed), context.err(), () -> new CommandLine.RunLast().execute(parsed)));
    return cli;
  }

  /** The root: with no subcommand it runs the operator, as {@code run} does. */
  @Command(
      name = EXECUTABLE,
      mixinStandardHelpOptions = true,
      versionProvider = BuildInfo.class,
      header = "Connects ML platforms in a Kubernetes cluster to their data in Amazon S3 and proves every link works.",
      description = "Without a command, runs the operator (as 'run' does).",
      commandListHeading = "%nCommands:%n",
      footerHeading = "%nExamples:%n",
      footer = {
        "  " + EXECUTABLE + "                  # runs the operator against the current kubeconfig",
        "  " + EXECUTABLE + " trust-check --help",
        "  " + EXECUTABLE + " inspect ./events --output text",
        "  " + EXECUTABLE + " help inspect",
        "",
        "The operator is configured with OPERATOR_* environment variables; see README.md.",
        EXIT_CODES
      })
  static final class Root implements Callable<Integer> {
    @SuppressWarnings("unused") // read from the parse result, on any command
    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "On an internal failure, print the stack trace.")
    boolean debug;

    @Override
    public Integer call() {
      return OperatorMain.run();
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      versionProvider = BuildInfo.class,
      header = "Start the operator against the current kubeconfig (the default command).",
      description = "Uses KUBECONFIG, ~/.kube/config or the pod's service account. It takes no arguments: configure it with"
          + " OPERATOR_* environment variables (see README.md).",
      footerHeading = "%nExamples:%n",
      footer = {
        "  " + EXECUTABLE + " run",
        "  OPERATOR_WATCH_NAMESPACES=ml,rime " + EXECUTABLE + " run --debug",
        "",
        EXIT_CODES
      })
  static final class Run implements Callable<Integer> {
    @Override
    public Integer call() {
      return OperatorMain.run();
    }
  }

  /**
   * Runs a command; whatever escapes it (a fault of this code, or the JVM out of memory) is one
   * line and exit 3. The message of the exception is left out on purpose: it may quote input (a
   * policy, a path with a presigned query) that does not belong on a terminal or in CI logs. A
   * {@link ParameterException} is a usage error, not a failure: it goes on to picocli's handler.
   */
  static int guarded(String doing, boolean debug, PrintStream err, Supplier<Integer> command) {
    try {
      return command.get();
    } catch (ParameterException e) {
      throw e;
    } catch (RuntimeException | Error e) {
      Throwable failure = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      err.println("error: internal failure while " + doing + ": " + failure.getClass().getName()
          + (debug ? "" : " (run with --debug for the stack trace)"));
      if (debug) {
        failure.printStackTrace(err);
      }
      err.flush();
      return INTERNAL_FAILURE;
    }
  }

  /**
   * A usage error as one line on stderr, with picocli's suggestion when it has one and the help to
   * read: picocli's own handler prints the whole usage, which buries the one line that matters.
   */
  static int usageError(ParameterException e, PrintStream err) {
    CommandLine command = e.getCommandLine();
    String problem;
    if (!(e instanceof UnmatchedArgumentException) && !command.getUnmatchedArguments().isEmpty()) {
      // A misspelt option first: the "missing required option" picocli finds after it is its consequence.
      e = new UnmatchedArgumentException(command, command.getUnmatchedArguments());
    }
    if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
      String first = unmatched.getUnmatched().get(0);
      if (unmatched.isUnknownOption()) {
        problem = "unknown option '" + first + "'";
      } else if (!command.getSubcommands().isEmpty() && command.getParent() == null) {
        problem = "unknown command '" + first + "'";
      } else {
        problem = "unexpected argument '" + first + "'";
      }
      List<String> suggestions = unmatched.getSuggestions();
      if (!suggestions.isEmpty()) {
        problem += "; did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?";
      }
    } else if (e instanceof MissingParameterException missing && !missing.getMissing().isEmpty()) {
      List<String> names = missing.getMissing().stream().map(Main::name).toList();
      problem = e.getMessage() != null && e.getMessage().startsWith("Missing required parameter for option")
          ? names.get(0) + ": needs a value"
          : (names.size() == 1 ? names.get(0) + " is required" : "required: " + String.join(", ", names));
    } else {
      problem = fieldFirst(e.getMessage());
    }
    err.println("error: " + oneLine(problem) + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
    err.flush();
    return UNUSABLE_ARGUMENTS;
  }

  private static final Pattern INVALID_VALUE = Pattern.compile("(?s)Invalid value for (?:option '([^']+)'|positional parameter at index \\d+ \\(([^)]+)\\)): (.*)");
  private static final Pattern UNKNOWN_SUBCOMMAND = Pattern.compile("(?s)Unknown subcommand '(.*)'\\.?");
  private static final Pattern REPEATED = Pattern.compile("(?s)option '([^']+)' .*should be specified only once.*");

  /** picocli's wording rewritten to ours, {@code FIELD: problem}, where it names a field. */
  private static String fieldFirst(String message) {
    if (message == null) {
      return "unusable arguments";
    }
    Matcher invalid = INVALID_VALUE.matcher(message);
    if (invalid.matches()) {
      return (invalid.group(1) != null ? invalid.group(1) : invalid.group(2)) + ": " + invalid.group(3);
    }
    Matcher unknown = UNKNOWN_SUBCOMMAND.matcher(message);
    if (unknown.matches()) {
      return "unknown command '" + unknown.group(1) + "'";
    }
    Matcher repeated = REPEATED.matcher(message);
    if (repeated.matches()) {
      return repeated.group(1) + ": given more than once";
    }
    return message;
  }

  private static String name(ArgSpec arg) {
    return arg instanceof OptionSpec option ? option.longestName() : arg.paramLabel();
  }

  /** A message as one line: line breaks and other control characters become spaces. */
  static String oneLine(String text) {
    return text == null ? "" : TextTable.safe(text.replaceAll("\\s*[\\r\\n]+\\s*", " ")).strip();
  }

  private static boolean debug(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--debug")) {
        return true;
      }
    }
    return false;
  }

  private static String doing(ParseResult parsed) {
    ParseResult last = parsed;
    while (last.subcommand() != null) {
      last = last.subcommand();
    }
    Object command = last.commandSpec().userObject();
    if (command instanceof TrustCheckCommand) {
      return "checking the trust policy";
    }
    if (command instanceof InspectCommand inspect) {
      return inspect.doing();
    }
    if (command instanceof Root || command instanceof Run) {
      return "running the operator";
    }
    if (command instanceof CommandLine.HelpCommand) {
      return "printing help";
    }
    return "running " + last.commandSpec().name();
  }

  /**
   * Whether stdout is a terminal: then the tables, else JSON. Before Java 22, {@link System#console()}
   * is null when stdin or stdout is redirected; from 22 it may be a console on a pipe, and
   * {@code Console.isTerminal()} (looked up, as this code compiles for 17) tells.
   */
  static boolean stdoutIsTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true;
    }
  }
}
