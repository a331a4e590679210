package dev.mlops.datastore.reconciler.dataset;

import static dev.mlops.datastore.testing.ConditionAssert.assertThatConditions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.DatasetStatus;
import dev.mlops.datastore.dataset.DatasetInspector;
import dev.mlops.datastore.dataset.Inspection;
import dev.mlops.datastore.dataset.InspectionLimits;
import dev.mlops.datastore.dataset.LocalObjectStore;
import dev.mlops.datastore.testing.Resources;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 16: a Delta row count that is partial or missing says so where a person reads it. */
class DatasetRowsNoteTest {
  private static final Clock T0 = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void shouldSayWhyATablesRowsAreNotCountedInTheReadyMessage() {
    // delta-io's golden table of three files written without statistics.
    Path table = Path.of("src/test/resources/data/delta/data-reader-partition-values");
    Inspection inspection = new DatasetInspector(InspectionLimits.forThisJvm()).inspect(new LocalObjectStore(table), "", true, Map.of());
    Dataset ds = Resources.dataset("fraud-ref", "fraud-data");
    ds.getMetadata().setGeneration(1L);

    DatasetStatus status = new DatasetStatusFactory(T0).inspected(ds, inspection);

    assertThat(status.getRows()).isNull();
    assertThatConditions(status.getConditions())
        .has("Ready", "True", "Ready")
        .withMessageContaining("FormatValid", "rows not counted: none of the 3 files carries numRecords statistics");
  }
}
