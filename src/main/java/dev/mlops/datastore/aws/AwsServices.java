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
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.SdkHttpService;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.utils.AttributeMap;
import java.util.ServiceLoader;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The AWS clients of the operator, built once: its own identity (the standard credential chain;
 * in a cluster, the operator's IRSA role) for IAM reads; no identity at all for exchanging
 * workload tokens with STS; the workloads' identities for S3, one shared client per region with
 * the identity passed on each request. Endpoints are overridable the
 * standard way ({@code AWS_ENDPOINT_URL_IAM}, {@code _STS}, {@code _S3}, {@code _EKS}, {@code _EKS_AUTH});
 * every call is counted. EKS and EKS Auth are asked with the operator's own identity (Pod Identity).
 */
public final class AwsServices implements AutoCloseable {
  /** Endpoint overrides, for local emulators; empty means AWS. */
  public record Endpoints(Optional<URI> iam, Optional<URI> sts, Optional<URI> s3, Optional<URI> eks, Optional<URI> eksAuth) {
    /** IAM, STS and S3 only; EKS and EKS Auth are AWS's. */
    public Endpoints(Optional<URI> iam, Optional<URI> sts, Optional<URI> s3) {
      this(iam, sts, s3, Optional.empty(), Optional.empty());
    }

    public static Endpoints aws() {
      return new Endpoints(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static Endpoints all(URI iamAndSts, URI s3) {
      return new Endpoints(Optional.of(iamAndSts), Optional.of(iamAndSts), Optional.of(s3));
    }

    /** From the SDK's standard variables AWS_ENDPOINT_URL_IAM, _STS, _S3, _EKS and _EKS_AUTH. */
    public static Endpoints fromEnvironment(Map<String, String> env) {
      return new Endpoints(uri(env, "AWS_ENDPOINT_URL_IAM"), uri(env, "AWS_ENDPOINT_URL_STS"), uri(env, "AWS_ENDPOINT_URL_S3"),
          uri(env, "AWS_ENDPOINT_URL_EKS"), uri(env, "AWS_ENDPOINT_URL_EKS_AUTH"));
    }

    /** The same, with EKS and EKS Auth overridden too. */
    public Endpoints withEks(URI eksEndpoint, URI eksAuthEndpoint) {
      return new Endpoints(iam, sts, s3, Optional.of(eksEndpoint), Optional.of(eksAuthEndpoint));
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
  private final Map<String, EksClient> eksByRegion = new ConcurrentHashMap<>();
  private final IamRoleReader roles;
  private final StsGateway sts;
  private final EksGateway eks;
  private volatile SdkHttpClient eksAuthHttp;
  private final EksAuthGateway eksAuth;

  public AwsServices(AwsCredentialsProvider operatorIdentity, Endpoints endpoints) {
    this.operatorIdentity = operatorIdentity;
    this.endpoints = endpoints;
    this.roles = new SdkIamRoleReader(this::iam);
    this.sts = new SdkStsGateway(this::sts);
    this.eks = new SdkEksGateway(this::eks);
    this.eksAuth = new SignedEksAuthGateway(this::eksAuthHttp, operatorIdentity,
        r -> endpoints.eksAuth().orElseGet(() -> SignedEksAuthGateway.publicEndpoint(r)), counter);
  }

  public static AwsServices fromEnvironment(Map<String, String> env) {
    return new AwsServices(
        DefaultCredentialsProvider.builder().build(),
        Endpoints.fromEnvironment(env));
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

  /** EKS with the operator's own identity: the cluster and its Pod Identity associations. */
  public EksGateway eks() {
    return eks;
  }

  /** EKS Auth, signed with the operator's own identity, as the Pod Identity Agent calls it. */
  public EksAuthGateway eksAuth() {
    return eksAuth;
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

  private EksClient eks(String region) {
    return eksByRegion.computeIfAbsent(
        region,
        r -> {
          var builder =
              EksClient.builder()
                  .region(Region.of(r))
                  .credentialsProvider(operatorIdentity)
                  .overrideConfiguration(overrides());
          endpoints.eks().ifPresent(builder::endpointOverride);
          return builder.build();
        });
  }

  /**
   * The HTTP client of the signed EKS Auth call: the SDK's own default (the implementation on the
   * class path, found the way the SDK's clients find it), with the same timeouts, built on first use.
   */
  private SdkHttpClient eksAuthHttp() {
    SdkHttpClient client = eksAuthHttp;
    if (client == null) {
      synchronized (this) {
        client = eksAuthHttp;
        if (client == null) {
          SdkHttpService service = ServiceLoader.load(SdkHttpService.class).findFirst()
              .orElseThrow(() -> new IllegalStateException("no AWS SDK HTTP client on the class path"));
          client = service.createHttpClientBuilder().buildWithDefaults(AttributeMap.builder()
              .put(SdkHttpConfigurationOption.CONNECTION_TIMEOUT, Duration.ofSeconds(5))
              .put(SdkHttpConfigurationOption.READ_TIMEOUT, Duration.ofSeconds(10))
              .build());
          eksAuthHttp = client;
        }
      }
    }
    return client;
  }

  @Override
  public void close() {
    eksByRegion.values().forEach(EksClient::close);
    if (eksAuthHttp != null) {
      eksAuthHttp.close();
    }
    iamByPartition.values().forEach(IamClient::close);
    stsByRegion.values().forEach(StsClient::close);
    s3ByRegion.values().forEach(S3Client::close);
  }
}
