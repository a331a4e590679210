package dev.mlops.datastore.sandbox.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.sandbox.SceneClock;
import dev.mlops.datastore.sandbox.aws.EksAuthCall.Answer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * AssumeRoleForPodIdentity, signed as the Pod Identity Agent signs it: the token checked as EKS
 * does, the association found, the role's trust policy (and a target role's) decided by the
 * sandbox's own reading, and the credentials good for S3 as the role.
 */
class EksAuthPodIdentityIT {
  private static final String CLUSTER = "prod";
  private static final String CLUSTER_ARN = "arn:aws:eks:us-east-1:111122223333:cluster/prod";
  private static final String ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/PODIDENTITYEXAMPLE";
  private static final String ROLE = "arn:aws:iam::111122223333:role/pod-reader";
  private static final String TARGET = "arn:aws:iam::444455556666:role/partner-reader";
  private static final String BUCKET = "pod-data";

  private final SceneClock clock = new SceneClock();
  private final ClusterTokens tokens = new ClusterTokens(ISSUER).clock(clock);
  private LocalAws aws;

  @BeforeEach
  void setUp() {
    aws = new LocalAws();
    aws.world().clock(clock).eksCluster(CLUSTER, CLUSTER_ARN, tokens);
    aws.bucket(BUCKET, "111122223333", "us-east-1");
    aws.s3().putObject(BUCKET, "shared/a.csv", "x,y\n1,2\n".getBytes(StandardCharsets.UTF_8));
    aws.s3().putObject(BUCKET, "private/b.csv", "x\n".getBytes(StandardCharsets.UTF_8));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private static String policy(String actions, String condition) {
    return "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"pods.eks.amazonaws.com\"},"
        + " \"Action\": " + actions + (condition == null ? "" : ", \"Condition\": " + condition) + "}]}";
  }

  private static final String BOTH = "[\"sts:AssumeRole\", \"sts:TagSession\"]";

  private String token(String namespace, String serviceAccount) {
    return tokens.mint(namespace, serviceAccount, EksEmulator.AUDIENCE, clock.instant().plus(Duration.ofHours(1)), "app-7d9f-x2", "uid-1234");
  }

  private Answer assume(String token) {
    return EksAuthCall.assume(aws.eksAuthEndpoint(), aws.operatorCredentials().resolveCredentials(), "eks-auth", CLUSTER, token);
  }

  private static AwsCredentials credentials(Answer a) {
    JsonCredentials c = new JsonCredentials(a);
    return AwsSessionCredentials.create(c.key, c.secret, c.token);
  }

  private record JsonCredentials(String key, String secret, String token) {
    JsonCredentials(Answer a) {
      this(a.body().path("credentials").path("accessKeyId").asText(), a.body().path("credentials").path("secretAccessKey").asText(),
          a.body().path("credentials").path("sessionToken").asText());
    }
  }

  private S3Client s3(AwsCredentials credentials) {
    return S3Client.builder().region(Region.US_EAST_1).endpointOverride(aws.s3().endpoint()).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED).responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .build();
  }

