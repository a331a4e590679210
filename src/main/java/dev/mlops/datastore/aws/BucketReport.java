package dev.mlops.datastore.aws;

import java.util.List;

/**
 * What probing a bucket found.
 *
 * @param region the bucket's region as S3 reports it, or null when unknown
 * @param regionMismatch true when the expected region was another one
 * @param problem the first blocking problem (a reason code), or null when every action works
 * @param message what was found, for a person
 * @param rows one row per action probed
 * @param encryption the encryption of the probed object ("aws:kms", "AES256"), or null
 * @param kmsKeyId the KMS key of the probed object, or null
 * @param calls how many S3 calls the probe made
 */
public record BucketReport(
    String region,
    boolean regionMismatch,
    String problem,
    String message,
    List<Row> rows,
    String encryption,
    String kmsKeyId,
    int calls) {

  /** One probed action. {@code cause} is S3 or KMS when denied. */
  public record Row(String action, String result, String code, String cause) {
    public static Row allowed(String action) {
      return new Row(action, "Allowed", null, null);
    }
  }
}
