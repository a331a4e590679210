package dev.mlops.datastore.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Proves, action by action, what an identity may do on a bucket, with as few calls as that takes:
 * HeadBucket (existence and real region), GetBucketLocation, ListObjectsV2 (one key), a one-byte
 * ranged GetObject, and for read-write access a PutObject and DeleteObject of one fixed probe key
 * per integration (so a crash between them leaves one object that the next check overwrites and
 * deletes). A GetObject that S3 refuses on an SSE-KMS object is attributed to KMS, with the key.
 * Every call carries ExpectedBucketOwner when the owner is known. When S3 refuses the credentials
 * themselves, probing stops with {@link CredentialsRejectedException}: that is not a permission.
 */
public final class S3Prober {
  private static final Pattern KMS_KEY = Pattern.compile("(arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[A-Za-z0-9-]+)");

  /** What to probe. {@code writeKey} is null for read-only access. */
  public record Probe(String bucket, String expectedOwner, String region, String probeKey, String writeKey) {}

  private final Function<String, S3Client> clientForRegion;

  /** @param clientForRegion an S3 client with the identity's credentials, for a region */
  public S3Prober(Function<String, S3Client> clientForRegion) {
    this.clientForRegion = clientForRegion;
  }

  /** @throws CredentialsRejectedException when S3 refuses the key pair rather than an action */
  public BucketReport probe(Probe p) {
    int[] calls = {0};
    List<BucketReport.Row> rows = new ArrayList<>();
    String asked = p.region() == null ? "us-east-1" : p.region();
    S3Client s3 = clientForRegion.apply(asked);

    // 1. HeadBucket: does it exist, and where.
    String region = asked;
    try {
      calls[0]++;
      var head = s3.headBucket(r -> r.bucket(p.bucket()).expectedBucketOwner(p.expectedOwner()));
      region = Optional.ofNullable(head.bucketRegion()).orElse(asked);
    } catch (S3Exception e) {
      String actual = e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region").orElse(null);
      if (e.statusCode() == 404) {
        return report(asked, false, "NoSuchBucket", "bucket " + p.bucket() + " does not exist", rows, null, null, calls[0]);
      }
      if (e.statusCode() == 301 || e.statusCode() == 400) {
        if (actual == null) {
          return report(asked, false, "BucketUnreachable", "HeadBucket answered " + e.statusCode() + " without the bucket's region", rows, null, null, calls[0]);
        }
        region = actual;
      } else if (e.statusCode() == 403) {
        // Denied (HeadBucket needs s3:ListBucket): go on, the other actions may still be allowed.
        region = actual == null ? asked : actual;
      } else {
        throw AwsErrors.classify("s3:HeadBucket", e);
      }
    } catch (SdkException e) {
      throw AwsErrors.classify("s3:HeadBucket", e);
    }
    boolean mismatch = p.region() != null && !region.equals(p.region());
    if (!region.equals(asked)) {
      s3 = clientForRegion.apply(region);
    }
    final S3Client client = s3;

    // 2. GetBucketLocation.
    rows.add(attempt("s3:GetBucketLocation", calls, () -> client.getBucketLocation(r -> r.bucket(p.bucket()).expectedBucketOwner(p.expectedOwner()))));

    // 3. ListBucket (one key).
    String[] firstKey = {null};
    rows.add(attempt("s3:ListBucket", calls, () -> {
      ListObjectsV2Response list = client.listObjectsV2(r -> r.bucket(p.bucket()).maxKeys(1).expectedBucketOwner(p.expectedOwner()));
      if (!list.contents().isEmpty()) {
        firstKey[0] = list.contents().get(0).key();
      }
    }));

    // 4. GetObject, one byte.
    String key = p.probeKey() != null ? p.probeKey() : firstKey[0];
    String encryption = null;
    String kmsKey = null;
    if (key == null) {
      rows.add(new BucketReport.Row("s3:GetObject", "Skipped", "NoObjectToRead", null));
    } else {
      try {
        calls[0]++;
        ResponseBytes<GetObjectResponse> got =
            client.getObjectAsBytes(r -> r.bucket(p.bucket()).key(key).range("bytes=0-0").expectedBucketOwner(p.expectedOwner()));
        encryption = got.response().serverSideEncryptionAsString();
        kmsKey = got.response().ssekmsKeyId();
        rows.add(BucketReport.Row.allowed("s3:GetObject"));
      } catch (S3Exception e) {
        refuseRejectedCredentials("s3:GetObject", e);
        if (e.statusCode() == 403) {
          String[] kms = kmsCause(e, client, p, key, calls);
          rows.add(new BucketReport.Row("s3:GetObject", "Denied", code(e), kms == null ? "S3" : "KMS"));
          if (kms != null) {
            encryption = "aws:kms";
            kmsKey = kms[0];
          }
        } else if (e.statusCode() == 416) {
          rows.add(BucketReport.Row.allowed("s3:GetObject")); // an empty object: readable, nothing to read
        } else if (e.statusCode() >= 500) {
          throw AwsErrors.classify("s3:GetObject", e);
        } else {
          rows.add(new BucketReport.Row("s3:GetObject", "Error", code(e), null));
        }
      } catch (SdkException e) {
        throw AwsErrors.classify("s3:GetObject", e);
      }
    }

    // 5. PutObject + DeleteObject for read-write access.
    if (p.writeKey() != null) {
      BucketReport.Row put = attempt("s3:PutObject", calls, () ->
          client.putObject(r -> r.bucket(p.bucket()).key(p.writeKey()).expectedBucketOwner(p.expectedOwner()).contentType("text/plain"),
              RequestBody.fromString("written by aws-datastore-operator to prove s3:PutObject; safe to delete")));
      rows.add(put);
      // Always attempted, even after a refused put: a probe object left by an earlier crash goes too.
      rows.add(attempt("s3:DeleteObject", calls, () -> client.deleteObject(r -> r.bucket(p.bucket()).key(p.writeKey()).expectedBucketOwner(p.expectedOwner()))));
    }

    return summarize(p, region, mismatch, rows, encryption, kmsKey, calls[0], key);
  }

