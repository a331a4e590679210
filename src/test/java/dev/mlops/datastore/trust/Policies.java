package dev.mlops.datastore.trust;

/** Policy texts for tests, spelled as people write them. */
final class Policies {
  static final String ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  static final String P = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  static final String ACCOUNT = "111122223333";
  static final String PROVIDER = "arn:aws:iam::" + ACCOUNT + ":oidc-provider/" + P;
  static final String ROLE = "arn:aws:iam::" + ACCOUNT + ":role/rime-s3";

  private Policies() {}

  static TrustRequest sa(String namespace, String name) {
    return new TrustRequest(ROLE, ISSUER, namespace, name, "sts.amazonaws.com");
  }

  /** One Allow statement for this cluster's provider with the given Condition body. */
  static String allowWith(String condition) {
    return """
        {"Version": "2012-10-17", "Statement": [{
          "Effect": "Allow",
          "Principal": {"Federated": "%s"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": %s
        }]}""".formatted(PROVIDER, condition);
  }

  static String eksctlStyle(String namespace, String name) {
    return allowWith("""
        {"StringEquals": {"%1$s:aud": "sts.amazonaws.com", "%1$s:sub": "system:serviceaccount:%2$s:%3$s"}}"""
        .formatted(P, namespace, name));
  }

  /** Robust Intelligence's documented policy: StringEquals on :sub with both agent accounts, no :aud. */
  static String robustIntelligence(String namespace) {
    return allowWith("""
        {"StringEquals": {"%1$s:sub": [
          "system:serviceaccount:%2$s:rime-agent-model-tester",
          "system:serviceaccount:%2$s:rime-agent-rime-cross-plane-server"]}}"""
        .formatted(P, namespace));
  }

  /** DataRobot's third form: the same :sub key four times in one StringEquals object. */
  static String dataRobotDuplicateKeys(String namespace) {
    return allowWith("""
        {"StringEquals": {
          "%1$s:sub": "system:serviceaccount:%2$s:datarobot-storage-access",
          "%1$s:sub": "system:serviceaccount:%2$s:build-service",
          "%1$s:sub": "system:serviceaccount:%2$s:build-service-image-builder",
          "%1$s:sub": "system:serviceaccount:%2$s:dr-lrs-operator",
          "%1$s:aud": "sts.amazonaws.com"}}"""
        .formatted(P, namespace));
  }
}
