package dev.mlops.datastore.aws;

/**
 * EKS Auth's one operation, as the EKS Pod Identity Agent calls it for a pod: a service account
 * token (audience {@code pods.eks.amazonaws.com}) exchanged for the credentials of the role its
 * Pod Identity association names, signed with the operator's own identity.
 */
public interface EksAuthGateway {
  /** The audience EKS Auth accepts on the service account token. */
  String AUDIENCE = "pods.eks.amazonaws.com";

  /**
   * What EKS Auth answered: the credentials, the assumed role (as {@link
   * SessionCredentials#identity()}), and the association it used.
   */
  record PodIdentitySession(SessionCredentials session, String associationId) {}

  /**
   * @throws PodIdentityException when EKS Auth says no, with the reason mapped
   * @throws AwsCallException of kind TRANSIENT when it cannot be reached, throttles or fails
   */
  PodIdentitySession assumeRoleForPodIdentity(String clusterName, String token, String region);

  /** EKS Auth refused; {@link #reason()} is the code users see (docs/conditions.md). */
  final class PodIdentityException extends RuntimeException {
    private final String reason;
    private final String code;

    public PodIdentityException(String reason, String code, String message) {
      super(message);
      this.reason = reason;
      this.code = code;
    }

    public String reason() {
      return reason;
    }

    /** EKS Auth's error code, e.g. ResourceNotFoundException. */
    public String code() {
      return code;
    }
  }
}
