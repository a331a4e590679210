package dev.mlops.datastore.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One S3 bucket as an object store: HEAD, ranged GETs and ListObjectsV2, each with
 * ExpectedBucketOwner when known. Errors are classified, so a missing key reads as NOT_FOUND, and
 * a 403 on a read that S3 refuses for KMS reads as KMS_DENIED.
 */
public final class S3ObjectStore implements ObjectStore {
  private final S3Client s3;
  private final String bucket;
  private final String expectedOwner;

  public S3ObjectStore(S3Client s3, String bucket, String expectedOwner) {
    this.s3 = s3;
    this.bucket = bucket;
    this.expectedOwner = expectedOwner;
  }

  @Override
  public ObjectInfo head(String key) {
    try {
      HeadObjectResponse h = s3.headObject(r -> r.bucket(bucket).key(key).expectedBucketOwner(expectedOwner));
      return new ObjectInfo(h.contentLength(), h.eTag(), h.lastModified(), h.serverSideEncryptionAsString(), h.ssekmsKeyId());
    } catch (SdkException e) {
      throw classify("HeadObject", key, e);
    }
  }

  @Override
  public byte[] read(String key, long offset, int length) {
    return length <= 0 ? new byte[0] : ranged(key, "bytes=" + offset + "-" + (offset + length - 1));
  }

  @Override
  public byte[] readSuffix(String key, int length) {
    return ranged(key, "bytes=-" + length);
  }

  private byte[] ranged(String key, String range) {
    try {
      return s3.getObjectAsBytes(r -> r.bucket(bucket).key(key).range(range).expectedBucketOwner(expectedOwner)).asByteArray();
    } catch (AwsServiceException e) {
      if (e.statusCode() == 416) {
        return new byte[0]; // an empty object has no byte to return
      }
      throw classify("GetObject", key, e);
    } catch (SdkException e) {
      throw classify("GetObject", key, e);
    }
  }

  @Override
  public List<Listed> list(String prefix, String startAfter) {
    List<Listed> out = new ArrayList<>();
    String token = null;
    try {
      do {
        String t = token;
        ListObjectsV2Response page = s3.listObjectsV2(r -> {
          r.bucket(bucket).prefix(prefix).expectedBucketOwner(expectedOwner);
          if (t != null) {
            r.continuationToken(t);
          } else if (startAfter != null) {
            r.startAfter(startAfter);
          }
        });
        for (S3Object o : page.contents()) {
          out.add(new Listed(o.key(), o.size() == null ? -1 : o.size()));
        }
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null && out.size() < 100_000);
    } catch (SdkException e) {
      throw classify("ListObjectsV2", prefix, e);
    }
    return out;
  }

  @Override
  public String describe(String key) {
    return "s3://" + bucket + "/" + key;
  }

  private ObjectStoreException classify(String operation, String key, SdkException e) {
    if (e instanceof AwsServiceException s) {
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      String message = s.awsErrorDetails() == null || s.awsErrorDetails().errorMessage() == null ? "" : s.awsErrorDetails().errorMessage();
      String lower = message.toLowerCase(Locale.ROOT);
      if (s.statusCode() == 404) {
        return new ObjectStoreException(ObjectStoreException.Kind.NOT_FOUND, describe(key) + " does not exist", e);
      }
      if (s.statusCode() == 403) {
        boolean kms = lower.contains("kms") || lower.contains("customer master key");
        return new ObjectStoreException(kms ? ObjectStoreException.Kind.KMS_DENIED : ObjectStoreException.Kind.ACCESS_DENIED,
            operation + " of " + describe(key) + " was denied" + (code == null ? "" : " (" + code + ")"), e);
      }
      if (s.statusCode() >= 500 || s.isThrottlingException()) {
        return new ObjectStoreException(ObjectStoreException.Kind.TRANSIENT, operation + " of " + describe(key) + " failed with " + s.statusCode(), e);
      }
      return new ObjectStoreException(ObjectStoreException.Kind.OTHER, operation + " of " + describe(key) + " failed: " + (code == null ? s.statusCode() : code), e);
    }
    if (e instanceof SdkClientException) {
      return new ObjectStoreException(ObjectStoreException.Kind.TRANSIENT, operation + " of " + describe(key) + ": cannot reach S3", e);
    }
    return new ObjectStoreException(ObjectStoreException.Kind.OTHER, operation + " of " + describe(key) + " failed", e);
  }
}
