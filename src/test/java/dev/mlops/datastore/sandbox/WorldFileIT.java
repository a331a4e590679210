package dev.mlops.datastore.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.datastore.sandbox.aws.ClusterTokens;
import dev.mlops.datastore.sandbox.aws.LocalAws;
import dev.mlops.datastore.sandbox.kube.EmbeddedKubernetes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/** What a world file stages, seen through the SDK's clients; and its one-line errors. */
class WorldFileIT {
  private static final String USER = "arn:aws:iam::111122223333:user/reader";
  private static final String PARTNER = "arn:aws:iam::444455556666:user/partner";
  private static final String BASE = """
      oidcProviders:
        - {account: "111122223333"}
      roles:
        - arn: arn:aws:iam::111122223333:role/app
          trustPolicy: '{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},"Action":"sts:AssumeRoleWithWebIdentity"}]}'
      users:
        - {arn: "arn:aws:iam::111122223333:user/reader", accessKeyId: AKIAWORLDFILEREADER1, secretAccessKey: reader-secret,
           grants: [{bucket: shared, actions: ["s3:*"]}, {bucket: own, actions: ["s3:*"]}]}
        - {arn: "arn:aws:iam::444455556666:user/partner", accessKeyId: AKIAWORLDFILEPARTNER, secretAccessKey: partner-secret,
           grants: [{bucket: shared, actions: ["s3:*"]}]}
      """;

  @TempDir Path dir;
  private final SceneClock clock = new SceneClock();
  private final ClusterTokens tokens = new ClusterTokens(EmbeddedKubernetes.ISSUER).clock(clock);
  private LocalAws aws;

