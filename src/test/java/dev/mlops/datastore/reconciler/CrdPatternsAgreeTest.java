package dev.mlops.datastore.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.dataset.S3Path;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.trust.RoleArn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Admission and code parse the same grammar: the generated CRD's pattern for {@code roleArn} and
 * for a Dataset's {@code path} accept exactly the samples {@link RoleArn} and {@link S3Path} accept,
 * over hand-picked edge cases and thousands of mutations of them. (Java's {@code matches()} stands
 * in for the API server's RE2; the patterns use no construct where the two differ, and the
 * parsers refuse every line terminator Java's {@code .} refuses.)
 */
class CrdPatternsAgreeTest {
  private static final List<String> ROLE_ARNS = List.of(
      "arn:aws:iam::111122223333:role/rime-s3",
      "arn:aws:iam::111122223333:role/path/to/role-name_1+=,.@",
      "arn:aws-cn:iam::111122223333:role/x",
      "arn:aws-us-gov:iam::111122223333:role/x",
      "arn:aws-iso:iam::111122223333:role/x",
      "arn:aws-iso-b:iam::111122223333:role/x",
      "arn:aws-iso-e:iam::111122223333:role/x",
      "arn:aws-iso-f:iam::111122223333:role/x",
      "arn:aws-eusc:iam::123456789012:role/x",
      "arn:aws-foo:iam::111122223333:role/x",
      "arn:awsx:iam::111122223333:role/x",
      "arn:aws-:iam::111122223333:role/x",
      "arn:aws:iam::11112222333:role/x",
      "arn:aws:iam::1111222233334:role/x",
      "arn:aws:iam:us-east-1:111122223333:role/x",
      "arn:aws:sts::111122223333:role/x",
      "arn:aws:iam::111122223333:user/x",
      "arn:aws:iam::111122223333:role/",
      "arn:aws:iam::111122223333:role/a b",
      "arn:aws:iam::111122223333:role/" + "r".repeat(512),
      "arn:aws:iam::111122223333:role/" + "r".repeat(513),
      "arn:aws:iam::111122223333:role/x\n",
      "arn:aws:iam::111122223333:role/é",
      "rime-s3",
      "");

  private static final List<String> PATHS = List.of(
      "s3://rime-blob-integration/data/fraud_ref.csv",
      "s3://bucket",
      "s3://bucket/",
      "s3://bucket/folder/",
      "s3://b.u-c.k3t/a b/ü.csv",
      "s3://ab/x",
      "s3://" + "b".repeat(63) + "/x",
      "s3://" + "b".repeat(64) + "/x",
      "s3://-bucket/x",
      "s3://bucket-/x",
      "s3://Bucket/x",
      "s3://bu_cket/x",
      "s3://bucket/x\n",
      "s3://bucket/x\r",
      "s3://bucket/x\u2028y",
      "rime-data/data/x.csv",
      "S3://bucket/x",
      "s3:/bucket/x",
      "https://bucket.s3.amazonaws.com/x",
      "s3://bucket/" + "k".repeat(1100),
      "");

  @Test
  void shouldAcceptExactlyTheRoleArnsTheCrdAdmits() {
    Pattern crd = Pattern.compile(property("awsintegrations", "spec", "auth", "irsa", "roleArn").getPattern());
    assertAgree(crd, null, ROLE_ARNS, "arn:aws-iso-b:iam::0123456789:role/Ab_+=,.@/-", CrdPatternsAgreeTest::parsesAsRoleArn);
  }

  @Test
  void shouldAcceptExactlyThePathsTheCrdAdmits() {
    JSONSchemaProps path = property("datasets", "spec", "path");
    Pattern crd = Pattern.compile(path.getPattern());
    Long max = path.getMaxLength();
    assertAgree(crd, max, PATHS, "s3://ab.-9z/Key_/ \n\u2028é", CrdPatternsAgreeTest::parsesAsS3Path);
  }

  @Test
  void shouldNameWhatIsWrongWithARoleArn() {
    assertThat(message(() -> RoleArn.parse("arn:aws-foo:iam::111122223333:role/x"))).contains("'aws-foo' is not an AWS partition");
    assertThat(message(() -> RoleArn.parse("arn:aws:iam::111122223333:user/x"))).contains("names a user, not a role");
    assertThat(message(() -> RoleArn.parse("arn:aws:iam::1111:role/x"))).contains("the account '1111' is not 12 digits");
    assertThat(RoleArn.parse("arn:aws-eusc:iam::123456789012:role/team/reader").name()).isEqualTo("reader");
  }

  @Test
  void shouldRefuseAPathWithoutSchemeAsWrittenNeverRewriteIt() {
    assertThat(message(() -> S3Path.parse("rime-data/data/x.csv")))
        .isEqualTo("'rime-data/data/x.csv' is not an s3:// URL; write it as s3://BUCKET/KEY");
    assertThat(S3Path.parse("s3://bucket")).isEqualTo(new S3Path("bucket", ""));
    assertThat(S3Path.parse("s3://bucket/a/b.csv")).isEqualTo(new S3Path("bucket", "a/b.csv"));
  }

  private static void assertAgree(Pattern crd, Long maxLength, List<String> seeds, String alphabet, Predicate<String> parser) {
    List<String> samples = new ArrayList<>(seeds);
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder(seeds.get(random.nextInt(seeds.size())));
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        int at = s.length() == 0 ? 0 : random.nextInt(s.length());
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (random.nextInt(3)) {
          case 0 -> s.insert(at, c);
          case 1 -> { if (s.length() > 0) { s.deleteCharAt(at); } }
          default -> { if (s.length() > 0) { s.setCharAt(at, c); } }
        }
      }
      samples.add(s.toString());
    }
    int accepted = 0;
    for (String sample : samples) {
      boolean admitted = crd.matcher(sample).matches() && (maxLength == null || sample.length() <= maxLength);
      assertThat(parser.test(sample)).as("parser and CRD on %s", sample.replace("\n", "\\n")).isEqualTo(admitted);
      accepted += admitted ? 1 : 0;
    }
    // Both sides of the grammar were exercised, not just refusals.
    assertThat(accepted).isBetween(100, samples.size() - 100);
  }

  private static boolean parsesAsRoleArn(String s) {
    try {
      RoleArn.parse(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean parsesAsS3Path(String s) {
    try {
      S3Path.parse(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String message(Runnable r) {
    try {
      r.run();
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private static JSONSchemaProps property(String plural, String... path) {
    CustomResourceDefinition crd = MockCluster.generatedCrds().stream()
        .filter(c -> c.getSpec().getNames().getPlural().equals(plural)).findFirst().orElseThrow();
    JSONSchemaProps props = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    for (String p : path) {
      props = props.getProperties().get(p);
    }
    return props;
  }
}
