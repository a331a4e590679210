package dev.mlops.datastore.dataset;

/**
 * An {@code s3://bucket/key} URL, parsed once. The grammar is the one the CRD's {@code path}
 * pattern admits: a bucket of 3 to 63 characters of {@code [a-z0-9.-]} that starts and ends with a
 * letter or digit, then optionally {@code /} and a key. A path that does not start with
 * {@code s3://} is refused as written, never guessed at.
 *
 * @param key the object key, or the table folder; empty when the path names only the bucket
 */
public record S3Path(String bucket, String key) {
  private static final String SCHEME = "s3://";
  private static final int MAX_LENGTH = 1100;

  /** @throws IllegalArgumentException saying what is wrong and what the expected form is */
  public static S3Path parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("an s3:// path is required (s3://BUCKET/KEY)");
    }
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("the path is " + text.length() + " characters long; at most " + MAX_LENGTH + " are allowed");
    }
    if (!text.startsWith(SCHEME)) {
      String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
      throw new IllegalArgumentException("'" + shown + "' is not an s3:// URL; write it as s3://BUCKET/KEY");
    }
    String rest = text.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.length() < 3 || bucket.length() > 63) {
      throw new IllegalArgumentException("bucket '" + bucket + "' must be 3 to 63 characters long");
    }
    for (int i = 0; i < bucket.length(); i++) {
      char c = bucket.charAt(i);
      boolean alnum = c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
      boolean edge = i == 0 || i == bucket.length() - 1;
      if (!alnum && (edge || c != '.' && c != '-')) {
        throw new IllegalArgumentException("bucket '" + bucket + "' may hold only lowercase letters, digits, '.' and '-', and must start and end with a letter or digit");
      }
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
        throw new IllegalArgumentException("the key must not contain a line break");
      }
    }
    return new S3Path(bucket, key);
  }

  @Override
  public String toString() {
    return SCHEME + bucket + (key.isEmpty() ? "" : "/" + key);
  }
}
