package dev.mlops.datastore.api.v1alpha1;

/** An auth mode of an AwsIntegration, as an AwsIntegrationPolicy names it: the field under spec.auth. */
public enum AwsIntegrationPolicyAuthMode {
  accessKey,
  irsa,
  podIdentity
}
