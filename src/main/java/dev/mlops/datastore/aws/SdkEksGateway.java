package dev.mlops.datastore.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.eks.model.PodIdentityAssociation;
import software.amazon.awssdk.services.eks.model.PodIdentityAssociationSummary;

/** {@link EksGateway} over the AWS SDK's EKS client, one client per region. */
public final class SdkEksGateway implements EksGateway {
  private final Function<String, EksClient> clientForRegion;

  public SdkEksGateway(Function<String, EksClient> clientForRegion) {
    this.clientForRegion = clientForRegion;
  }

  @Override
  public String clusterArn(String clusterName, String region) {
    try {
      return clientForRegion.apply(region).describeCluster(b -> b.name(clusterName)).cluster().arn();
    } catch (SdkException e) {
      throw AwsErrors.classify("eks:DescribeCluster", e);
    }
  }

  @Override
  public List<Association> associations(String clusterName, String namespace, String serviceAccount, String region) {
    EksClient eks = clientForRegion.apply(region);
    List<PodIdentityAssociationSummary> summaries = new ArrayList<>();
    try {
      String next = null;
      do {
        String token = next;
        var page = eks.listPodIdentityAssociations(b -> b.clusterName(clusterName).namespace(namespace)
            .serviceAccount(serviceAccount).nextToken(token));
        summaries.addAll(page.associations());
        next = page.nextToken();
      } while (next != null && !next.isEmpty());
    } catch (SdkException e) {
      throw AwsErrors.classify("eks:ListPodIdentityAssociations", e);
    }
    List<Association> out = new ArrayList<>();
    for (PodIdentityAssociationSummary summary : summaries) {
      try {
        out.add(of(eks.describePodIdentityAssociation(b -> b.clusterName(clusterName).associationId(summary.associationId()))
            .association()));
      } catch (SdkException e) {
        AwsCallException classified = AwsErrors.classify("eks:DescribePodIdentityAssociation", e);
        if (classified.kind() != AwsCallException.Kind.NOT_FOUND) {
          throw classified;
        }
        // deleted between the list and the describe: it is not there
      }
    }
    return out;
  }

  @Override
  public Association create(String clusterName, String namespace, String serviceAccount, String roleArn, Map<String, String> tags,
      String region) {
    try {
      return of(clientForRegion.apply(region).createPodIdentityAssociation(b -> b.clusterName(clusterName).namespace(namespace)
          .serviceAccount(serviceAccount).roleArn(roleArn).tags(tags)).association());
    } catch (SdkException e) {
      throw AwsErrors.classify("eks:CreatePodIdentityAssociation", e);
    }
  }

  @Override
  public Association update(String clusterName, String associationId, String roleArn, String region) {
    try {
      return of(clientForRegion.apply(region).updatePodIdentityAssociation(b -> b.clusterName(clusterName).associationId(associationId)
          .roleArn(roleArn)).association());
    } catch (SdkException e) {
      throw AwsErrors.classify("eks:UpdatePodIdentityAssociation", e);
    }
  }

  @Override
  public void delete(String clusterName, String associationId, String region) {
    try {
      clientForRegion.apply(region).deletePodIdentityAssociation(b -> b.clusterName(clusterName).associationId(associationId));
    } catch (SdkException e) {
      AwsCallException classified = AwsErrors.classify("eks:DeletePodIdentityAssociation", e);
      if (classified.kind() != AwsCallException.Kind.NOT_FOUND) {
        throw classified;
      }
    }
  }

  private static Association of(PodIdentityAssociation a) {
    return new Association(a.associationId(), a.associationArn(), a.namespace(), a.serviceAccount(), a.roleArn(),
        a.targetRoleArn() == null || a.targetRoleArn().isEmpty() ? null : a.targetRoleArn(),
        Boolean.TRUE.equals(a.disableSessionTags()), a.hasTags() ? a.tags() : Map.of());
  }
}
