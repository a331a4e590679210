package dev.mlops.datastore.trust;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request being judged for EKS Pod Identity: {@code sts:AssumeRole} and {@code sts:TagSession}
 * on {@code roleArn} by the service principal {@code pods.eks.amazonaws.com}, for the pods of one
 * service account of one EKS cluster, with the session tags EKS attaches.
 *
 * @param roleArn the role of the pod identity association
 * @param clusterName the EKS cluster's name
 * @param clusterArn the cluster's ARN ({@code arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME}), or
 *     null when unknown: conditions on it are then undetermined
 * @param namespace the service account's namespace
 * @param serviceAccount the service account's name
 */
public record PodIdentityRequest(
    String roleArn, String clusterName, String clusterArn, String namespace, String serviceAccount) {
  /** The principal EKS Pod Identity calls STS as. */
  public static final String SERVICE_PRINCIPAL = "pods.eks.amazonaws.com";
  public static final String ASSUME_ROLE = "sts:AssumeRole";
  public static final String TAG_SESSION = "sts:TagSession";

  public static final String TAG_CLUSTER_ARN = "eks-cluster-arn";
  public static final String TAG_CLUSTER_NAME = "eks-cluster-name";
  public static final String TAG_NAMESPACE = "kubernetes-namespace";
  public static final String TAG_SERVICE_ACCOUNT = "kubernetes-service-account";
  public static final String TAG_POD_NAME = "kubernetes-pod-name";
  public static final String TAG_POD_UID = "kubernetes-pod-uid";

  /** EKS: 1 to 100 characters, a letter or digit first, then letters, digits, hyphens, underscores. */
  private static final Pattern CLUSTER_NAME = Pattern.compile("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$");
  private static final Pattern CLUSTER_ARN =
      Pattern.compile("^arn:([a-z-]+):eks:([a-z0-9-]+):(\\d{12}):cluster/([0-9A-Za-z][A-Za-z0-9_-]{0,99})$");

  public PodIdentityRequest {
    RoleArn.parse(roleArn);
    if (clusterName == null || !CLUSTER_NAME.matcher(clusterName).matches()) {
      throw new IllegalArgumentException(
          "'" + shorten(clusterName) + "' is not an EKS cluster name (1 to 100 letters, digits, '-' and '_', starting with a letter or digit)");
    }
    if (clusterArn != null) {
      Matcher m = CLUSTER_ARN.matcher(clusterArn);
      if (!m.matches() || !RoleArn.PARTITIONS.contains(m.group(1))) {
        throw new IllegalArgumentException(
            "'" + shorten(clusterArn) + "' is not an EKS cluster ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME)");
      }
      if (!m.group(4).equals(clusterName)) {
        throw new IllegalArgumentException(
            "the cluster ARN " + clusterArn + " names cluster " + m.group(4) + ", not " + clusterName);
      }
    }
    if (namespace == null || namespace.isBlank() || serviceAccount == null || serviceAccount.isBlank()) {
      throw new IllegalArgumentException("a service account needs a namespace and a name");
    }
  }

  public String partition() {
    return RoleArn.parse(roleArn).partition();
  }

  /** The role's account. EKS requires the Pod Identity role in the cluster's account (iam:PassRole). */
  public String account() {
    return RoleArn.parse(roleArn).account();
  }

  /**
   * The cluster's account: from the cluster ARN when given, else the role's, since EKS Pod Identity
   * only assumes a role of the cluster's own account.
   */
  public String clusterAccount() {
    return clusterArn == null ? account() : clusterArn.split(":", 6)[4];
  }

  /** NAMESPACE/NAME, for messages. */
  public String serviceAccountRef() {
    return namespace + "/" + serviceAccount;
  }

  /**
   * The session tags EKS attaches, by key, in the documented order. A value is null when it is not
   * known here: the cluster ARN when not given, and the pod name and UID, which differ per pod.
   */
  public Map<String, String> sessionTags() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(TAG_CLUSTER_ARN, clusterArn);
    tags.put(TAG_CLUSTER_NAME, clusterName);
    tags.put(TAG_NAMESPACE, namespace);
    tags.put(TAG_SERVICE_ACCOUNT, serviceAccount);
    tags.put(TAG_POD_NAME, null);
    tags.put(TAG_POD_UID, null);
    return tags;
  }

  private static String shorten(String text) {
    return text == null ? "null" : text.length() > 120 ? text.substring(0, 120) + "..." : text;
  }
}
