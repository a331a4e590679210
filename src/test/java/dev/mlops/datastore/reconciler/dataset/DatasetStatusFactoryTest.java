package dev.mlops.datastore.reconciler.dataset;

import static dev.mlops.datastore.testing.ConditionAssert.assertThatConditions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.DatasetStatus;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.dataset.DatasetInspector;
import dev.mlops.datastore.dataset.Inspection;
import dev.mlops.datastore.dataset.InspectionLimits;
import dev.mlops.datastore.dataset.LocalObjectStore;
import dev.mlops.datastore.reconciler.Failure;
import dev.mlops.datastore.reconciler.awsintegration.AwsIntegrationStatusFactory;
import dev.mlops.datastore.testing.GoldenFiles;
import dev.mlops.datastore.testing.Resources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each Dataset status the factory builds, from real inspections of real files, pinned in golden YAML. */
class DatasetStatusFactoryTest {
  private static final Clock T0 = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
  private static final Clock T1 = Clock.fixed(Instant.parse("2026-11-22T11:00:00Z"), ZoneOffset.UTC);
  private static final DatasetInspector INSPECTOR = new DatasetInspector(InspectionLimits.forThisJvm());
  @TempDir Path dir;

  @Test
  void shouldBeReadyForAReadableParquetFileWithItsLabel() throws IOException {
    Path data = Path.of("src/test/resources/data/parquet");
    Inspection inspection = INSPECTOR.inspect(new LocalObjectStore(data), "alltypes_plain.parquet", false, Map.of("label_col", "bool_col"));
    DatasetStatus status = new DatasetStatusFactory(T0).inspected(dataset(), inspection);
    assertThatConditions(status.getConditions()).has("Ready", "True", "Ready").has("SchemaValid", "True", "ColumnsFound").allObserved(1);
    status.setLastModified(null); // the checkout's file time
    GoldenFiles.assertMatches("dataset/ready-parquet", status);
  }

  @Test
  void shouldPublishColumnNamesStrippedOfControlCharactersAndCapped() throws IOException {
    String longName = "x".repeat(500);
    Files.writeString(dir.resolve("odd.csv"), "\"a\u0007b\",\"multi\nline\"," + longName + "\n1,2,3\n");
    Inspection inspection = INSPECTOR.inspect(new LocalObjectStore(dir), "odd.csv", false, Map.of());

    DatasetStatus status = new DatasetStatusFactory(T0).inspected(dataset(), inspection);

    assertThat(status.getColumns()).containsExactly("ab", "multiline", "x".repeat(120) + "...");
  }

  @Test
  void shouldPublishNoColumnsForAFileThatIsNotTabular() throws IOException {
    Files.writeString(dir.resolve("prod.csv"), "DB_PASSWORD=hunter2-prod\nAPI_URL=https://x\n");
    Inspection inspection = INSPECTOR.inspect(new LocalObjectStore(dir), "prod.csv", false, Map.of("label_col", "label"));

    DatasetStatus status = new DatasetStatusFactory(T0).inspected(dataset(), inspection);

    assertThatConditions(status.getConditions()).has("FormatValid", "False", "NotTabular").has("Ready", "False", "NotTabular");
    assertThat(status.getColumns()).isNullOrEmpty();
    assertThat(io.fabric8.kubernetes.client.utils.Serialization.asYaml(status)).doesNotContain("hunter2");
  }

  @Test
  void shouldSayWhatTheContentReallyIsWhenTheNameDisagrees() throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write("id,label\n1,0\n".getBytes(StandardCharsets.UTF_8));
    }
    Files.write(dir.resolve("train.csv"), gz.toByteArray());
    Inspection inspection = INSPECTOR.inspect(new LocalObjectStore(dir), "train.csv", false, Map.of("label_col", "label"));
    DatasetStatus status = new DatasetStatusFactory(T0).inspected(dataset(), inspection);
    assertThatConditions(status.getConditions()).has("Ready", "False", "FormatMismatch").has("FormatValid", "False", "FormatMismatch");
    status.setLastModified(null);
    status.setEtag(null);
    GoldenFiles.assertMatches("dataset/format-mismatch", status);
  }

  @Test
  void shouldWaitForAMissingIntegrationAndSayWhy() {
    DatasetStatus status = new DatasetStatusFactory(T0).waiting(dataset(), null);
    assertThatConditions(status.getConditions()).has("Ready", "False", "IntegrationNotFound").has("IntegrationReady", "False", "IntegrationNotFound");
    GoldenFiles.assertMatches("dataset/integration-not-found", status);
  }

  @Test
  void shouldRepeatWhyTheIntegrationIsNotReady() {
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "a");
    ai.getMetadata().setGeneration(1L);
    ai.setStatus(new AwsIntegrationStatusFactory(T0).suspended(ai));
    DatasetStatus status = new DatasetStatusFactory(T0).waiting(dataset(), ai);
    assertThatConditions(status.getConditions()).has("Ready", "False", "IntegrationNotReady").withMessageContaining("Ready", "Suspended");
    GoldenFiles.assertMatches("dataset/integration-not-ready", status);
  }

  @Test
  void shouldMoveOnlyTheCheckTimeWhenNothingChanged() throws IOException {
    Dataset ds = dataset();
    Path data = Path.of("src/test/resources/data/parquet");
    ds.setStatus(new DatasetStatusFactory(T0).inspected(ds,
        INSPECTOR.inspect(new LocalObjectStore(data), "alltypes_plain.parquet", false, Map.of())));
    ds.setStatus(new DatasetStatusFactory(T1).failed(ds, new Failure.Transient(Failure.AWS_THROTTLED, "HeadObject: SlowDown; retrying")));
    DatasetStatus status = new DatasetStatusFactory(T1).rechecked(ds);
    assertThat(status.getLastCheckTime()).isEqualTo("2026-11-22T11:00:00Z");
    assertThatConditions(status.getConditions()).lacks("Reconciling").has("Ready", "True", "Ready");
    DatasetStatus before = ds.getStatus();
    before.setLastCheckTime(status.getLastCheckTime());
    before.setConditions(status.getConditions());
    assertThat(status).usingRecursiveComparison().isEqualTo(before);
  }

  @Test
  void shouldStallOnAPathWithoutKey() {
    Dataset ds = dataset();
    ds.getSpec().setPath("s3://rime-blob-integration");
    DatasetStatus status = new DatasetStatusFactory(T0).failed(ds, DatasetSpecRules.check(ds.getSpec()).problem());
    assertThatConditions(status.getConditions()).has("Stalled", "True", "InvalidSpec").withMessageContaining("Stalled", "spec.path");
    GoldenFiles.assertMatches("dataset/path-without-key", status);
  }

  @Test
  void shouldShowRetryingOnAFirstCheck() {
    DatasetStatus status = new DatasetStatusFactory(T0).failed(dataset(),
        new Failure.Transient(Failure.AWS_UNAVAILABLE, "GetObject of s3://rime-blob-integration/data/train.csv failed with 503; retrying"));
    assertThatConditions(status.getConditions()).has("Reconciling", "True", "AwsUnavailable").has("Ready", "Unknown", "AwsUnavailable");
    GoldenFiles.assertMatches("dataset/retrying-first-check", status);
  }

  private static Dataset dataset() {
    Dataset ds = Resources.dataset("fraud-ref", "fraud-data");
    ds.getMetadata().setGeneration(1L);
    ds.getMetadata().setUid("7d1f0c6e-0000-4000-8000-000000000002");
    return ds;
  }
}
