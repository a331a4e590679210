package dev.mlops.datastore.trust;

/**
 * Findings that leave the verdict standing but make the role risky, fragile or near a mistake
 * (DESIGN.md section 4); the names are the codes users see.
 */
public enum TrustWarning {
  WildcardSubject,
  MissingSubjectCondition,
  MissingAudienceCondition,
  NonDefaultAudience,
  WildcardWithoutLikeOperator,
  NegatedSubjectMatch,
  UnsafeSetOperator,
  IfExistsOnIdentityKey,
  ConditionKeyForOtherProvider,
  ProviderMismatch,
  BroadAction,
  NotActionAllow,
  PodIdentityTrustPolicy,
  DuplicateKey,
  /** Pod Identity: no condition on the namespace or service account tag; any association naming the role can use it. */
  UnscopedPodIdentityRole
}