  private static void assertDenied(Answer a) {
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.errorType()).isEqualTo("AccessDeniedException");
    assertThat(a.body().has("credentials")).isFalse();
  }

  @Test
  void shouldIssueCredentialsThatS3AuthorizesAsTheRole() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, null)).grant(ROLE, BUCKET, "shared/", "s3:GetObject");
    String id = aws.world().podIdentityAssociation(CLUSTER, "team", "app", ROLE).podIdentityAssociations().get(0).associationId();

    Answer a = assume(token("team", "app"));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().path("subject").path("namespace").asText()).isEqualTo("team");
    assertThat(a.body().path("subject").path("serviceAccount").asText()).isEqualTo("app");
    assertThat(a.body().path("audience").asText()).isEqualTo("pods.eks.amazonaws.com");
    assertThat(a.body().path("podIdentityAssociation").path("associationId").asText()).isEqualTo(id);
    assertThat(a.body().path("podIdentityAssociation").path("associationArn").asText()).endsWith(":podidentityassociation/prod/" + id);
    assertThat(a.body().path("assumedRoleUser").path("arn").asText()).startsWith("arn:aws:sts::111122223333:assumed-role/pod-reader/eks-prod-app-7d9f-x2-");
    assertThat(a.body().path("assumedRoleUser").path("assumeRoleId").asText()).contains(":eks-prod-app-7d9f-x2-");
    assertThat(a.body().path("credentials").path("expiration").isNumber()).isTrue();
    assertThat(Instant.ofEpochSecond(a.body().path("credentials").path("expiration").asLong())).isAfter(clock.instant());
    try (S3Client s3 = s3(credentials(a))) {
      assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("shared/a.csv")).asUtf8String()).startsWith("x,y");
      assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("private/b.csv")))
          .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
    }
    // The front records a call once its answer is sent: the client may read it first.
    await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !aws.s3().calls().isEmpty());
    assertThat(aws.s3().calls()).first().satisfies(c -> assertThat(c.principal()).isEqualTo(ROLE));
    assertThat(aws.eksCalls()).containsExactly("eks-auth:AssumeRoleForPodIdentity");
    assertThat(aws.calls("s3")).containsExactly("GetObject", "GetObject");
    assertThat(aws.calls("sts")).isEmpty();
  }

  @Test
  void shouldRefuseATokenForAnotherAudience() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, null)).podIdentityAssociation(CLUSTER, "team", "app", ROLE);

    Answer a = assume(tokens.mint("team", "app", "sts.amazonaws.com", clock.instant().plus(Duration.ofHours(1))));

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.errorType()).isEqualTo("InvalidTokenException");
  }

  @Test
  void shouldRefuseAnExpiredTokenByTheWorldsClock() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, null)).podIdentityAssociation(CLUSTER, "team", "app", ROLE);
    String token = tokens.mint("team", "app", EksEmulator.AUDIENCE, clock.instant().plus(Duration.ofMinutes(10)));
    assertThat(assume(token).status()).isEqualTo(200);

    clock.advance(Duration.ofMinutes(11));

    Answer a = assume(token);
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.errorType()).isEqualTo("ExpiredTokenException");
  }

  @Test
  void shouldRefuseATokenSignedByAnotherKeyOrIssuer() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, null)).podIdentityAssociation(CLUSTER, "team", "app", ROLE);
    ClusterTokens sameIssuerOtherKey = new ClusterTokens(ISSUER).clock(clock);
    ClusterTokens otherIssuer = new ClusterTokens("https://oidc.eks.us-east-1.amazonaws.com/id/OTHER").clock(clock);

    for (ClusterTokens signer : new ClusterTokens[] {sameIssuerOtherKey, otherIssuer}) {
      Answer a = assume(signer.mint("team", "app", EksEmulator.AUDIENCE, clock.instant().plus(Duration.ofHours(1))));
      assertThat(a.status()).isEqualTo(400);
      assertThat(a.errorType()).isEqualTo("InvalidTokenException");
    }
  }

  @Test
  void shouldAnswerResourceNotFoundWithoutAnAssociationOrCluster() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, null)).podIdentityAssociation(CLUSTER, "team", "app", ROLE);

    Answer none = assume(token("team", "other"));
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.errorType()).isEqualTo("ResourceNotFoundException");
    Answer noCluster = EksAuthCall.assume(aws.eksAuthEndpoint(), aws.operatorCredentials().resolveCredentials(), "eks-auth", "staging", token("team", "app"));
    assertThat(noCluster.status()).isEqualTo(404);
    assertThat(noCluster.errorType()).isEqualTo("ResourceNotFoundException");
  }

  @Test
  void shouldAdmitOnlyWhenTheSessionTagConditionsHold() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, "{\"StringEquals\": {\"aws:RequestTag/kubernetes-namespace\": \"team\","
        + " \"aws:RequestTag/eks-cluster-arn\": \"" + CLUSTER_ARN + "\"}, \"StringLike\": {\"aws:RequestTag/kubernetes-service-account\": \"app-*\"}}"));
    aws.world().podIdentityAssociation(CLUSTER, "team", "app-reader", ROLE).podIdentityAssociation(CLUSTER, "team", "tool", ROLE)
        .podIdentityAssociation(CLUSTER, "other", "app-reader", ROLE);

    assertThat(assume(token("team", "app-reader")).status()).isEqualTo(200);
    assertDenied(assume(token("team", "tool")));
    assertDenied(assume(token("other", "app-reader")));
  }

  @Test
  void shouldPassThePodNameAndUidAsSessionTags() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, "{\"StringEquals\": {\"aws:RequestTag/kubernetes-pod-name\": \"app-7d9f-x2\","
        + " \"aws:RequestTag/kubernetes-pod-uid\": \"uid-1234\", \"aws:RequestTag/eks-cluster-name\": \"prod\"}}"));
    aws.world().podIdentityAssociation(CLUSTER, "team", "app", ROLE);

    assertThat(assume(token("team", "app")).status()).isEqualTo(200);
    assertDenied(assume(tokens.mint("team", "app", EksEmulator.AUDIENCE, clock.instant().plus(Duration.ofHours(1)), "other-pod", "uid-1234")));
  }

  @Test
  void shouldDecideOnSourceAccountAndSourceArn() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, "{\"StringEquals\": {\"aws:SourceAccount\": \"111122223333\"},"
        + " \"ArnLike\": {\"aws:SourceArn\": \"arn:aws:eks:us-east-1:111122223333:cluster/prod\"}}"));
    aws.world().eksCluster("dev", "arn:aws:eks:us-east-1:111122223333:cluster/dev", tokens)
        .podIdentityAssociation(CLUSTER, "team", "app", ROLE).podIdentityAssociation("dev", "team", "app", ROLE);

    assertThat(assume(token("team", "app")).status()).isEqualTo(200);
    assertDenied(EksAuthCall.assume(aws.eksAuthEndpoint(), aws.operatorCredentials().resolveCredentials(), "eks-auth", "dev", token("team", "app")));
  }

  @Test
  void shouldDenyWhenTheTrustPolicyAllowsAssumeRoleButNotTagSession() {
    aws.world().roleTrustedByPolicy(ROLE, policy("\"sts:AssumeRole\"", null)).podIdentityAssociation(CLUSTER, "team", "app", ROLE);

    Answer a = assume(token("team", "app"));

    assertDenied(a);
    assertThat(a.body().path("message").asText()).contains("sts:TagSession");
  }

  @Test
  void shouldAssumeWithAssumeRoleAloneWhenSessionTagsAreDisabled() {
    aws.world().roleTrustedByPolicy(ROLE, policy("\"sts:AssumeRole\"", null))
        .podIdentityAssociation(CLUSTER, "team", "app", ROLE, null, true, Map.of());

    assertThat(assume(token("team", "app")).status()).isEqualTo(200);
  }

  @Test
  void shouldFailTagConditionsWhenSessionTagsAreDisabled() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, "{\"StringEquals\": {\"aws:RequestTag/kubernetes-namespace\": \"team\"}}"))
        .podIdentityAssociation(CLUSTER, "team", "app", ROLE, null, true, Map.of());

    assertDenied(assume(token("team", "app")));
  }

  @Test
  void shouldDenyARoleThatTrustsAnotherPrincipalOrDoesNotExist() {
    aws.world().roleTrustedByPolicy(ROLE, "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
        + " \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, \"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"]}]}");
    aws.world().podIdentityAssociation(CLUSTER, "team", "app", ROLE).podIdentityAssociation(CLUSTER, "team", "ghost",
        "arn:aws:iam::111122223333:role/missing");

    assertDenied(assume(token("team", "app")));
    assertDenied(assume(token("team", "ghost")));
  }

  private String targetPolicy(String first, boolean tagSession, String externalId) {
    String condition = externalId == null ? "" : ", \"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"" + externalId + "\"}}";
    return "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"" + first + "\"},"
        + " \"Action\": \"sts:AssumeRole\"" + condition + "}"
        + (tagSession ? ", {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"" + first + "\"}, \"Action\": \"sts:TagSession\"}" : "") + "]}";
  }

  @Test
  void shouldChainToATargetRoleOfAnotherAccountThatTrustsTheFirstRole() {
    aws.bucket("partner-data", "444455556666", "us-east-1");
    aws.s3().putObject("partner-data", "exports/t.csv", "a\n".getBytes(StandardCharsets.UTF_8));
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, null)).grant(TARGET, "partner-data", "exports/", "s3:GetObject");
    aws.world().podIdentityAssociation(CLUSTER, "team", "app", ROLE, TARGET, false, Map.of());
    String externalId = aws.world().podIdentityAssociations().get(0).externalId();
    aws.world().roleTrustedByPolicy(TARGET, targetPolicy(ROLE, true, externalId));

    Answer a = assume(token("team", "app"));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().path("assumedRoleUser").path("arn").asText()).startsWith("arn:aws:sts::444455556666:assumed-role/partner-reader/");
    try (S3Client s3 = s3(credentials(a))) {
      assertThat(s3.getObjectAsBytes(b -> b.bucket("partner-data").key("exports/t.csv")).asUtf8String()).isEqualTo("a\n");
    }
    // The front records a call once its answer is sent: the client may read it first.
    await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !aws.s3().calls().isEmpty());
    assertThat(aws.s3().calls()).first().satisfies(c -> assertThat(c.principal()).isEqualTo(TARGET));
  }

  @Test
  void shouldDenyTheChainWhenTheTargetRoleDoesNotTrustTheFirstRoleAsAsked() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, null));
    aws.world().podIdentityAssociation(CLUSTER, "team", "app", ROLE, TARGET, false, Map.of());
    String externalId = aws.world().podIdentityAssociations().get(0).externalId();

    aws.world().roleTrustedByPolicy(TARGET, targetPolicy("arn:aws:iam::111122223333:role/someone-else", true, externalId));
    assertDenied(assume(token("team", "app")));
    aws.world().roleTrustedByPolicy(TARGET, targetPolicy(ROLE, false, externalId));
    assertThat(assume(token("team", "app")).body().path("message").asText()).contains("sts:TagSession");
    aws.world().roleTrustedByPolicy(TARGET, targetPolicy(ROLE, true, "another-external-id"));
    assertDenied(assume(token("team", "app")));
    aws.world().roleTrustedByPolicy(TARGET, targetPolicy("111122223333", true, externalId));
    assertThat(assume(token("team", "app")).status()).isEqualTo(200);
  }

  @Test
  void shouldRefuseUnsignedWronglySignedOrMisscopedCalls() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, null)).podIdentityAssociation(CLUSTER, "team", "app", ROLE);
    AwsCredentials operator = aws.operatorCredentials().resolveCredentials();

    Answer unsigned = EksAuthCall.unsigned(aws.eksAuthEndpoint(), CLUSTER, token("team", "app"));
    assertThat(unsigned.status()).isEqualTo(403);
    assertThat(unsigned.errorType()).isEqualTo("MissingAuthenticationTokenException");
    Answer wrongSecret = EksAuthCall.assume(aws.eksAuthEndpoint(), AwsBasicCredentials.create(operator.accessKeyId(), "nope"), "eks-auth", CLUSTER,
        token("team", "app"));
    assertThat(wrongSecret.errorType()).isEqualTo("InvalidSignatureException");
    Answer scopedToEks = EksAuthCall.assume(aws.eksAuthEndpoint(), operator, "eks", CLUSTER, token("team", "app"));
    assertThat(scopedToEks.status()).isEqualTo(403);
    assertThat(scopedToEks.errorType()).isEqualTo("InvalidSignatureException");
    assertThat(aws.world().sessions()).isEmpty();
  }

  @Test
  void shouldFailAsStaged() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, null)).podIdentityAssociation(CLUSTER, "team", "app", ROLE);
    aws.world().failNext("eks-auth", "AssumeRoleForPodIdentity", 1, 429, "ThrottlingException");

    Answer throttled = assume(token("team", "app"));
    assertThat(throttled.status()).isEqualTo(429);
    assertThat(throttled.errorType()).isEqualTo("ThrottlingException");
    assertThat(assume(token("team", "app")).status()).isEqualTo(200);
    assertThat(aws.eksCalls()).containsExactly("eks-auth:AssumeRoleForPodIdentity", "eks-auth:AssumeRoleForPodIdentity");
    assertThat(aws.calls("eks-auth")).containsExactly("AssumeRoleForPodIdentity", "AssumeRoleForPodIdentity");
    assertThat(aws.calls("eks")).isEmpty();
  }

  @Test
  void shouldVerifyTokensWithTheWorldsProviderKeyForAClusterDeclaredWithoutOne() {
    aws.world().provider("arn:aws:iam::111122223333:oidc-provider/" + ISSUER.substring(8), ISSUER, tokens.publicKey(), "sts.amazonaws.com")
        .eksCluster("bare", "arn:aws:eks:us-east-1:111122223333:cluster/bare")
        .roleTrustedByPolicy(ROLE, policy(BOTH, null)).podIdentityAssociation("bare", "team", "app", ROLE);

    Answer a = EksAuthCall.assume(aws.eksAuthEndpoint(), aws.operatorCredentials().resolveCredentials(), "eks-auth", "bare", token("team", "app"));

    assertThat(a.status()).isEqualTo(200);
  }

  @Test
  void shouldAnswerAccessDeniedWhenTheCallerMayNotCallEksAuth() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, null)).podIdentityAssociation(CLUSTER, "team", "app", ROLE).denyEks("AssumeRoleForPodIdentity");

    Answer a = assume(token("team", "app"));

    assertDenied(a);
    assertThat(a.body().path("message").asText()).contains("eks-auth:AssumeRoleForPodIdentity").contains(CLUSTER_ARN);
    assertThat(aws.world().sessions()).isEmpty();
  }

  @Test
  void shouldPassThePodOfATokenRequestBoundToIt() {
    aws.world().roleTrustedByPolicy(ROLE, policy(BOTH, "{\"StringEquals\": {\"aws:RequestTag/kubernetes-pod-name\": \"app-0\"}}"))
        .podIdentityAssociation(CLUSTER, "team", "app", ROLE);

    Answer unbound = assume(tokens.mint("team", "app", EksEmulator.AUDIENCE, clock.instant().plus(Duration.ofHours(1))));
    Answer bound = assume(tokens.mint("team", "app", EksEmulator.AUDIENCE, clock.instant().plus(Duration.ofHours(1)), "app-0", "u-0"));

    assertDenied(unbound);
    assertThat(bound.status()).isEqualTo(200);
    assertThat(bound.body().path("assumedRoleUser").path("arn").asText()).contains("/eks-prod-app-0-");
  }

  @Test
  void shouldLetARolesExplicitSubjectsOverrideItsTrustPolicy() {
    aws.world().role(ROLE, policy("\"sts:AssumeRole\"", null), java.util.List.of("system:serviceaccount:team:*"))
        .podIdentityAssociation(CLUSTER, "team", "app", ROLE).podIdentityAssociation(CLUSTER, "other", "app", ROLE);

    assertThat(assume(token("team", "app")).status()).isEqualTo(200);
    assertDenied(assume(token("other", "app")));
  }
}
