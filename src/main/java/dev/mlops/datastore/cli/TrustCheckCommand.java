package dev.mlops.datastore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.datastore.trust.RoleArn;
import dev.mlops.datastore.trust.TrustPolicyEvaluator;
import dev.mlops.datastore.trust.TrustPolicyFix;
import dev.mlops.datastore.trust.TrustReason;
import dev.mlops.datastore.trust.TrustRequest;
import dev.mlops.datastore.trust.TrustVerdict;
import dev.mlops.datastore.trust.TrustWarning;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code trust-check}: evaluates a trust policy file offline for each service account. With
 * {@code --output json} (the default when stdout is not a terminal) it prints one JSON object per
 * line and service account; with {@code --output text}, a table and the explanations. Exit 0 when
 * all are allowed, 1 otherwise, 2 on unusable arguments (a policy file over
 * {@link #MAX_POLICY_FILE_BYTES} among them). With {@code --fix}, one more line follows: the policy
 * that admits exactly the given service accounts ({@link TrustPolicyFix}, verified by the same
 * evaluator) and the {@code aws iam update-assume-role-policy} command that applies it; the exit
 * code still describes the policy as it is.
 */
@Command(
    name = "trust-check",
    mixinStandardHelpOptions = true,
    versionProvider = BuildInfo.class,
    sortOptions = false,
    sortSynopsis = false,
    header = "Evaluate an IAM role's trust policy offline, as IAM would, for service accounts.",
    description = {
      "For each service account: may its projected token assume the role (sts:AssumeRoleWithWebIdentity)? Prints the"
          + " verdict (ALLOWED, DENIED, UNDETERMINED), the reason codes, the warnings and an explanation. No AWS call is made.",
      "A policy that is not valid JSON is a MalformedPolicy verdict, not an error."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  " + Main.EXECUTABLE + " trust-check --policy trust.json \\",
      "      --issuer https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE \\",
      "      --role-arn arn:aws:iam::111122223333:role/rime-s3 \\",
      "      --service-account rime:rime-agent-model-tester --service-account rime:rime-agent-rime-cross-plane-server",
      "",
      "  # straight from IAM, the whole get-role output, as JSON lines for jq, with a fixed policy:",
      "  aws iam get-role --role-name rime-s3 > role.json",
      "  " + Main.EXECUTABLE + " trust-check --policy role.json --issuer \"$ISSUER\" \\",
      "      --role-arn arn:aws:iam::111122223333:role/rime-s3 --service-account rime:rime-agent-model-tester \\",
      "      --fix --output json | jq .",
      "",
      "The policy file may hold the policy as written, URL-encoded as iam:GetRole returns it, or the whole output of"
          + " 'aws iam get-role'.",
      Main.EXIT_CODES + " Exit 0 means every service account is allowed."
    })
final class TrustCheckCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * IAM caps a role's trust policy at 2,048 characters, 8,192 with a raised quota; URL-encoded
   * (up to three bytes a character) inside the whole {@code aws iam get-role} output that is still
   * far below this. A larger file is not a trust policy, and is refused before it is read.
   */
  static final int MAX_POLICY_FILE_BYTES = 64 * 1024;

  private final CliContext context;
  @Spec CommandSpec spec;

  @Option(names = "--policy", paramLabel = "FILE", required = true,
      description = "The trust policy: as written, URL-encoded, or the output of 'aws iam get-role'.")
  String policy;

  @Option(names = "--issuer", paramLabel = "URL", required = true,
      description = "The cluster's OIDC issuer URL, as 'aws eks describe-cluster' reports it (https://...).")
  String issuer;

  @Option(names = "--role-arn", paramLabel = "ARN", required = true,
      description = "The role whose trust policy this is (arn:aws:iam::ACCOUNT:role/NAME).")
  String roleArn;

  @Option(names = "--service-account", paramLabel = "NAMESPACE:NAME", required = true,
      description = "A service account that should assume the role; repeat for more.")
  List<String> serviceAccounts = new ArrayList<>();

  @Option(names = "--audience", paramLabel = "AUD", defaultValue = TrustRequest.DEFAULT_AUDIENCE,
      description = "The token audience (default: ${DEFAULT-VALUE}).")
  String audience;

  @Option(names = "--fix",
      description = "Also print the smallest verified policy that admits exactly these service accounts,"
          + " and the aws command that applies it.")
  boolean fix;

  @Option(names = "--output", paramLabel = "text|json", converter = OutputFormat.Converter.class,
      description = "text: a table and the explanations; json: one object per line and service account."
          + " Default: text on a terminal, json when piped.")
  OutputFormat output;

  TrustCheckCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    try {
      RoleArn.parse(roleArn);
    } catch (IllegalArgumentException e) {
      throw usage("--role-arn", e.getMessage());
    }
    if (!issuer.startsWith("https://") || issuer.length() <= "https://".length()) {
      throw usage("--issuer", "'" + shown(issuer) + "' is not an https:// OIDC issuer URL");
    }
    List<TrustRequest> requests = new ArrayList<>();
    for (String sa : serviceAccounts) {
      int colon = sa.indexOf(':');
      if (colon <= 0 || colon == sa.length() - 1 || sa.indexOf(':', colon + 1) >= 0) {
        throw usage("--service-account", "must be NAMESPACE:NAME, not '" + shown(sa) + "'");
      }
      try {
        requests.add(new TrustRequest(roleArn, issuer, sa.substring(0, colon), sa.substring(colon + 1), audience));
      } catch (IllegalArgumentException e) {
        throw usage("--service-account", e.getMessage());
      }
    }
    String text = readPolicy(policy);

    List<TrustVerdict> verdicts = requests.stream().map(r -> TrustPolicyEvaluator.evaluate(text, r)).toList();
    List<String> names = requests.stream().map(r -> r.namespace() + ":" + r.serviceAccount()).toList();
    PrintStream out = context.out();
    boolean json = OutputFormat.resolve(output, context.terminal()) == OutputFormat.JSON;
    if (json) {
      for (int i = 0; i < verdicts.size(); i++) {
        out.println(jsonLine(names.get(i), verdicts.get(i)));
      }
    } else {
      out.print(table(names, verdicts));
    }
    if (fix) {
      ObjectNode fixed = fixLine(text, requests, roleArn);
      out.println(json ? fixed.toString() : fixText(fixed));
    }
    return verdicts.stream().allMatch(TrustVerdict::allowed) ? Main.OK : Main.PROBLEM_FOUND;
  }

  /** Reads at most {@link #MAX_POLICY_FILE_BYTES}: one byte past the cap rather than trust a size, as the file may be a pipe. */
  private String readPolicy(String file) {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      byte[] bytes = in.readNBytes(MAX_POLICY_FILE_BYTES + 1);
      if (bytes.length > MAX_POLICY_FILE_BYTES) {
        throw usage("--policy", "'" + shown(file) + "' is larger than " + MAX_POLICY_FILE_BYTES
            + " bytes; an IAM trust policy is at most 8,192 characters");
      }
      return policyText(new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException | InvalidPathException e) {
      throw usage("--policy", "cannot read '" + shown(file) + "' (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Accepts the policy as written, URL-encoded as {@code iam:GetRole} returns it, or the whole
   * output of {@code aws iam get-role}.
   */
  static String policyText(String raw) {
    String text = raw.strip();
    if (text.regionMatches(true, 0, "%7B", 0, 3)) {
      text = URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
    try {
      JsonNode node = JSON.readTree(text);
      JsonNode embedded = node == null ? null : node.path("Role").get("AssumeRolePolicyDocument");
      if (embedded != null) {
        return embedded.isTextual() ? policyText(embedded.asText()) : embedded.toString();
      }
    } catch (IOException | RuntimeException e) {
      // Not JSON, or JSON with duplicate keys that the evaluator will report: judged as it is.
    }
    return text;
  }

  /** The JSON form, one line per service account; scripts depend on its fields. */
  static String jsonLine(String serviceAccount, TrustVerdict verdict) {
    ObjectNode line = JSON.createObjectNode();
    line.put("serviceAccount", serviceAccount);
    line.put("verdict", verdict.verdict().name());
    verdict.reasons().stream().map(TrustReason::name).forEach(line.putArray("reasons")::add);
    var warnings = line.putArray("warnings");
    verdict.warnings().stream().map(TrustWarning::name).forEach(warnings::add);
    line.put("explanation", verdict.explanation());
    return line.toString();
  }

  /** The text form: the verdicts aligned in a table, then each explanation under its service account. */
  static String table(List<String> serviceAccounts, List<TrustVerdict> verdicts) {
    TextTable table = new TextTable("SERVICE ACCOUNT", "VERDICT", "REASONS", "WARNINGS");
    for (int i = 0; i < verdicts.size(); i++) {
      TrustVerdict v = verdicts.get(i);
      table.row(serviceAccounts.get(i), v.verdict().name(), TextTable.list(v.reasons().stream().map(TrustReason::name).toList()),
          TextTable.list(v.warnings().stream().map(TrustWarning::name).toList()));
    }
    StringBuilder text = new StringBuilder(table.render());
    for (int i = 0; i < verdicts.size(); i++) {
      text.append('\n').append(TextTable.safe(serviceAccounts.get(i))).append(":\n  ")
          .append(TextTable.safe(verdicts.get(i).explanation(), true).replace("\n", "\n  ")).append('\n');
    }
    return text.toString();
  }

  private static ObjectNode fixLine(String text, List<TrustRequest> requests, String roleArn) {
    ObjectNode line = JSON.createObjectNode();
    var fixed = TrustPolicyFix.fix(text, requests);
    if (fixed.isEmpty()) {
      line.putNull("suggestedPolicy");
      line.put("message", "no change to this policy could be verified to admit exactly these service accounts");
    } else {
      try {
        line.set("suggestedPolicy", JSON.readTree(fixed.get()));
      } catch (IOException e) {
        throw new IllegalStateException("a verified policy is JSON", e);
      }
      line.put("unchanged", fixed.get().equals(text));
      line.put("command", TrustPolicyFix.command(roleArn, fixed.get()));
    }
    return line;
  }

  private static String fixText(ObjectNode fix) {
    if (fix.get("suggestedPolicy").isNull()) {
      return "\nNo fix: " + fix.get("message").asText() + ".";
    }
    if (fix.get("unchanged").asBoolean()) {
      return "\nNo fix needed: the policy already admits exactly these service accounts.";
    }
    String policy;
    try {
      policy = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(fix.get("suggestedPolicy"));
    } catch (IOException e) {
      throw new IllegalStateException("a verified policy prints", e);
    }
    return "\nSuggested policy (verified: it admits exactly these service accounts):\n" + TextTable.safe(policy, true)
        + "\n\nApply it with:\n  " + TextTable.safe(fix.get("command").asText());
  }

  private ParameterException usage(String field, String problem) {
    return new ParameterException(spec.commandLine(), field + ": " + problem);
  }

  private static String shown(String value) {
    return value.length() > 120 ? value.substring(0, 120) + "..." : value;
  }
}
