package dev.mlops.datastore.aws;

import java.util.List;
import java.util.Map;

/**
 * The EKS questions the Pod Identity link asks, with the operator's own identity: the cluster's
 * ARN, the associations of a service account, and (only with {@code manageAssociations}) writing
 * the associations an integration owns.
 *
 * <p>Every method throws {@link AwsCallException}, classified as the other AWS calls are.
 */
public interface EksGateway {
  /**
   * One EKS Pod Identity association as DescribePodIdentityAssociation returns it.
   *
   * @param targetRoleArn the role the first role is chained to (cross-account), or null
   * @param disableSessionTags whether EKS leaves out the session tags (kubernetes-namespace, ...)
   */
  record Association(
      String associationId,
      String associationArn,
      String namespace,
      String serviceAccount,
      String roleArn,
      String targetRoleArn,
      boolean disableSessionTags,
      Map<String, String> tags) {
    public Association {
      tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
  }

  /** DescribeCluster: the cluster's ARN. */
  String clusterArn(String clusterName, String region);

  /**
   * ListPodIdentityAssociations filtered on the namespace and (when not null) the service account,
   * then DescribePodIdentityAssociation for each: the list answer carries no role.
   */
  List<Association> associations(String clusterName, String namespace, String serviceAccount, String region);

  Association create(String clusterName, String namespace, String serviceAccount, String roleArn, Map<String, String> tags,
      String region);

  /** Points an association at another role; its tags are left as they are. */
  Association update(String clusterName, String associationId, String roleArn, String region);

  void delete(String clusterName, String associationId, String region);
}
