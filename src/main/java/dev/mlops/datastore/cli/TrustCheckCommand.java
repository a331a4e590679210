package dev.mlops.datastore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.datastore.trust.PodIdentityRequest;
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
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code trust-check}: evaluates a trust policy file offline for each service account, for IRSA
 * ({@code --mode irsa}, the default: {@link TrustPolicyEvaluator#evaluate}) or EKS Pod Identity
 * ({@code --mode pod-identity}: {@link TrustPolicyEvaluator#evaluatePodIdentity}). With
 * {@code --output json} (the default when stdout is not a terminal) it prints one JSON object per
 * line and service account; with {@code --output text}, a table and the explanations. Exit 0 when
 * all are allowed, 1 otherwise, 2 on unusable arguments (a policy file over
 * {@link #MAX_POLICY_FILE_BYTES} among them). With {@code --fix}, one more line follows: the policy
 * that admits exactly the given service accounts ({@link TrustPolicyFix}, verified by the same
 * evaluator) and the {@code aws iam update-assume-role-policy} command that applies it; the exit
 * code still describes the policy as it is. For Pod Identity the fix scopes the role with
 * {@code aws:RequestTag} conditions on the cluster, namespace and service account
 * ({@link TrustPolicyFix#fixPodIdentity}).
 */
@Command(
    name = "trust-check",
    mixinStandardHelpOptions = true,
    versionProvider = BuildInfo.class,
    sortOptions = false,
    sortSynopsis = false,
    header = "Evaluate an IAM role's trust policy offline, as IAM would, for service accounts.",
    description = {
      "For each service account: may its pods assume the role? With --mode irsa (the default), with their projected token"
          + " (sts:AssumeRoleWithWebIdentity, --issuer); with --mode pod-identity, through EKS Pod Identity (sts:AssumeRole"
          + " and sts:TagSession by pods.eks.amazonaws.com, --cluster).",
      "Prints the verdict (ALLOWED, DENIED, UNDETERMINED), the reason codes, the warnings and an explanation. No AWS call"
          + " is made. A policy that is not valid JSON is a MalformedPolicy verdict, not an error."
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
      "  # EKS Pod Identity instead of IRSA:",
      "  " + Main.EXECUTABLE + " trust-check --mode pod-identity --policy trust.json --cluster prod \\",
      "      --cluster-arn arn:aws:eks:us-east-1:111122223333:cluster/prod \\",
      "      --role-arn arn:aws:iam::111122223333:role/ml-s3 --service-account ml:trainer",
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

  @Option(names = "--mode", paramLabel = "irsa|pod-identity", converter = Mode.Converter.class,
      description = "irsa: the role is assumed with a service account token (sts:AssumeRoleWithWebIdentity);"
          + " pod-identity: by EKS Pod Identity (sts:AssumeRole and sts:TagSession by pods.eks.amazonaws.com)."
          + " Default: irsa.")
  Mode mode = Mode.IRSA;

  @Option(names = "--issuer", paramLabel = "URL",
      description = "irsa: the cluster's OIDC issuer URL, as 'aws eks describe-cluster' reports it (https://...).")
  String issuer;

  @Option(names = "--role-arn", paramLabel = "ARN", required = true,
      description = "The role whose trust policy this is (arn:aws:iam::ACCOUNT:role/NAME).")
  String roleArn;

  @Option(names = "--service-account", paramLabel = "NAMESPACE:NAME", required = true,
      description = "A service account that should assume the role; repeat for more.")
  List<String> serviceAccounts = new ArrayList<>();

  @Option(names = "--audience", paramLabel = "AUD",
      description = "irsa: the token audience (default: " + TrustRequest.DEFAULT_AUDIENCE + ").")
  String audience;

  @Option(names = "--cluster", paramLabel = "NAME",
      description = "pod-identity: the EKS cluster's name (the eks-cluster-name session tag).")
  String cluster;

  @Option(names = "--cluster-arn", paramLabel = "ARN",
      description = "pod-identity: the cluster's ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME); without it, a condition"
          + " on the eks-cluster-arn tag is UNDETERMINED.")
  String clusterArn;

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

  /** How the role is assumed, which decides the request judged and the flags that describe it. */
  enum Mode {
    IRSA("irsa"),
    POD_IDENTITY("pod-identity");

    private final String flag;

    Mode(String flag) {
      this.flag = flag;
    }

    @Override
    public String toString() {
      return flag;
    }

    /** Accepts {@code irsa} and {@code pod-identity}, any case. */
    static final class Converter implements ITypeConverter<Mode> {
      @Override
      public Mode convert(String value) {
        for (Mode m : values()) {
          if (m.flag.equalsIgnoreCase(value)) {
            return m;
          }
        }
        throw new TypeConversionException("must be irsa or pod-identity, not '" + shown(value) + "'");
      }
    }
  }

  @Override
  public Integer call() {
    try {
      RoleArn.parse(roleArn);
    } catch (IllegalArgumentException e) {
      throw usage("--role-arn", e.getMessage());
    }
    List<String[]> names = new ArrayList<>();
    for (String sa : serviceAccounts) {
      int colon = sa.indexOf(':');
      if (colon <= 0 || colon == sa.length() - 1 || sa.indexOf(':', colon + 1) >= 0) {
        throw usage("--service-account", "must be NAMESPACE:NAME, not '" + shown(sa) + "'");
      }
      names.add(new String[] {sa.substring(0, colon), sa.substring(colon + 1)});
    }
    List<TrustRequest> irsaRequests = new ArrayList<>();
    List<PodIdentityRequest> podRequests = new ArrayList<>();
    if (mode == Mode.IRSA) {
      refuse("--cluster", cluster);
      refuse("--cluster-arn", clusterArn);
      if (issuer == null) {
        throw usage("--issuer", "is required with --mode irsa (the cluster's OIDC issuer URL)");
      }
      if (!issuer.startsWith("https://") || issuer.length() <= "https://".length()) {
        throw usage("--issuer", "'" + shown(issuer) + "' is not an https:// OIDC issuer URL");
      }
      String aud = audience == null ? TrustRequest.DEFAULT_AUDIENCE : audience;
      for (String[] sa : names) {
        try {
          irsaRequests.add(new TrustRequest(roleArn, issuer, sa[0], sa[1], aud));
        } catch (IllegalArgumentException e) {
          throw usage("--service-account", e.getMessage());
        }
      }
    } else {
      refuse("--issuer", issuer);
      refuse("--audience", audience);
      if (cluster == null) {
        throw usage("--cluster", "is required with --mode pod-identity (the EKS cluster's name)");
      }
      // Each field checked alone, with values known good for the others, so the error names it.
      try {
        new PodIdentityRequest(roleArn, cluster, null, "default", "default");
      } catch (IllegalArgumentException e) {
        throw usage("--cluster", e.getMessage());
      }
      try {
        new PodIdentityRequest(roleArn, cluster, clusterArn, "default", "default");
      } catch (IllegalArgumentException e) {
        throw usage("--cluster-arn", e.getMessage());
      }
      for (String[] sa : names) {
        try {
          podRequests.add(new PodIdentityRequest(roleArn, cluster, clusterArn, sa[0], sa[1]));
        } catch (IllegalArgumentException e) {
          throw usage("--service-account", e.getMessage());
        }
      }
    }
    String text = readPolicy(policy);

    List<TrustVerdict> verdicts = mode == Mode.IRSA
        ? irsaRequests.stream().map(r -> TrustPolicyEvaluator.evaluate(text, r)).toList()
        : podRequests.stream().map(r -> TrustPolicyEvaluator.evaluatePodIdentity(text, r)).toList();
    List<String> labels = names.stream().map(sa -> sa[0] + ":" + sa[1]).toList();
    PrintStream out = context.out();
    boolean json = OutputFormat.resolve(output, context.terminal()) == OutputFormat.JSON;
    if (json) {
      for (int i = 0; i < verdicts.size(); i++) {
        out.println(jsonLine(labels.get(i), verdicts.get(i)));
      }
    } else {
      out.print(table(labels, verdicts));
    }
    if (fix) {
      var suggested = mode == Mode.IRSA ? TrustPolicyFix.fix(text, irsaRequests) : TrustPolicyFix.fixPodIdentity(text, podRequests);
      ObjectNode fixed = fixLine(text, suggested, roleArn);
      out.println(json ? fixed.toString() : fixText(fixed));
    }
    return verdicts.stream().allMatch(TrustVerdict::allowed) ? Main.OK : Main.PROBLEM_FOUND;
  }

  /** A flag of the other mode is an error rather than silently ignored. */
  private void refuse(String flag, String value) {
    if (value != null) {
      throw usage(flag, "is for --mode " + (mode == Mode.IRSA ? Mode.POD_IDENTITY : Mode.IRSA) + ", not --mode " + mode);
    }
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

  private static ObjectNode fixLine(String text, Optional<String> fixed, String roleArn) {
    ObjectNode line = JSON.createObjectNode();
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
