package dev.mlops.datastore.trust;

/** Why a request is not allowed (DESIGN.md section 4); the names are the codes users see. */
public enum TrustReason {
  Allowed,
  ExplicitDeny,
  NoStatementForProvider,
  ActionNotAllowed,
  SubjectNotMatched,
  AudienceNotMatched,
  ConditionNotMatched,
  MalformedPolicy,
  Undetermined,
  /** Pod Identity only: the policy trusts an OIDC provider (IRSA), not pods.eks.amazonaws.com. */
  IrsaTrustPolicy,
  /** Pod Identity only: sts:AssumeRole is allowed, the sts:TagSession EKS also calls is not. */
  TagSessionNotAllowed
}
