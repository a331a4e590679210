package dev.mlops.datastore.reconciler.policy;

import dev.mlops.datastore.api.v1alpha1.Access;
import dev.mlops.datastore.api.v1alpha1.Auth;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicyAuthMode;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationSpec;

/**
 * What a policy judges of an AwsIntegration: its auth mode, the role it would use, its bucket and
 * whether it asks for the ReadWrite probe. The one place that reads the auth mode and the role from
 * the spec, so a new auth mode is one more branch here.
 *
 * @param mode null when the spec names no auth mode this code knows: refused, never guessed
 * @param roleArn null for access keys, whose identity is unknown before an AWS call
 */
public record PolicyRequest(AwsIntegrationPolicyAuthMode mode, String roleArn, String bucket, boolean readWrite) {

  public static PolicyRequest of(AwsIntegrationSpec spec) {
    Auth auth = spec.getAuth();
    String bucket = spec.getBucket();
    boolean readWrite = spec.getAccess() == Access.ReadWrite;
    if (auth == null) {
      return new PolicyRequest(null, null, bucket, readWrite);
    }
    if (auth.getAccessKey() != null) {
      return new PolicyRequest(AwsIntegrationPolicyAuthMode.accessKey, null, bucket, readWrite);
    }
    if (auth.getIrsa() != null) {
      return new PolicyRequest(AwsIntegrationPolicyAuthMode.irsa, auth.getIrsa().getRoleArn(), bucket, readWrite);
    }
    if (auth.getPodIdentity() != null) {
      return new PolicyRequest(AwsIntegrationPolicyAuthMode.podIdentity, auth.getPodIdentity().getRoleArn(), bucket, readWrite);
    }
    return new PolicyRequest(null, null, bucket, readWrite);
  }
}
