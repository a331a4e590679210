package dev.mlops.datastore.sandbox.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.eks.model.AccessDeniedException;
import software.amazon.awssdk.services.eks.model.Cluster;
import software.amazon.awssdk.services.eks.model.InvalidParameterException;
import software.amazon.awssdk.services.eks.model.ListPodIdentityAssociationsResponse;
import software.amazon.awssdk.services.eks.model.PodIdentityAssociation;
import software.amazon.awssdk.services.eks.model.ResourceInUseException;
import software.amazon.awssdk.services.eks.model.ResourceNotFoundException;
import software.amazon.awssdk.services.eks.model.ThrottlingException;

/** The EKS emulator through the AWS SDK's own EKS client: DescribeCluster and Pod Identity association CRUD, as EKS answers them. */
class EksPodIdentityAssociationsIT {
  static final String CLUSTER = "prod";
  static final String CLUSTER_ARN = "arn:aws:eks:us-east-1:111122223333:cluster/prod";
  static final String ROLE = "arn:aws:iam::111122223333:role/pod-reader";
  static final String TARGET = "arn:aws:iam::444455556666:role/partner-reader";

  private final ClusterTokens tokens = new ClusterTokens("https://oidc.eks.us-east-1.amazonaws.com/id/PODIDENTITYEXAMPLE");
  private LocalAws aws;
  private EksClient eks;

  @BeforeEach
  void setUp() {
    aws = new LocalAws();
    aws.world().eksCluster(CLUSTER, CLUSTER_ARN, tokens);
    eks = EksClient.builder().region(Region.US_EAST_1).endpointOverride(aws.eksEndpoint()).credentialsProvider(aws.operatorCredentials())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  @AfterEach
  void tearDown() {
    eks.close();
    aws.close();
  }

  private PodIdentityAssociation create(String namespace, String serviceAccount) {
    return eks.createPodIdentityAssociation(b -> b.clusterName(CLUSTER).namespace(namespace).serviceAccount(serviceAccount).roleArn(ROLE)).association();
  }

  @Test
  void shouldDescribeTheClusterWithItsIssuerAndStatus() {
    Cluster c = eks.describeCluster(b -> b.name(CLUSTER)).cluster();

    assertThat(c.name()).isEqualTo(CLUSTER);
    assertThat(c.arn()).isEqualTo(CLUSTER_ARN);
    assertThat(c.identity().oidc().issuer()).isEqualTo(tokens.issuer());
    assertThat(c.statusAsString()).isEqualTo("ACTIVE");
    assertThat(aws.eksCalls()).containsExactly("eks:DescribeCluster");
  }

  @Test
  void shouldAnswerResourceNotFoundForAnUnknownCluster() {
    assertThatThrownBy(() -> eks.describeCluster(b -> b.name("staging")))
        .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404))
        .hasMessageContaining("No cluster found for name: staging.");
    assertThatThrownBy(() -> eks.listPodIdentityAssociations(b -> b.clusterName("staging"))).isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void shouldCreateAnAssociationWithEksIdsArnsTagsAndTargetRole() {
    PodIdentityAssociation a = eks.createPodIdentityAssociation(b -> b.clusterName(CLUSTER).namespace("team").serviceAccount("app").roleArn(ROLE)
        .targetRoleArn(TARGET).disableSessionTags(true).tags(Map.of("owner", "ml"))).association();

    assertThat(a.associationId()).matches("a-[a-z0-9]{17}");
    assertThat(a.associationArn()).isEqualTo("arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/" + a.associationId());
    assertThat(a.clusterName()).isEqualTo(CLUSTER);
    assertThat(a.namespace()).isEqualTo("team");
    assertThat(a.serviceAccount()).isEqualTo("app");
    assertThat(a.roleArn()).isEqualTo(ROLE);
    assertThat(a.targetRoleArn()).isEqualTo(TARGET);
    assertThat(a.externalId()).isNotBlank();
    assertThat(a.disableSessionTags()).isTrue();
    assertThat(a.tags()).containsExactly(Map.entry("owner", "ml"));
    assertThat(a.createdAt()).isNotNull();
    assertThat(aws.world().podIdentityAssociations()).singleElement().satisfies(w -> {
      assertThat(w.associationId()).isEqualTo(a.associationId());
      assertThat(w.targetRoleArn()).isEqualTo(TARGET);
      assertThat(w.tags()).containsEntry("owner", "ml");
    });
  }

