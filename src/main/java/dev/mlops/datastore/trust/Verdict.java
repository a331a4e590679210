package dev.mlops.datastore.trust;

/** What IAM would decide for the request. */
public enum Verdict {
  ALLOWED,
  DENIED,
  /** The answer depends on something a trust policy cannot show (a "*" principal, aws:SourceIp). */
  UNDETERMINED
}
