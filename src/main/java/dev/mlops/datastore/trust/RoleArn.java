package dev.mlops.datastore.trust;

import java.util.List;

/**
 * An IAM role ARN, parsed once: {@code arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME}. The grammar is
 * the one the CRD's {@code roleArn} pattern admits, so admission and code cannot disagree: every
 * partition AWS has, a 12-digit account, and a role path and name of IAM's characters
 * ({@code [\w+=,.@/-]}, 1 to 512 of them).
 */
public record RoleArn(String partition, String account, String resource) {
  /** Every partition of AWS; the CRD pattern lists the same. */
  public static final List<String> PARTITIONS =
      List.of("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc");

  /** What a valid ARN looks like, for messages. */
  public static final String EXAMPLE = "arn:aws:iam::123456789012:role/NAME";

  public RoleArn {
    if (!PARTITIONS.contains(partition)) {
      throw new IllegalArgumentException("unknown partition '" + partition + "'");
    }
  }

  /**
   * @throws IllegalArgumentException naming what is wrong, without echoing more than the ARN itself
   */
  public static RoleArn parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("an IAM role ARN is required (" + EXAMPLE + ")");
    }
    String[] parts = text.split(":", 6);
    if (parts.length != 6 || !parts[0].equals("arn")) {
      throw invalid(text, "it does not have the form " + EXAMPLE);
    }
    if (!PARTITIONS.contains(parts[1])) {
      throw invalid(text, "'" + parts[1] + "' is not an AWS partition (" + String.join(", ", PARTITIONS) + ")");
    }
    if (!parts[2].equals("iam") || !parts[3].isEmpty()) {
      throw invalid(text, "it is not an IAM ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)");
    }
    if (parts[4].length() != 12 || !parts[4].chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw invalid(text, "the account '" + parts[4] + "' is not 12 digits");
    }
    String resource = parts[5];
    if (!resource.startsWith("role/")) {
      throw invalid(text, "it names a " + (resource.contains("/") ? resource.substring(0, resource.indexOf('/')) : resource) + ", not a role");
    }
    String name = resource.substring("role/".length());
    if (name.isEmpty() || name.length() > 512) {
      throw invalid(text, "the role path and name must be 1 to 512 characters");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "_+=,.@/-".indexOf(c) >= 0;
      if (!ok) {
        throw invalid(text, "character '" + c + "' is not allowed in a role name ([A-Za-z0-9_+=,.@/-])");
      }
    }
    return new RoleArn(parts[1], parts[4], resource);
  }

  private static IllegalArgumentException invalid(String text, String why) {
    String shown = text.length() > 120 ? text.substring(0, 120) + "..." : text;
    return new IllegalArgumentException("'" + shown + "' is not an IAM role ARN: " + why);
  }

  /** The role's name, without its path. */
  public String name() {
    return resource.substring(resource.lastIndexOf('/') + 1);
  }

  @Override
  public String toString() {
    return "arn:" + partition + ":iam::" + account + ":" + resource;
  }
}
