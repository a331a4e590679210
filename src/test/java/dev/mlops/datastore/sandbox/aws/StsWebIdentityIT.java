package dev.mlops.datastore.sandbox.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.sandbox.SceneClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/** AssumeRoleWithWebIdentity through the SDK, decided by the emulator's own reading of the trust policy and its clock. */
class StsWebIdentityIT {
  private static final String ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  private static final String HOST_PATH = ISSUER.substring("https://".length());
  private static final String PROVIDER = "arn:aws:iam::111122223333:oidc-provider/" + HOST_PATH;
  private static final String ROLE = "arn:aws:iam::111122223333:role/by-policy";

  private final SceneClock clock = new SceneClock();
  private final ClusterTokens tokens = new ClusterTokens(ISSUER).clock(clock);
  private LocalAws aws;
  private StsClient sts;

  @BeforeEach
  void setUp() {
    aws = new LocalAws();
    aws.world().clock(clock).provider(PROVIDER, ISSUER, tokens.publicKey(), "sts.amazonaws.com");
    sts = StsClient.builder().region(Region.US_EAST_1).endpointOverride(aws.iamSts().endpoint()).credentialsProvider(AnonymousCredentialsProvider.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  @AfterEach
  void tearDown() {
    sts.close();
    aws.close();
  }

  private String token(String namespace, String name) {
    return tokens.mint(namespace, name, "sts.amazonaws.com", clock.instant().plus(Duration.ofHours(1)));
  }

  private AwsServiceException assumeFails(String token) {
    try {
      sts.assumeRoleWithWebIdentity(b -> b.roleArn(ROLE).roleSessionName("s").webIdentityToken(token));
    } catch (AwsServiceException e) {
      return e;
    }
    throw new AssertionError("STS admitted the token");
  }

  private static String policy(String condition) {
    return "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"" + PROVIDER + "\"},"
        + " \"Action\": \"sts:AssumeRoleWithWebIdentity\", \"Condition\": " + condition.replace("ISSUER", HOST_PATH) + "}]}";
  }

  @Test
  void shouldAdmitWhatTheTrustPolicySaysAndNothingElse() {
    aws.world().roleTrustedByPolicy(ROLE, policy("{\"StringEquals\": {\"ISSUER:aud\": \"sts.amazonaws.com\", \"ISSUER:sub\": \"system:serviceaccount:team:app\"}}"));

    var admitted = sts.assumeRoleWithWebIdentity(b -> b.roleArn(ROLE).roleSessionName("s").webIdentityToken(token("team", "app")));
    assertThat(admitted.assumedRoleUser().arn()).isEqualTo("arn:aws:sts::111122223333:assumed-role/by-policy/s");

    AwsServiceException denied = assumeFails(token("team", "other"));
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
    assertThat(denied.awsErrorDetails().errorMessage()).isEqualTo("Not authorized to perform sts:AssumeRoleWithWebIdentity");
  }

  @Test
  void shouldSayWhyWhenItCannotReadThePolicy() {
    aws.world().roleTrustedByPolicy(ROLE, policy("{\"IpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}"));

    AwsServiceException denied = assumeFails(token("team", "app"));
    assertThat(denied.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
    assertThat(denied.awsErrorDetails().errorMessage()).contains("could not read the trust policy").contains("IpAddress");
  }

  @Test
  void shouldKeepExplicitSubjectsAsAnOverrideOfThePolicy() {
    aws.world().role(ROLE, policy("{\"StringEquals\": {\"ISSUER:sub\": \"system:serviceaccount:team:app\"}}"), java.util.List.of("system:serviceaccount:team:other"));

    assertThat(assumeFails(token("team", "app")).awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
    assertThat(sts.assumeRoleWithWebIdentity(b -> b.roleArn(ROLE).roleSessionName("s").webIdentityToken(token("team", "other"))).credentials()).isNotNull();
  }

  @Test
  void shouldJudgeTokenAndSessionExpiryByTheSharedClock() {
    aws.world().roleTrustedByPolicy(ROLE, policy("{\"StringLike\": {\"ISSUER:sub\": \"system:serviceaccount:team:*\"}}")).sessionLifetime(Duration.ofMinutes(15));
    String early = token("team", "app");
    var session = sts.assumeRoleWithWebIdentity(b -> b.roleArn(ROLE).roleSessionName("s").webIdentityToken(early)).credentials();
    assertThat(session.expiration()).isAfter(clock.instant().plus(Duration.ofMinutes(14))).isBefore(clock.instant().plus(Duration.ofMinutes(16)));

    clock.advance(Duration.ofHours(2));

    assertThat(assumeFails(early).awsErrorDetails().errorCode()).isEqualTo("ExpiredTokenException");
    assertThat(aws.world().caller(session.accessKeyId(), session.sessionToken()).problem()).isEqualTo("ExpiredToken");
    assertThat(sts.assumeRoleWithWebIdentity(b -> b.roleArn(ROLE).roleSessionName("s").webIdentityToken(token("team", "app"))).credentials()).isNotNull();
  }
}
