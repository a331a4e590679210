package dev.mlops.datastore.reconciler.dataset;

import static dev.mlops.datastore.testing.Resources.BUCKET;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static dev.mlops.datastore.testing.Resources.ROLE_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.DataType;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import dev.mlops.datastore.sandbox.aws.S3Front;
import dev.mlops.datastore.testing.StatusAwait;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Datasets end to end: the operator reads real files from S3Proxy with the integration's proven
 * identity; requests and bytes are counted at the S3 server, not assumed.
 */
class DatasetInspectionIT {
  private static final Path DATA = Path.of("src", "test", "resources", "data");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private MockCluster cluster;

  @BeforeEach
  void start() throws IOException {
    cluster = new MockCluster();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    cluster.startOperator(Clock.systemUTC(), Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER, OperatorConfig.MIN_CHECK_INTERVAL, "1s"));
    Resources.knownRole(cluster);
    cluster.aws().s3().putObject(BUCKET, "data/alltypes.parquet", Files.readAllBytes(DATA.resolve("parquet/alltypes_plain.parquet")));
    Path table = DATA.resolve("delta/basic-with-inserts-deletes-checkpoint");
    try (Stream<Path> files = Files.walk(table)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        cluster.aws().s3().putObject(BUCKET, "tables/basic/" + table.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    cluster.client().resource(Resources.serviceAccount("reader", Map.of())).create();
    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "reader")).create();
    await().atMost(WAIT).until(() -> Conditions.isTrue(
        Optional.ofNullable(cluster.client().resources(dev.mlops.datastore.api.v1alpha1.AwsIntegration.class).inNamespace(NAMESPACE)
            .withName("fraud-data").get()).map(a -> a.getStatus() == null ? null : a.getStatus().getConditions()).orElse(null), Conditions.READY));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private S3Front s3() {
    return cluster.aws().s3();
  }

  private void dataset(String name, String path, DataType type, Map<String, String> params, String interval) {
    Dataset ds = Resources.dataset(name, "fraud-data");
    ds.getSpec().setPath(path);
    ds.getSpec().setDataType(type);
    ds.getSpec().setDataParams(params);
    ds.getSpec().setCheckInterval(interval);
    cluster.client().resource(ds).create();
  }

  private List<S3Front.Call> callsFor(String keyPrefix) {
    return s3().calls().stream().filter(c -> c.key() != null && c.key().startsWith(keyPrefix)).toList();
  }

  @Test
  void shouldCheckEachSeedTypeWithTheFewestRequestsAndNoStsOrIamCall() {
    cluster.aws().iamSts().clearCalls();
    s3().clearCalls();

    dataset("csv", "s3://" + BUCKET + "/data/fraud_ref.csv", null, Map.of("label_col", "label"), "1h");
    dataset("parquet", "s3://" + BUCKET + "/data/alltypes.parquet", null, Map.of("label_col", "bool_col"), "1h");
    dataset("delta", "s3://" + BUCKET + "/tables/basic", DataType.DATA_TYPE_DELTA_TABLE, Map.of("label_col", "id"), "1h");

    for (String name : List.of("csv", "parquet", "delta")) {
      awaitCondition(name, Conditions.READY, c -> c.getStatus().equals("True"));
    }
    assertThat(get("csv").getStatus().getColumns()).containsExactly("id", "amount", "label");
    assertThat(get("parquet").getStatus().getRows()).isEqualTo(8L);
    assertThat(get("parquet").getStatus().getColumnCount()).isEqualTo(11);
    assertThat(get("delta").getStatus().getDelta().getVersion()).isEqualTo(13L);
    assertThat(get("delta").getStatus().getDelta().getFiles()).isEqualTo(7);
    assertThat(get("delta").getStatus().getFormat()).isEqualTo("DELTA_TABLE");

    // One ranged GET each: its answer carries the size, ETag and Last-Modified a HEAD used to fetch.
    assertThat(callsFor("data/fraud_ref.csv")).extracting(S3Front.Call::operation).containsExactly("GetObject");
    assertThat(callsFor("data/alltypes.parquet")).extracting(S3Front.Call::operation).containsExactly("GetObject");
    List<S3Front.Call> delta = s3().calls().stream().filter(c -> "ListObjects".equals(c.operation()) || c.key() != null && c.key().startsWith("tables/basic")).toList();
    // _last_checkpoint, the listing, commits 11-13, the checkpoint's footer, its metaData/protocol
    // chunks and its add statistics (for the row count): the checkpoint's size comes with its
    // suffix GET, not from a HEAD.
    assertThat(delta).hasSizeLessThanOrEqualTo(8);
    assertThat(delta).extracting(S3Front.Call::operation).doesNotContain("HeadObject");
    assertThat(delta.stream().filter(c -> c.operation().equals("ListObjects"))).hasSize(1);
    assertThat(cluster.aws().iamSts().calls()).isEmpty();
    assertThat(get("csv").getStatus().getBytesRead()).isEqualTo(s3().bytesOut(BUCKET, "data/fraud_ref.csv"));
  }

  @Test
  void shouldReadOnlyKilobytesOfAnObjectOfHundredsOfMegabytes() {
    long size = 300L * 1024 * 1024;
    byte[] header = "id,amount,label\n".getBytes(StandardCharsets.UTF_8);
    byte[] row = "123456,99.95,0\n".getBytes(StandardCharsets.UTF_8);
    s3().putObject(BUCKET, "data/huge.csv", new InputStream() {
      long position;

      @Override
      public int read() {
        if (position >= size) {
          return -1;
        }
        long p = position++;
        return p < header.length ? header[(int) p] : row[(int) ((p - header.length) % row.length)];
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (position >= size) {
          return -1;
        }
        int n = (int) Math.min(len, size - position);
        for (int i = 0; i < n; i++) {
          b[off + i] = (byte) read();
        }
        return n;
      }
    }, size);

    dataset("huge", "s3://" + BUCKET + "/data/huge.csv", null, Map.of("label_col", "label"), "1h");

    awaitCondition("huge", Conditions.READY, c -> c.getStatus().equals("True"));
    assertThat(get("huge").getStatus().getSizeBytes()).isEqualTo(size);
    assertThat(s3().bytesOut(BUCKET, "data/huge.csv")).isLessThanOrEqualTo(64 * 1024);
  }

