package dev.mlops.datastore.reconciler.policy;

/**
 * Whether an AwsIntegration may be checked at all, and why.
 *
 * @param message for an admission, which policy admitted it (or why none had to); for a refusal,
 *     the policy and field that refused it, written for the person who owns the integration
 */
public record PolicyDecision(boolean admitted, String message) {
  static PolicyDecision admit(String why) {
    return new PolicyDecision(true, why);
  }

  static PolicyDecision refuse(String why) {
    return new PolicyDecision(false, why);
  }
}