  @BeforeAll
  static void forwardHostHeader() {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  @AfterEach
  void tearDown() {
    if (aws != null) {
      aws.close();
    }
  }

  private void load(String yaml) throws Exception {
    Path file = dir.resolve("world.yaml");
    Files.writeString(file, BASE + yaml);
    aws = new LocalAws();
    aws.world().clock(clock);
    WorldFile.read(file).load(aws, tokens.publicKey());
  }

  private String problem(String yaml) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, BASE + yaml);
    try (LocalAws local = new LocalAws()) {
      WorldFile.read(file).load(local, tokens.publicKey());
    } catch (WorldFile.Invalid e) {
      assertThat(e.getMessage()).startsWith(file + ": ").doesNotContain("\n");
      return e.getMessage().substring(file.toString().length() + 2);
    }
    throw new AssertionError("the world loaded");
  }

  private StsClient sts(String key, String secret) {
    return StsClient.builder().region(Region.US_EAST_1).endpointOverride(aws.iamSts().endpoint())
        .credentialsProvider(key == null ? AnonymousCredentialsProvider.create() : StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  private S3Client s3(String key, String secret) {
    return S3Client.builder().region(Region.US_EAST_1).endpointOverride(aws.s3().endpoint()).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  private static String code(Runnable call) {
    try {
      call.run();
    } catch (AwsServiceException e) {
      return e.statusCode() + " " + e.awsErrorDetails().errorCode();
    }
    return "200";
  }

  @Test
  void shouldStageCountedAndWindowedFaults() throws Exception {
    load("""
        buckets:
          - {name: own, owner: "111122223333", objects: [{key: a.csv, content: "id\\n1\\n"}]}
        faults:
          - {service: sts, operation: GetCallerIdentity, times: 2, status: 400, code: Throttling}
          - {service: s3, window: {from: 0s, to: 5m}, status: 503, code: SlowDown}
        """);
    try (StsClient sts = sts("AKIAWORLDFILEREADER1", "reader-secret"); S3Client s3 = s3("AKIAWORLDFILEREADER1", "reader-secret")) {
      assertThat(code(sts::getCallerIdentity)).isEqualTo("400 Throttling");
      assertThat(code(sts::getCallerIdentity)).isEqualTo("400 Throttling");
      assertThat(code(sts::getCallerIdentity)).isEqualTo("200");
      assertThat(code(() -> s3.getObjectAsBytes(b -> b.bucket("own").key("a.csv")))).isEqualTo("503 SlowDown");
      clock.advance(Duration.ofMinutes(5));
      assertThat(code(() -> s3.getObjectAsBytes(b -> b.bucket("own").key("a.csv")))).isEqualTo("200");
    }
  }

  @Test
  void shouldShortenSessionsAndDenyIamReads() throws Exception {
    load("""
        sts: {sessionLifetime: 2m}
        iam: {deny: [GetRole]}
        """);
    try (StsClient sts = sts(null, null)) {
      String token = tokens.mint("team", "app", "sts.amazonaws.com", clock.instant().plus(Duration.ofHours(1)));
      var credentials = sts.assumeRoleWithWebIdentity(b -> b.roleArn("arn:aws:iam::111122223333:role/app").roleSessionName("s").webIdentityToken(token))
          .credentials();
      assertThat(credentials.expiration()).isBefore(clock.instant().plus(Duration.ofMinutes(3)));
    }
    try (IamClient iam = IamClient.builder().region(Region.AWS_GLOBAL).endpointOverride(aws.iamSts().endpoint())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAOPERATOR00000000", "x")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
      assertThat(code(() -> iam.getRole(b -> b.roleName("app")))).isEqualTo("403 AccessDenied");
      assertThat(code(() -> iam.listAttachedRolePolicies(b -> b.roleName("app")))).isEqualTo("200");
    }
  }

  @Test
  void shouldEnforceABucketPolicysDenyOnThePrincipalAccount() throws Exception {
    load("""
        buckets:
          - name: shared
            owner: "444455556666"
            policy: |
              {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::shared", "arn:aws:s3:::shared/*"],
                              "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "444455556666"}}}]}
            objects: [{key: a.csv, content: "id\\n1\\n"}]
        """);
    try (S3Client mine = s3("AKIAWORLDFILEREADER1", "reader-secret"); S3Client partner = s3("AKIAWORLDFILEPARTNER", "partner-secret")) {
      assertThat(code(() -> mine.getObjectAsBytes(b -> b.bucket("shared").key("a.csv")))).isEqualTo("403 AccessDenied");
      assertThat(code(() -> mine.listObjectsV2(b -> b.bucket("shared")))).isEqualTo("403 AccessDenied");
      assertThat(code(() -> partner.getObjectAsBytes(b -> b.bucket("shared").key("a.csv")))).isEqualTo("200");
    }
    assertThat(aws.s3().calls()).extracting(c -> c.principal() + " " + c.status()).containsExactly(USER + " 403", USER + " 403", PARTNER + " 200");
  }

  @Test
  void shouldEncryptOnlyTheObjectsUnderTheKmsPrefixes() throws Exception {
    load("""
        buckets:
          - name: own
            owner: "111122223333"
            kmsKey: arn:aws:kms:us-east-1:111122223333:key/k1
            kmsPrefixes: [secure/]
            objects: [{key: secure/a.csv, content: "id\\n1\\n"}, {key: open/a.csv, content: "id\\n1\\n"}]
        """);
    try (S3Client s3 = s3("AKIAWORLDFILEREADER1", "reader-secret")) {
      assertThat(code(() -> s3.getObjectAsBytes(b -> b.bucket("own").key("secure/a.csv")))).isEqualTo("403 AccessDenied");
      assertThat(s3.headObject(b -> b.bucket("own").key("secure/a.csv")).ssekmsKeyId()).isEqualTo("arn:aws:kms:us-east-1:111122223333:key/k1");
      assertThat(s3.getObjectAsBytes(b -> b.bucket("own").key("open/a.csv")).response().serverSideEncryption()).isNull();
    }
  }

  @Test
  void shouldNameTheFieldOfEveryBadFaultOrServiceSetting() throws Exception {
    assertThat(problem("faults: [{service: ec2, times: 1, status: 503, code: SlowDown}]")).isEqualTo("faults[0].service: 'ec2' is not sts, iam, s3, eks or eks-auth");
    assertThat(problem("faults: [{service: s3, status: 503, code: SlowDown}]")).startsWith("faults[0]: needs times").endsWith("not neither");
    assertThat(problem("faults: [{service: s3, times: 1, window: {from: 0s, to: 1m}, status: 503, code: SlowDown}]")).endsWith("not both");
    assertThat(problem("faults: [{service: s3, times: 1, status: 200, code: SlowDown}]")).startsWith("faults[0].status: ");
    assertThat(problem("faults: [{service: s3, times: 0, status: 503, code: SlowDown}]")).startsWith("faults[0].times: ");
    assertThat(problem("faults: [{service: s3, times: 1}]")).startsWith("faults[0]: needs status and code");
    assertThat(problem("faults: [{service: s3, window: {from: 5m, to: 1m}, delay: 1s}]")).isEqualTo("faults[0].window: from must come before to");
    assertThat(problem("faults: [{service: s3, times: 1, delay: soon}]")).startsWith("faults[0].delay: 'soon' is not a duration");
    assertThat(problem("faults: [{service: s3, times: 1, status: 503, code: SlowDown, often: true}]")).startsWith("faults[0].often: unknown field");
    assertThat(problem("sts: {sessionLifetime: 0s}")).startsWith("sts.sessionLifetime: must be more than 0s");
    assertThat(problem("sts: {lifetime: 1m}")).startsWith("sts.lifetime: unknown field");
    assertThat(problem("iam: {deny: [PutRole]}")).startsWith("iam.deny: 'PutRole' is not an IAM read");
    assertThat(problem("""
        buckets:
          - {name: own, owner: "111122223333", policy: '{"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "x"}, "Action": "s3:*", "Resource": "*"}]}'}
        """)).startsWith("buckets[0].policy: Statement[0].NotPrincipal is not supported");
    assertThat(problem("""
        buckets:
          - {name: own, owner: "111122223333", policy: '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}'}
        """)).startsWith("buckets[0].policy: Statement[0].Condition.Bool is not supported");
    assertThat(problem("buckets: [{name: own, owner: \"111122223333\", kmsPrefixes: [a/]}]")).startsWith("buckets[0].kmsKey: is required");
  }

  private static final String EKS = """
      eks:
        clusters: [{name: sandbox, arn: "arn:aws:eks:us-east-1:111122223333:cluster/sandbox"}]
      """;

  @Test
  void shouldDeclareEksClustersAndPodIdentityAssociationsAsEksHoldsThem() throws Exception {
    load(EKS + """
          podIdentityAssociations:
            - {cluster: sandbox, namespace: rime, serviceAccount: app, roleArn: "arn:aws:iam::111122223333:role/app"}
            - {cluster: sandbox, namespace: rime, serviceAccount: partner, roleArn: "arn:aws:iam::111122223333:role/app",
               targetRoleArn: "arn:aws:iam::444455556666:role/partner", disableSessionTags: true, tags: {team: ml}}
          deny: [DeletePodIdentityAssociation]
        faults:
          - {service: eks-auth, times: 1, status: 429, code: ThrottlingException}
        """);
    try (EksClient eks = EksClient.builder().region(Region.US_EAST_1).endpointOverride(aws.eksEndpoint()).credentialsProvider(aws.operatorCredentials())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
      assertThat(eks.describeCluster(b -> b.name("sandbox")).cluster().identity().oidc().issuer()).isEqualTo(EmbeddedKubernetes.ISSUER);
      assertThat(eks.listPodIdentityAssociations(b -> b.clusterName("sandbox")).associations()).extracting(a -> a.serviceAccount())
          .containsExactly("app", "partner");
      String id = aws.world().podIdentityAssociations().get(1).associationId();
      var partner = eks.describePodIdentityAssociation(b -> b.clusterName("sandbox").associationId(id)).association();
      assertThat(partner.targetRoleArn()).isEqualTo("arn:aws:iam::444455556666:role/partner");
      assertThat(partner.disableSessionTags()).isTrue();
      assertThat(partner.tags()).containsEntry("team", "ml");
      assertThat(code(() -> eks.deletePodIdentityAssociation(b -> b.clusterName("sandbox").associationId(id)))).isEqualTo("403 AccessDeniedException");
    }
  }

  @Test
  void shouldNameTheFieldOfEveryBadEksSetting() throws Exception {
    assertThat(problem("eks: {clusters: [{name: sandbox, arn: \"arn:aws:eks:us-east-1:111122223333:cluster/other\"}]}"))
        .startsWith("eks.clusters[0].arn: 'arn:aws:eks:us-east-1:111122223333:cluster/other' is not the ARN of cluster sandbox");
    assertThat(problem("eks: {clusters: [{name: sandbox, version: 1.33}]}")).startsWith("eks.clusters[0].version: unknown field");
    assertThat(problem("eks: {podIdentityAssociations: [{cluster: sandbox, namespace: rime, serviceAccount: app, roleArn: \"arn:aws:iam::111122223333:role/app\"}]}"))
        .isEqualTo("eks.podIdentityAssociations[0].cluster: 'sandbox' is not one of eks.clusters (none declared)");
    assertThat(problem(EKS + "  podIdentityAssociations: [{cluster: sandbox, namespace: rime, serviceAccount: app, roleArn: app}]"))
        .isEqualTo("eks.podIdentityAssociations[0].roleArn: 'app' is not an IAM role ARN");
    assertThat(problem(EKS + "  podIdentityAssociations: [{cluster: sandbox, namespace: rime, serviceAccount: app}]"))
        .isEqualTo("eks.podIdentityAssociations[0].roleArn: is required (an IAM role ARN)");
    assertThat(problem(EKS + "  podIdentityAssociations: [{cluster: sandbox, namespace: rime, serviceAccount: app, roleArn: \"arn:aws:iam::444455556666:role/x\"}]"))
        .startsWith("eks.podIdentityAssociations[0].roleArn: must be a role of the cluster's account 111122223333");
    assertThat(problem(EKS + "  podIdentityAssociations: [{cluster: sandbox, namespace: Rime, serviceAccount: app, roleArn: \"arn:aws:iam::111122223333:role/x\"}]"))
        .isEqualTo("eks.podIdentityAssociations[0].namespace: 'Rime' is not a Kubernetes namespace name");
    assertThat(problem(EKS + "  podIdentityAssociations: [{cluster: sandbox, namespace: rime, serviceAccount: app, roleArn: \"arn:aws:iam::111122223333:role/x\","
        + " disableSessionTags: yes please}]")).isEqualTo("eks.podIdentityAssociations[0].disableSessionTags: must be true or false");
    assertThat(problem(EKS + "  podIdentityAssociations: [{cluster: sandbox, namespace: rime, serviceAccount: app, roleArn: \"arn:aws:iam::111122223333:role/x\"},"
        + " {cluster: sandbox, namespace: rime, serviceAccount: app, roleArn: \"arn:aws:iam::111122223333:role/y\"}]"))
        .isEqualTo("eks.podIdentityAssociations[1]: service account rime/app of cluster sandbox already has an association");
    assertThat(problem(EKS + "  podIdentityAssociations: [{cluster: sandbox, namespace: rime, serviceAccount: app, role: x}]"))
        .startsWith("eks.podIdentityAssociations[0].role: unknown field");
    assertThat(problem("eks: {deny: [CreateCluster]}")).startsWith("eks.deny: 'CreateCluster' is not an EKS or EKS Auth call the sandbox answers");
    assertThat(problem("eks: {clusters: sandbox}")).isEqualTo("eks.clusters: must be a list");
  }

  @Test
  void shouldGiveTheDefaultScenesPodIdentityServiceAccountCredentialsForItsBucket() throws Exception {
    aws = new LocalAws();
    aws.world().clock(clock);
    WorldFile.read(Path.of("deploy/examples/local/world.yaml")).load(aws, tokens.publicKey());
    String token = tokens.mint("rime", "rime-pod-reader", "pods.eks.amazonaws.com", clock.instant().plus(Duration.ofHours(1)));

    var answer = dev.mlops.datastore.sandbox.aws.EksAuthCall.assume(aws.eksAuthEndpoint(), aws.operatorCredentials().resolveCredentials(),
        "eks-auth", "sandbox", token);

    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    var c = answer.body().path("credentials");
    try (S3Client s3 = S3Client.builder().region(Region.US_EAST_1).endpointOverride(aws.s3().endpoint()).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(
            c.path("accessKeyId").asText(), c.path("secretAccessKey").asText(), c.path("sessionToken").asText())))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
      assertThat(s3.listObjectsV2(b -> b.bucket("rime-data").prefix("data/")).contents()).isNotEmpty();
      assertThat(code(() -> s3.listObjectsV2(b -> b.bucket("datarobot-data")))).isEqualTo("403 AccessDenied");
    }
    String other = tokens.mint("rime", "partner-reader", "pods.eks.amazonaws.com", clock.instant().plus(Duration.ofHours(1)));
    assertThat(dev.mlops.datastore.sandbox.aws.EksAuthCall.assume(aws.eksAuthEndpoint(), aws.operatorCredentials().resolveCredentials(),
        "eks-auth", "sandbox", other).errorType()).isEqualTo("ResourceNotFoundException");
  }
}
