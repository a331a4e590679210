package dev.mlops.datastore.aws;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetBucketLocationRequest;
import software.amazon.awssdk.services.s3.model.GetBucketLocationResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The operator's shared S3 client of a region, seen through one integration's session: every
 * request is signed with the session's credentials (a request-level override, so the shared
 * client never holds them and rotating them never closes a client another reconcile is reading
 * with) and, when the integration pins {@code bucketOwner}, carries it as ExpectedBucketOwner
 * whatever the caller set, so no call of a Dataset can reach a bucket of another account.
 *
 * <p>Only the operations the operator uses are implemented; the consumer-builder and
 * convenience variants of the SDK interface (getObjectAsBytes, listObjectsV2Paginator, ...)
 * route to them. Any other operation fails with UnsupportedOperationException, as the SDK's
 * interface defaults do. {@link #close()} closes nothing: the regional client belongs to
 * {@link AwsServices}.
 */
final class SessionS3Client implements S3Client {
  private final S3Client shared;
  private final AwsCredentialsProvider credentials;
  private final String expectedOwner;

  /** @param expectedOwner the account that must own every bucket addressed, or null */
  SessionS3Client(S3Client shared, AwsCredentialsProvider credentials, String expectedOwner) {
    this.shared = shared;
    this.credentials = credentials;
    this.expectedOwner = expectedOwner;
  }

  private AwsRequestOverrideConfiguration signed(java.util.Optional<AwsRequestOverrideConfiguration> given) {
    return given.map(AwsRequestOverrideConfiguration::toBuilder)
        .orElseGet(AwsRequestOverrideConfiguration::builder)
        .credentialsProvider(credentials)
        .build();
  }

  private String owner(String given) {
    return expectedOwner != null ? expectedOwner : given;
  }

  @Override
  public HeadBucketResponse headBucket(HeadBucketRequest r) {
    return shared.headBucket(r.toBuilder().overrideConfiguration(signed(r.overrideConfiguration()))
        .expectedBucketOwner(owner(r.expectedBucketOwner())).build());
  }

  @Override
  public GetBucketLocationResponse getBucketLocation(GetBucketLocationRequest r) {
    return shared.getBucketLocation(r.toBuilder().overrideConfiguration(signed(r.overrideConfiguration()))
        .expectedBucketOwner(owner(r.expectedBucketOwner())).build());
  }

  @Override
  public ListObjectsV2Response listObjectsV2(ListObjectsV2Request r) {
    return shared.listObjectsV2(r.toBuilder().overrideConfiguration(signed(r.overrideConfiguration()))
        .expectedBucketOwner(owner(r.expectedBucketOwner())).build());
  }

  @Override
  public HeadObjectResponse headObject(HeadObjectRequest r) {
    return shared.headObject(r.toBuilder().overrideConfiguration(signed(r.overrideConfiguration()))
        .expectedBucketOwner(owner(r.expectedBucketOwner())).build());
  }

  @Override
  public <T> T getObject(GetObjectRequest r, ResponseTransformer<GetObjectResponse, T> transformer) {
    return shared.getObject(r.toBuilder().overrideConfiguration(signed(r.overrideConfiguration()))
        .expectedBucketOwner(owner(r.expectedBucketOwner())).build(), transformer);
  }

  @Override
  public PutObjectResponse putObject(PutObjectRequest r, RequestBody body) {
    return shared.putObject(r.toBuilder().overrideConfiguration(signed(r.overrideConfiguration()))
        .expectedBucketOwner(owner(r.expectedBucketOwner())).build(), body);
  }

  @Override
  public DeleteObjectResponse deleteObject(DeleteObjectRequest r) {
    return shared.deleteObject(r.toBuilder().overrideConfiguration(signed(r.overrideConfiguration()))
        .expectedBucketOwner(owner(r.expectedBucketOwner())).build());
  }

  @Override
  public String serviceName() {
    return shared.serviceName();
  }

  @Override
  public void close() {
    // The shared regional client outlives every session.
  }
}
