package dev.mlops.datastore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/**
 * {@code trust-check}: evaluates a trust policy file offline for each service account and prints
 * one JSON object per line. Exit 0 when all are allowed, 1 otherwise, 2 on unusable arguments
 * (a policy file over {@link #MAX_POLICY_FILE_BYTES} among them). With {@code --fix}, one more line
 * follows: the policy that admits exactly the given service accounts ({@link TrustPolicyFix},
 * verified by the same evaluator) and the {@code aws iam update-assume-role-policy} command that
 * applies it; the exit code still describes the policy as it is.
 */
final class TrustCheckCommand {
  static final String USAGE =
      "usage: trust-check --policy FILE --issuer URL --role-arn ARN --service-account NAMESPACE:NAME"
          + " [--service-account ...] [--audience AUD] [--fix]";
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * IAM caps a role's trust policy at 2,048 characters, 8,192 with a raised quota; URL-encoded
   * (up to three bytes a character) inside the whole {@code aws iam get-role} output that is still
   * far below this. A larger file is not a trust policy, and is refused before it is read.
   */
  static final int MAX_POLICY_FILE_BYTES = 64 * 1024;

  private TrustCheckCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    String policy = null;
    String issuer = null;
    String roleArn = null;
    String audience = TrustRequest.DEFAULT_AUDIENCE;
    List<String> serviceAccounts = new ArrayList<>();
    boolean fix = false;
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (flag.equals("--help") || flag.equals("-h")) {
        out.println(USAGE);
        return 0;
      }
      if (flag.equals("--fix")) {
        fix = true;
        continue;
      }
      if (!flag.startsWith("--") || i + 1 >= args.size()) {
        return usage(err, flag.startsWith("--") ? flag + " needs a value" : "unexpected argument '" + flag + "'");
      }
      String value = args.get(++i);
      switch (flag) {
        case "--policy" -> policy = value;
        case "--issuer" -> issuer = value;
        case "--role-arn" -> roleArn = value;
        case "--audience" -> audience = value;
        case "--service-account" -> serviceAccounts.add(value);
        default -> {
          return usage(err, "unknown flag " + flag);
        }
      }
    }
    if (policy == null || issuer == null || roleArn == null || serviceAccounts.isEmpty()) {
      return usage(err, "--policy, --issuer, --role-arn and at least one --service-account are required");
    }
    String text;
    try (InputStream in = Files.newInputStream(Path.of(policy))) {
      // Read one byte past the cap rather than trust a size: the file may be a pipe.
      byte[] bytes = in.readNBytes(MAX_POLICY_FILE_BYTES + 1);
      if (bytes.length > MAX_POLICY_FILE_BYTES) {
        return usage(err, "policy file " + policy + " is larger than " + MAX_POLICY_FILE_BYTES
            + " bytes; an IAM trust policy is at most 8,192 characters");
      }
      text = policyText(new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException | InvalidPathException e) {
      return usage(err, "cannot read policy file " + policy + " (" + e.getClass().getSimpleName() + ")");
    }
    List<TrustRequest> requests = new ArrayList<>();
    for (String sa : serviceAccounts) {
      int colon = sa.indexOf(':');
      if (colon <= 0 || colon == sa.length() - 1 || sa.indexOf(':', colon + 1) >= 0) {
        return usage(err, "--service-account must be NAMESPACE:NAME, not '" + sa + "'");
      }
      try {
        requests.add(new TrustRequest(roleArn, issuer, sa.substring(0, colon), sa.substring(colon + 1), audience));
      } catch (IllegalArgumentException e) {
        return usage(err, e.getMessage());
      }
    }
    boolean allAllowed = true;
    for (TrustRequest request : requests) {
      TrustVerdict verdict = TrustPolicyEvaluator.evaluate(text, request);
      allAllowed &= verdict.allowed();
      ObjectNode line = JSON.createObjectNode();
      line.put("serviceAccount", request.namespace() + ":" + request.serviceAccount());
      line.put("verdict", verdict.verdict().name());
      verdict.reasons().stream().map(TrustReason::name).forEach(line.putArray("reasons")::add);
      var warnings = line.putArray("warnings");
      verdict.warnings().stream().map(TrustWarning::name).forEach(warnings::add);
      line.put("explanation", verdict.explanation());
      out.println(line);
    }
    if (fix) {
      printFix(text, requests, roleArn, out);
    }
    return allAllowed ? 0 : 1;
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

  private static void printFix(String text, List<TrustRequest> requests, String roleArn, PrintStream out) {
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
    out.println(line);
  }

  private static int usage(PrintStream err, String problem) {
    err.println("error: " + problem + " (" + USAGE + ")");
    return 2;
  }
}