  private static BucketReport summarize(Probe p, String region, boolean mismatch, List<BucketReport.Row> rows,
      String encryption, String kmsKey, int calls, String key) {
    BucketReport.Row kmsDenied = rows.stream().filter(r -> "KMS".equals(r.cause())).findFirst().orElse(null);
    List<String> denied = rows.stream().filter(r -> r.result().equals("Denied")).map(BucketReport.Row::action).toList();
    BucketReport.Row error = rows.stream().filter(r -> r.result().equals("Error")).findFirst().orElse(null);
    String where = " on " + p.bucket() + " (" + region + ")";
    String regionNote = mismatch ? "; the bucket is in " + region + ", not " + p.region() + " as spec.region says (using " + region + ")" : "";
    if (kmsDenied != null) {
      return report(region, mismatch, "KmsAccessDenied",
          "s3:GetObject of " + key + " was refused by KMS: the identity may not use key " + kmsKey + " (kms:Decrypt)"
              + (denied.size() > 1 ? "; also denied: " + String.join(", ", denied.stream().filter(a -> !a.equals("s3:GetObject")).toList()) : "") + regionNote,
          rows, encryption, kmsKey, calls);
    }
    boolean allDenied = rows.stream().allMatch(r -> r.result().equals("Denied") || r.result().equals("Skipped"));
    if (allDenied && p.expectedOwner() != null) {
      return report(region, mismatch, "BucketAccessDenied",
          "every S3 call was denied" + where + ": the identity has no S3 permission on it, or the bucket is not owned by account "
              + p.expectedOwner() + " (every call carries ExpectedBucketOwner, so a bucket of another account is never used)" + regionNote,
          rows, encryption, kmsKey, calls);
    }
    if (!denied.isEmpty()) {
      return report(region, mismatch, "AccessDenied", "denied: " + String.join(", ", denied) + where + regionNote, rows, encryption, kmsKey, calls);
    }
    if (error != null) {
      String reason = "NoSuchKey".equals(error.code()) ? "ProbeKeyNotFound" : "S3Error";
      String text = "NoSuchKey".equals(error.code())
          ? "the probe object " + key + " does not exist in " + p.bucket()
          : error.action() + " failed with " + error.code() + where;
      return report(region, mismatch, reason, text + regionNote, rows, encryption, kmsKey, calls);
    }
    String allowed = String.join(", ", rows.stream().filter(r -> r.result().equals("Allowed")).map(BucketReport.Row::action).toList());
    return report(region, mismatch, null, "allowed: " + allowed + where + regionNote, rows, encryption, kmsKey, calls);
  }

  /** When S3 refused a read, asks HeadObject (which needs no key) whether KMS is why. */
  private static String[] kmsCause(S3Exception e, S3Client client, Probe p, String key, int[] calls) {
    String text = e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null ? "" : e.awsErrorDetails().errorMessage();
    if (text.toLowerCase(Locale.ROOT).contains("kms")) {
      Matcher m = KMS_KEY.matcher(text);
      return new String[] {m.find() ? m.group(1) : "(unnamed key)"};
    }
    try {
      calls[0]++;
      HeadObjectResponse head = client.headObject(r -> r.bucket(p.bucket()).key(key).expectedBucketOwner(p.expectedOwner()));
      if ("aws:kms".equals(head.serverSideEncryptionAsString()) || "aws:kms:dsse".equals(head.serverSideEncryptionAsString())) {
        return new String[] {head.ssekmsKeyId()};
      }
    } catch (SdkException ignored) {
      // HeadObject refused too: S3 itself denies reads.
    }
    return null;
  }

  private static BucketReport.Row attempt(String action, int[] calls, Runnable call) {
    try {
      calls[0]++;
      call.run();
      return BucketReport.Row.allowed(action);
    } catch (S3Exception e) {
      refuseRejectedCredentials(action, e);
      if (e.statusCode() == 403) {
        return new BucketReport.Row(action, "Denied", code(e), "S3");
      }
      if (e.statusCode() >= 500 || e.isThrottlingException()) {
        throw AwsErrors.classify(action, e);
      }
      return new BucketReport.Row(action, "Error", code(e), null);
    } catch (AwsServiceException e) {
      throw AwsErrors.classify(action, e);
    } catch (SdkException e) {
      throw AwsErrors.classify(action, e);
    }
  }

  /**
   * A 403 for the credentials themselves (SignatureDoesNotMatch, InvalidAccessKeyId) is not a
   * denial of the action: stop probing, since every further call would be refused the same way.
   * HEAD answers carry no error code, so HeadBucket cannot tell; the next call does.
   */
  private static void refuseRejectedCredentials(String action, S3Exception e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    AwsErrors.rejectedCredentials(code).ifPresent(reason -> {
      throw new CredentialsRejectedException(reason, action, code, e);
    });
  }

  private static String code(S3Exception e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    return code == null ? String.valueOf(e.statusCode()) : code;
  }

  private static BucketReport report(String region, boolean mismatch, String problem, String message, List<BucketReport.Row> rows,
      String encryption, String kmsKey, int calls) {
    return new BucketReport(region, mismatch, problem, message, List.copyOf(rows), encryption, kmsKey, calls);
  }
}
