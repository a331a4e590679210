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
  Undetermined
}
