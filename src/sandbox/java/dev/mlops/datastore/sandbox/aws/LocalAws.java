package dev.mlops.datastore.sandbox.aws;

import dev.mlops.datastore.aws.AwsServices;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The world, its IAM/STS emulator, its S3 and its EKS and EKS Auth, started together on loopback.
 * The operator reaches them through the standard endpoint overrides: {@code AWS_ENDPOINT_URL_IAM}
 * and {@code _STS} ({@link #iamSts()}), {@code _S3} ({@link #s3()}), {@code AWS_ENDPOINT_URL_EKS}
 * ({@link #eksEndpoint()}) and {@code AWS_ENDPOINT_URL_EKS_AUTH} ({@link #eksAuthEndpoint()}).
 */
public final class LocalAws implements AutoCloseable {
  /** The operator's own identity in this world: a user with no S3 grants (IAM reads are not signature-checked). */
  public static final String OPERATOR_ARN = "arn:aws:iam::111122223333:user/aws-datastore-operator";
  private static final String OPERATOR_KEY = "AKIAOPERATOR00000000";
  private static final String OPERATOR_SECRET = "operator-secret-of-the-sandbox";

  private final AwsWorld world = new AwsWorld().user(OPERATOR_ARN, OPERATOR_KEY, OPERATOR_SECRET);
  private final IamStsEmulator iamSts = new IamStsEmulator(world);
  private final S3Front s3 = new S3Front(world);
  private final EksEmulator eks = new EksEmulator(world);

  public AwsWorld world() {
    return world;
  }

  public IamStsEmulator iamSts() {
    return iamSts;
  }

  public S3Front s3() {
    return s3;
  }

  public EksEmulator eks() {
    return eks;
  }

  /** Where EKS answers: the operator's {@code AWS_ENDPOINT_URL_EKS}. */
  public java.net.URI eksEndpoint() {
    return eks.endpoint();
  }

  /** Where EKS Auth answers: the operator's {@code AWS_ENDPOINT_URL_EKS_AUTH}. */
  public java.net.URI eksAuthEndpoint() {
    return eks.authEndpoint();
  }

  /** The endpoint overrides of every emulated service, by the standard environment variable name. */
  public java.util.Map<String, String> endpointEnvironment() {
    return java.util.Map.of(
        "AWS_ENDPOINT_URL_IAM", iamSts.endpoint().toString(),
        "AWS_ENDPOINT_URL_STS", iamSts.endpoint().toString(),
        "AWS_ENDPOINT_URL_S3", s3.endpoint().toString(),
        "AWS_ENDPOINT_URL_EKS", eks.endpoint().toString(),
        "AWS_ENDPOINT_URL_EKS_AUTH", eks.authEndpoint().toString());
  }

  /** EKS and EKS Auth operations answered so far, e.g. "eks:CreatePodIdentityAssociation", "eks-auth:AssumeRoleForPodIdentity". */
  public List<String> eksCalls() {
    return eks.calls();
  }

  /** Declares a bucket and creates it in the store. */
  public LocalAws bucket(String name, String owner, String region) {
    world.bucket(name, owner, region);
    s3.createBucket(name);
    return this;
  }

  /** The operator's own identity in this world ({@link #OPERATOR_ARN}), for test clients of IAM and EKS. */
  public software.amazon.awssdk.auth.credentials.AwsCredentialsProvider operatorCredentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(OPERATOR_KEY, OPERATOR_SECRET));
  }

  /** The operator's production AWS clients, pointed here, signing as {@link #OPERATOR_ARN}. */
  public AwsServices services() {
    return new AwsServices(
        StaticCredentialsProvider.create(AwsBasicCredentials.create(OPERATOR_KEY, OPERATOR_SECRET)),
        new AwsServices.Endpoints(Optional.of(iamSts.endpoint()), Optional.of(iamSts.endpoint()), Optional.of(s3.endpoint()))
            .withEks(eks.endpoint(), eks.authEndpoint()));
  }

  /**
   * The operations of one service ({@link AwsWorld#SERVICES}: "sts", "iam", "s3", "eks",
   * "eks-auth") answered so far, in order, e.g. "AssumeRoleWithWebIdentity", "GetObject",
   * "CreatePodIdentityAssociation"; staged failures included.
   */
  public List<String> calls(String service) {
    return switch (service) {
      case "sts", "iam", "eks", "eks-auth" -> java.util.stream.Stream.concat(iamSts.calls().stream(), eks.calls().stream())
          .filter(c -> c.startsWith(service + ":")).map(c -> c.substring(service.length() + 1)).toList();
      case "s3" -> s3.calls().stream().map(S3Front.Call::operation).toList();
      default -> throw new IllegalArgumentException("service '" + service + "' is not one of " + new java.util.TreeSet<>(AwsWorld.SERVICES));
    };
  }

  /** IAM actions answered so far, without the "iam:" prefix, for counting. */
  public List<String> iamActions() {
    return iamSts.calls().stream().filter(c -> c.startsWith("iam:")).map(c -> c.substring(4)).toList();
  }

  @Override
  public void close() {
    iamSts.close();
    s3.close();
    eks.close();
  }
}
