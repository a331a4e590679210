package dev.mlops.datastore.sandbox.aws;

import dev.mlops.datastore.aws.AwsServices;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The world, its IAM/STS emulator and its S3, started together on loopback. */
public final class LocalAws implements AutoCloseable {
  /** The operator's own identity in this world: a user with no S3 grants (IAM reads are not signature-checked). */
  public static final String OPERATOR_ARN = "arn:aws:iam::111122223333:user/aws-datastore-operator";
  private static final String OPERATOR_KEY = "AKIAOPERATOR00000000";
  private static final String OPERATOR_SECRET = "operator-secret-of-the-sandbox";

  private final AwsWorld world = new AwsWorld().user(OPERATOR_ARN, OPERATOR_KEY, OPERATOR_SECRET);
  private final IamStsEmulator iamSts = new IamStsEmulator(world);
  private final S3Front s3 = new S3Front(world);

  public AwsWorld world() {
    return world;
  }

  public IamStsEmulator iamSts() {
    return iamSts;
  }

  public S3Front s3() {
    return s3;
  }

  /** Declares a bucket and creates it in the store. */
  public LocalAws bucket(String name, String owner, String region) {
    world.bucket(name, owner, region);
    s3.createBucket(name);
    return this;
  }

  /** The operator's production AWS clients, pointed here, signing as {@link #OPERATOR_ARN}. */
  public AwsServices services() {
    return new AwsServices(
        StaticCredentialsProvider.create(AwsBasicCredentials.create(OPERATOR_KEY, OPERATOR_SECRET)),
        new AwsServices.Endpoints(Optional.of(iamSts.endpoint()), Optional.of(iamSts.endpoint()), Optional.of(s3.endpoint())));
  }

  /** IAM actions answered so far, without the "iam:" prefix, for counting. */
  public List<String> iamActions() {
    return iamSts.calls().stream().filter(c -> c.startsWith("iam:")).map(c -> c.substring(4)).toList();
  }

  @Override
  public void close() {
    iamSts.close();
    s3.close();
  }
}