  @Test
  void shouldRefuseASecondAssociationOfTheSameServiceAccountWithResourceInUse() {
    PodIdentityAssociation first = create("team", "app");

    assertThatThrownBy(() -> create("team", "app"))
        .isInstanceOfSatisfying(ResourceInUseException.class, e -> assertThat(e.statusCode()).isEqualTo(409))
        .hasMessageContaining(first.associationId());
    assertThat(aws.world().podIdentityAssociations()).hasSize(1);
  }

  @Test
  void shouldRefuseBadParametersWithInvalidParameter() {
    assertThatThrownBy(() -> eks.createPodIdentityAssociation(b -> b.clusterName(CLUSTER).namespace("team").serviceAccount("app").roleArn("not-an-arn")))
        .isInstanceOfSatisfying(InvalidParameterException.class, e -> assertThat(e.statusCode()).isEqualTo(400));
    assertThatThrownBy(() -> eks.createPodIdentityAssociation(b -> b.clusterName(CLUSTER).namespace("team").roleArn(ROLE)))
        .isInstanceOf(InvalidParameterException.class).hasMessageContaining("serviceAccount");
    assertThatThrownBy(() -> eks.createPodIdentityAssociation(b -> b.clusterName(CLUSTER).namespace("team").serviceAccount("app")
        .roleArn("arn:aws:iam::999999999999:role/elsewhere"))).isInstanceOf(InvalidParameterException.class).hasMessageContaining("cluster's account");
    assertThat(aws.world().podIdentityAssociations()).isEmpty();
  }

  @Test
  void shouldDescribeUpdateAndDeleteByAssociationId() {
    String id = create("team", "app").associationId();

    assertThat(eks.describePodIdentityAssociation(b -> b.clusterName(CLUSTER).associationId(id)).association().roleArn()).isEqualTo(ROLE);
    PodIdentityAssociation updated = eks.updatePodIdentityAssociation(b -> b.clusterName(CLUSTER).associationId(id)
        .roleArn("arn:aws:iam::111122223333:role/other").targetRoleArn(TARGET)).association();
    assertThat(updated.roleArn()).isEqualTo("arn:aws:iam::111122223333:role/other");
    assertThat(updated.targetRoleArn()).isEqualTo(TARGET);
    assertThat(aws.world().podIdentityAssociations().get(0).roleArn()).isEqualTo("arn:aws:iam::111122223333:role/other");

    PodIdentityAssociation deleted = eks.deletePodIdentityAssociation(b -> b.clusterName(CLUSTER).associationId(id)).association();
    assertThat(deleted.associationId()).isEqualTo(id);
    assertThat(aws.world().podIdentityAssociations()).isEmpty();
    assertThatThrownBy(() -> eks.describePodIdentityAssociation(b -> b.clusterName(CLUSTER).associationId(id)))
        .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    assertThatThrownBy(() -> eks.deletePodIdentityAssociation(b -> b.clusterName(CLUSTER).associationId(id))).isInstanceOf(ResourceNotFoundException.class);
    assertThat(aws.eksCalls()).containsExactly("eks:CreatePodIdentityAssociation", "eks:DescribePodIdentityAssociation",
        "eks:UpdatePodIdentityAssociation", "eks:DeletePodIdentityAssociation", "eks:DescribePodIdentityAssociation", "eks:DeletePodIdentityAssociation");
  }

  @Test
  void shouldRefuseAnUpdateThatChangesNothing() {
    String id = create("team", "app").associationId();

    assertThatThrownBy(() -> eks.updatePodIdentityAssociation(b -> b.clusterName(CLUSTER).associationId(id))).isInstanceOf(InvalidParameterException.class);
  }

  @Test
  void shouldListByNamespaceAndServiceAccountPageByPage() {
    create("team", "a");
    create("team", "b");
    create("team", "c");
    create("other", "a");

    assertThat(eks.listPodIdentityAssociations(b -> b.clusterName(CLUSTER).namespace("team").serviceAccount("b")).associations())
        .singleElement().satisfies(s -> assertThat(s.serviceAccount()).isEqualTo("b"));
    ListPodIdentityAssociationsResponse page = eks.listPodIdentityAssociations(b -> b.clusterName(CLUSTER).namespace("team").maxResults(2));
    assertThat(page.associations()).extracting(s -> s.serviceAccount()).containsExactly("a", "b");
    assertThat(page.nextToken()).isNotNull();
    ListPodIdentityAssociationsResponse next = eks.listPodIdentityAssociations(b -> b.clusterName(CLUSTER).namespace("team").maxResults(2)
        .nextToken(page.nextToken()));
    assertThat(next.associations()).extracting(s -> s.serviceAccount()).containsExactly("c");
    assertThat(next.nextToken()).isNull();
    List<String> all = eks.listPodIdentityAssociationsPaginator(b -> b.clusterName(CLUSTER).maxResults(1)).associations().stream()
        .map(s -> s.namespace() + "/" + s.serviceAccount()).toList();
    assertThat(all).containsExactly("team/a", "team/b", "team/c", "other/a");
  }