  @Test
  void shouldTellAMissingKeyFromAKeyItMayNotSee() {
    dataset("missing", "s3://" + BUCKET + "/data/nope.csv", null, Map.of(), "1h");
    Condition missing = awaitCondition("missing", "Readable", c -> c.getStatus().equals("False"));
    assertThat(missing.getReason()).isEqualTo("ObjectNotFound");
    // The 403 an identity without s3:ListBucket gets for a missing key can no longer be reached
    // here: a Dataset must lie in its integration's bucket (PathOutsideIntegration), and an
    // integration is Ready only when ListBucket works on that bucket.
  }

  @Test
  void shouldAttributeAnUnreadableSseKmsObjectToKms() {
    cluster.aws().bucket("kms-bucket", Resources.ACCOUNT, "us-east-1");
    cluster.aws().world().kms("kms-bucket", "arn:aws:kms:us-east-1:111122223333:key/abcd", List.of("data/"))
        .grant(ROLE_ARN, "kms-bucket", "", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    s3().putObject("kms-bucket", "plain.csv", "a,b\n".getBytes(StandardCharsets.UTF_8));
    s3().putObject("kms-bucket", "data/secret.csv", "a,b\n".getBytes(StandardCharsets.UTF_8));
    // A Dataset reads only in its integration's bucket: one for kms-bucket, probed on a plain object.
    cluster.client().resource(Resources.serviceAccount("kms-reader", Map.of())).create();
    var kmsIntegration = Resources.irsaIntegration("kms-data", Platform.Custom, "kms-reader");
    kmsIntegration.getSpec().setBucket("kms-bucket");
    kmsIntegration.getSpec().setProbeKey("plain.csv");
    cluster.client().resource(kmsIntegration).create();

    Dataset ds = Resources.dataset("encrypted", "kms-data");
    ds.getSpec().setPath("s3://kms-bucket/data/secret.csv");
    ds.getSpec().setDataParams(Map.of());
    ds.getSpec().setCheckInterval("1h");
    cluster.client().resource(ds).create();

    Condition readable = awaitCondition("encrypted", "Readable", c -> c.getStatus().equals("False"));
    assertThat(readable.getReason()).isEqualTo("KmsAccessDenied");
    assertThat(conditionOf("encrypted", Conditions.READY).orElseThrow().getReason()).isEqualTo("KmsAccessDenied");
  }

  @Test
  void shouldSuggestTheColumnALabelWasMeantToName() {
    dataset("typo", "s3://" + BUCKET + "/data/fraud_ref.csv", null, Map.of("label_col", "lable"), "1h");

    Condition schema = awaitCondition("typo", "SchemaValid", c -> c.getStatus().equals("False"));
    assertThat(schema.getReason()).isEqualTo("ColumnNotFound");
    assertThat(schema.getMessage()).contains("did you mean 'label'?");
    assertThat(conditionOf("typo", "FormatValid").orElseThrow().getStatus()).isEqualTo("True");
  }

  @Test
  void shouldReadNothingAgainAndWriteNothingWhileTheEtagStaysAndFollowAChange() {
    s3().putObject(BUCKET, "data/live.csv", "id,label\n1,0\n".getBytes(StandardCharsets.UTF_8));
    dataset("live", "s3://" + BUCKET + "/data/live.csv", null, Map.of("label_col", "label"), "1s");
    awaitCondition("live", Conditions.READY, c -> c.getStatus().equals("True"));
    List<Condition> before = get("live").getStatus().getConditions();
    s3().clearCalls();
    cluster.dispatcher().clearRecorded();

    await().atMost(WAIT).until(() -> callsFor("data/live.csv").size() >= 3);

    assertThat(callsFor("data/live.csv")).extracting(S3Front.Call::operation).containsOnly("HeadObject");
    // Only the check time moves (DESIGN section 3's one exception, and what a restart reads the
    // schedule from): at most one status write per check, the same conditions, no Event.
    long heads = callsFor("data/live.csv").size();
    assertThat(cluster.dispatcher().requests().stream().filter(r -> r.isPatch() && r.pathWithoutQuery().endsWith("/datasets/live/status")).count())
        .isLessThanOrEqualTo(heads + 1);
    assertThat(get("live").getStatus().getConditions()).usingRecursiveFieldByFieldElementComparator().isEqualTo(before);
    assertThat(cluster.dispatcher().requests()).noneMatch(r -> r.method().equals("POST") && r.pathWithoutQuery().endsWith("/events"));

    s3().putObject(BUCKET, "data/live.csv", "id,score,label\n1,0.5,0\n".getBytes(StandardCharsets.UTF_8));

    await().atMost(WAIT).until(() -> get("live").getStatus().getColumns().contains("score"));
  }

  private Dataset get(String name) {
    return cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private Optional<Condition> conditionOf(String name, String type) {
    return StatusAwait.condition(cluster.client(), Dataset.class, NAMESPACE, name, type);
  }

  private Condition awaitCondition(String name, String type, Predicate<Condition> test) {
    return StatusAwait.awaitCondition(cluster.client(), Dataset.class, NAMESPACE, name, type, test);
  }
}
