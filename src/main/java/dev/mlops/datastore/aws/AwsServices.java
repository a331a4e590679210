package dev.mlops.datastore.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The AWS clients of the operator, built once: its own identity (the standard credential chain;
 * in a cluster, the operator's IRSA role) for IAM reads; no identity at all for exchanging
 * workload tokens with STS; the workloads' identities for S3, one shared client per region with
 * the identity passed on each request. Endpoints are overridable the
 * standard way ({@code AWS_ENDPOINT_URL_IAM}, {@code _STS}, {@code _S3}); every call is counted.
 */
public final class AwsServices implements AutoCloseable {
  /** Endpoint overrides, for local emulators; empty means AWS. */
  public record Endpoints(Optional<URI> iam, Optional<URI> sts, Optional<URI> s3) {
    public static Endpoints aws() {
      return new Endpoints(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static Endpoints all(URI iamAndSts, URI s3) {
      return new Endpoints(Optional.of(iamAndSts), Optional.of(iamAndSts), Optional.of(s3));
    }
  }

  /** The shared S3 clients' own provider: S3 calls carry an integration's credentials, or fail. */
  private static final AwsCredentialsProvider NO_CREDENTIALS_OF_ITS_OWN =
      () -> {
        throw SdkClientException.create("an S3 request without an integration's credentials (the operator never uses its own identity for S3)");
      };

  private final AwsCredentialsProvider operatorIdentity;
  private final Endpoints endpoints;
  private final AwsCallCounter counter = new AwsCallCounter();
  private final Map<String, IamClient> iamByPartition = new ConcurrentHashMap<>();
  private final Map<String, StsClient> stsByRegion = new ConcurrentHashMap<>();
  private final Map<String, S3Client> s3ByRegion = new ConcurrentHashMap<>();
  private final IamRoleReader roles;
  private final StsGateway sts;

  public AwsServices(AwsCredentialsProvider operatorIdentity, Endpoints endpoints) {
    this.operatorIdentity = operatorIdentity;
    this.endpoints = endpoints;
    this.roles = new SdkIamRoleReader(this::iam);
    this.sts = new SdkStsGateway(this::sts);
  }

  public static AwsServices fromEnvironment(Map<String, String> env) {
    return new AwsServices(
        DefaultCredentialsProvider.builder().build(),
        new Endpoints(uri(env, "AWS_ENDPOINT_URL_IAM"), uri(env, "AWS_ENDPOINT_URL_STS"), uri(env, "AWS_ENDPOINT_URL_S3")));
  }

  private static Optional<URI> uri(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).filter(s -> !s.isBlank()).map(URI::create);
  }

  public IamRoleReader roles() {
    return roles;
  }

  public StsGateway sts() {
    return sts;
  }

  public AwsCallCounter calls() {
    return counter;
  }

  /**
   * The operator's one S3 client of a region, shared by every integration and Dataset. It holds no
   * credentials: each request brings its session's own ({@link IntegrationSessions.Session#s3}),
   * so a session can be replaced while another reconcile is still reading with the old one, and a
   * request that brings none fails rather than going out as the operator. Path-style addressing
   * is used when the endpoint is overridden (a local server has no per-bucket host names).
   * Checksums are computed only where S3 requires them: the operator reads byte ranges and writes
   * one tiny probe.
   */
  S3Client s3(String region) {
    return s3ByRegion.computeIfAbsent(
        region,
        r -> {
          var builder =
              S3Client.builder()
                  .region(Region.of(r))
                  .credentialsProvider(NO_CREDENTIALS_OF_ITS_OWN)
                  .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                  .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                  .overrideConfiguration(overrides());
          endpoints.s3().ifPresent(uri -> builder.endpointOverride(uri).forcePathStyle(true));
          return builder.build();
        });
  }

  private ClientOverrideConfiguration overrides() {
    return ClientOverrideConfiguration.builder()
        .addExecutionInterceptor(counter)
        .apiCallTimeout(Duration.ofSeconds(30))
        .apiCallAttemptTimeout(Duration.ofSeconds(10))
        .build();
  }

  private IamClient iam(String partition) {
    return iamByPartition.computeIfAbsent(
        partition,
        p -> {
          var builder =
              IamClient.builder()
                  .region(
                      switch (p) {
                        case "aws-cn" -> Region.AWS_CN_GLOBAL;
                        case "aws-us-gov" -> Region.AWS_US_GOV_GLOBAL;
                        default -> Region.AWS_GLOBAL;
                      })
                  .credentialsProvider(operatorIdentity)
                  .overrideConfiguration(overrides());
          endpoints.iam().ifPresent(builder::endpointOverride);
          return builder.build();
        });
  }

  /** Regional STS; unsigned unless a call brings credentials of its own. */
  private StsClient sts(String region) {
    return stsByRegion.computeIfAbsent(
        region,
        r -> {
          var builder =
              StsClient.builder()
                  .region(Region.of(r))
                  .credentialsProvider(AnonymousCredentialsProvider.create())
                  .overrideConfiguration(overrides());
          endpoints.sts().ifPresent(builder::endpointOverride);
          return builder.build();
        });
  }

  @Override
  public void close() {
    iamByPartition.values().forEach(IamClient::close);
    stsByRegion.values().forEach(StsClient::close);
    s3ByRegion.values().forEach(S3Client::close);
  }
}