  @Test
  void shouldAnswerAccessDeniedToAnActionTheWorldDenies() {
    aws.world().denyEks("CreatePodIdentityAssociation");

    assertThatThrownBy(() -> create("team", "app"))
        .isInstanceOfSatisfying(AccessDeniedException.class, e -> assertThat(e.statusCode()).isEqualTo(403))
        .hasMessageContaining("eks:CreatePodIdentityAssociation");
    assertThat(eks.listPodIdentityAssociations(b -> b.clusterName(CLUSTER)).associations()).isEmpty();
  }

  @Test
  void shouldRefuseACallSignedWithAWrongSecret() {
    try (EksClient forged = EksClient.builder().region(Region.US_EAST_1).endpointOverride(aws.eksEndpoint())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
            aws.operatorCredentials().resolveCredentials().accessKeyId(), "not-the-secret")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
      assertThatThrownBy(() -> forged.describeCluster(b -> b.name(CLUSTER)))
          .isInstanceOfSatisfying(AwsServiceException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
          });
    }
  }

  @Test
  void shouldRefuseAnUnknownAccessKey() {
    try (EksClient stranger = EksClient.builder().region(Region.US_EAST_1).endpointOverride(aws.eksEndpoint())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIASTRANGER00000000", "secret")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
      assertThatThrownBy(() -> stranger.listPodIdentityAssociations(b -> b.clusterName(CLUSTER)))
          .isInstanceOfSatisfying(AwsServiceException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
          });
    }
  }

  @Test
  void shouldFailAsStagedWithThrottling() {
    aws.world().failNext("eks", "CreatePodIdentityAssociation", 1, 429, "ThrottlingException");

    assertThatThrownBy(() -> create("team", "app"))
        .isInstanceOfSatisfying(ThrottlingException.class, e -> assertThat(e.statusCode()).isEqualTo(429));
    assertThat(create("team", "app").associationId()).startsWith("a-");
    assertThat(aws.eksCalls()).containsExactly("eks:CreatePodIdentityAssociation", "eks:CreatePodIdentityAssociation");
  }

  @Test
  void shouldDeclareAssociationsFromJavaAsEksWouldHoldThem() {
    aws.world().podIdentityAssociation(CLUSTER, "team", "app", ROLE);

    assertThat(eks.listPodIdentityAssociations(b -> b.clusterName(CLUSTER)).associations()).singleElement()
        .satisfies(s -> assertThat(s.associationArn()).endsWith("/prod/" + s.associationId()));
    assertThatThrownBy(() -> aws.world().podIdentityAssociation(CLUSTER, "team", "app", ROLE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> aws.world().podIdentityAssociation("nope", "team", "x", ROLE)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldAnswerARetriedCreateWithItsIdempotencyTokenWithTheSameAssociation() {
    PodIdentityAssociation first = eks.createPodIdentityAssociation(b -> b.clusterName(CLUSTER).namespace("team").serviceAccount("app").roleArn(ROLE)
        .clientRequestToken("token-1")).association();
    PodIdentityAssociation retried = eks.createPodIdentityAssociation(b -> b.clusterName(CLUSTER).namespace("team").serviceAccount("app").roleArn(ROLE)
        .clientRequestToken("token-1")).association();

    assertThat(retried.associationId()).isEqualTo(first.associationId());
    assertThat(aws.world().podIdentityAssociations()).hasSize(1);
    assertThatThrownBy(() -> eks.createPodIdentityAssociation(b -> b.clusterName(CLUSTER).namespace("team").serviceAccount("other").roleArn(ROLE)
        .clientRequestToken("token-1"))).isInstanceOfSatisfying(AwsServiceException.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidRequestException"));
    assertThatThrownBy(() -> eks.createPodIdentityAssociation(b -> b.clusterName(CLUSTER).namespace("team").serviceAccount("app").roleArn(ROLE)
        .clientRequestToken("token-2"))).isInstanceOf(ResourceInUseException.class);
  }
}
