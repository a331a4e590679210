package dev.mlops.datastore.dataset;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One S3 bucket as an object store: ranged GETs that also tell size and version, HEAD, and ListObjectsV2, each with
 * ExpectedBucketOwner when known. Errors are classified, so a missing key reads as NOT_FOUND, and
 * a 403 on a read that S3 refuses for KMS reads as KMS_DENIED.
 */
public final class S3ObjectStore implements ObjectStore {
  private final S3Client s3;
  private final String bucket;
  private final String expectedOwner;

  private final String principal;

  public S3ObjectStore(S3Client s3, String bucket, String expectedOwner) {
    this(s3, bucket, expectedOwner, null);
  }

  /** @param principal the identity the client signs as (an ARN), so cached facts stay per identity; null shares nothing */
  public S3ObjectStore(S3Client s3, String bucket, String expectedOwner, String principal) {
    this.s3 = s3;
    this.bucket = bucket;
    this.expectedOwner = expectedOwner;
    this.principal = principal;
  }

  @Override
  public String cacheScope() {
    return principal == null ? null : "s3://" + bucket + " as " + principal + (expectedOwner == null ? "" : " owned by " + expectedOwner);
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
    return length <= 0 ? new byte[0] : ranged(key, "bytes=" + offset + "-" + (offset + length - 1), length, offset == 0).bytes();
  }

  @Override
  public byte[] readSuffix(String key, int length) {
    return ranged(key, "bytes=-" + length, length, false).bytes();
  }

  @Override
  public Chunk readWithInfo(String key, long offset, int length) {
    return ranged(key, "bytes=" + offset + "-" + (offset + Math.max(1, length) - 1), Math.max(0, length), offset == 0);
  }

  @Override
  public Chunk readSuffixWithInfo(String key, int length) {
    return ranged(key, "bytes=-" + Math.max(1, length), Math.max(0, length), false);
  }

  /**
   * One ranged GET, streamed and cut at {@code length} bytes: a server that ignores the Range
   * header (S3 never does; some S3-compatible stores might) cannot make the operator buffer a whole
   * large object. When the answer is not the range asked for, nothing is returned. The answer's
   * headers say what a HEAD would (the total size is Content-Range's last part), so no HEAD is
   * sent: on S3 the SDK's per-request cost dominates a small read.
   */
  private Chunk ranged(String key, String range, int length, boolean fromStart) {
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(bucket).key(key).range(range).expectedBucketOwner(expectedOwner))) {
      GetObjectResponse g = in.response();
      if (g.contentRange() == null && !fromStart) {
        in.abort();
        throw new ObjectStoreException(ObjectStoreException.Kind.OTHER,
            "GetObject of " + describe(key) + " ignored the Range header: the endpoint does not serve ranged reads", null);
      }
      byte[] b = in.readNBytes(length);
      if (in.read() >= 0) {
        in.abort(); // more than asked for: do not drain it
      }
      long size = totalSize(g.contentRange(), g.contentLength());
      // A server that does not give the total (a "/*" range) costs one HEAD more.
      return new Chunk(b, size >= 0 ? new ObjectInfo(size, g.eTag(), g.lastModified(), g.serverSideEncryptionAsString(), g.ssekmsKeyId()) : head(key));
    } catch (AwsServiceException e) {
      if (e.statusCode() == 416) {
        // An empty object has no byte to return; its info then needs its own request (rare).
        return new Chunk(new byte[0], head(key));
      }
      throw classify("GetObject", key, e);
    } catch (SdkException e) {
      throw classify("GetObject", key, e);
    } catch (IOException e) {
      throw new ObjectStoreException(ObjectStoreException.Kind.TRANSIENT, "GetObject of " + describe(key) + ": the connection failed while reading", e);
    }
  }

  /**
   * The object's size from {@code Content-Range: bytes FIRST-LAST/TOTAL}, or the length of a
   * whole-object answer; -1 when the server does not say (a {@code /*} total).
   */
  static long totalSize(String contentRange, Long contentLength) {
    if (contentRange == null) {
      return contentLength == null ? -1 : contentLength;
    }
    int slash = contentRange.lastIndexOf('/');
    if (slash < 0) {
      return -1;
    }
    try {
      return Long.parseLong(contentRange.substring(slash + 1).strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public Listing list(String prefix, String startAfter, int maxKeys) {
    List<Listed> out = new ArrayList<>();
    String token = null;
    boolean more;
    int requests = 0;
    try {
      do {
        String t = token;
        int pageSize = Math.max(1, Math.min(1000, maxKeys - out.size()));
        ListObjectsV2Response page = s3.listObjectsV2(r -> {
          r.bucket(bucket).prefix(prefix).maxKeys(pageSize).expectedBucketOwner(expectedOwner);
          if (t != null) {
            r.continuationToken(t);
          } else if (startAfter != null) {
            r.startAfter(startAfter);
          }
        });
        requests++;
        for (S3Object o : page.contents()) {
          if (out.size() < maxKeys) {
            out.add(new Listed(o.key(), o.size() == null ? -1 : o.size()));
          }
        }
        more = Boolean.TRUE.equals(page.isTruncated()) && page.nextContinuationToken() != null;
        token = more ? page.nextContinuationToken() : null;
      } while (more && out.size() < maxKeys);
    } catch (SdkException e) {
      throw classify("ListObjectsV2", prefix, e);
    }
    // Stopping at maxKeys with a continuation token left means the listing is cut, and says so.
    return new Listing(out, more, requests);
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
    if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
      return new ObjectStoreException(ObjectStoreException.Kind.TRANSIENT, operation + " of " + describe(key) + ": S3 did not answer in time", e);
    }
    if (e instanceof SdkClientException) {
      return new ObjectStoreException(ObjectStoreException.Kind.TRANSIENT, operation + " of " + describe(key) + ": cannot reach S3", e);
    }
    return new ObjectStoreException(ObjectStoreException.Kind.OTHER, operation + " of " + describe(key) + " failed", e);
  }
}
