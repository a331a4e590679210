package dev.mlops.datastore.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * The AWS clients the operator uses for its own reads, built once: credentials from the standard
 * chain (in a cluster, the operator's own IRSA role), endpoints overridable the standard way
 * ({@code AWS_ENDPOINT_URL_IAM}), every call counted.
 */
public final class AwsServices implements AutoCloseable {
  private final AwsCredentialsProvider credentials;
  private final Optional<URI> iamEndpoint;
  private final AwsCallCounter counter = new AwsCallCounter();
  private final Map<String, IamClient> iamByPartition = new ConcurrentHashMap<>();
  private final IamRoleReader roles;

  public AwsServices(AwsCredentialsProvider credentials, Optional<URI> iamEndpoint) {
    this.credentials = credentials;
    this.iamEndpoint = iamEndpoint;
    this.roles = new SdkIamRoleReader(this::iam);
  }

  public static AwsServices fromEnvironment(Map<String, String> env) {
    return new AwsServices(
        DefaultCredentialsProvider.builder().build(),
        Optional.ofNullable(env.get("AWS_ENDPOINT_URL_IAM")).filter(s -> !s.isBlank()).map(URI::create));
  }

  public IamRoleReader roles() {
    return roles;
  }

  public AwsCallCounter calls() {
    return counter;
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
                  .credentialsProvider(credentials)
                  .overrideConfiguration(
                      ClientOverrideConfiguration.builder()
                          .addExecutionInterceptor(counter)
                          .apiCallTimeout(Duration.ofSeconds(30))
                          .apiCallAttemptTimeout(Duration.ofSeconds(10))
                          .build());
          iamEndpoint.ifPresent(builder::endpointOverride);
          return builder.build();
        });
  }

  @Override
  public void close() {
    iamByPartition.values().forEach(IamClient::close);
  }
}
