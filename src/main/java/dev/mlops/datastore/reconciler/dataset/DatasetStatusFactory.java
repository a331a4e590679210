package dev.mlops.datastore.reconciler.dataset;

import static dev.mlops.datastore.reconciler.Conditions.READY;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.DatasetStatus;
import dev.mlops.datastore.api.v1alpha1.DeltaInfo;
import dev.mlops.datastore.dataset.Inspection;
import dev.mlops.datastore.dataset.TextSchemaReader;
import dev.mlops.datastore.dataset.Problem;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.reconciler.Failure;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds a fresh Dataset status: the integration link, then what inspection found, one condition
 * per link (Readable, FormatValid, SchemaValid), and Ready naming the first broken one.
 */
public final class DatasetStatusFactory {
  public static final String INTEGRATION_READY = "IntegrationReady";
  public static final String READABLE = "Readable";
  public static final String FORMAT_VALID = "FormatValid";
  public static final String SCHEMA_VALID = "SchemaValid";

  public static final String INTEGRATION_NOT_FOUND = "IntegrationNotFound";
  public static final String INTEGRATION_NOT_READY = "IntegrationNotReady";
  public static final String INTEGRATION_READY_REASON = "IntegrationReady";
  public static final String CREDENTIALS_PENDING = "CredentialsPending";
  public static final String NOT_READ = "NotRead";
  static final int MAX_COLUMNS = 200;
  static final int MAX_COLUMN_NAME = 120;

  private final Clock clock;

  public DatasetStatusFactory(Clock clock) {
    this.clock = clock;
  }

  /** The integration is missing or not Ready: nothing was read; the last findings stay visible. */
  public DatasetStatus waiting(Dataset ds, AwsIntegration integration) {
    Conditions conditions = start(ds);
    String ref = ds.getSpec().getIntegrationRef().getName();
    String reason;
    String message;
    if (integration == null) {
      reason = INTEGRATION_NOT_FOUND;
      message = "AwsIntegration " + ref + " does not exist in namespace " + ds.getMetadata().getNamespace()
          + "; the dataset is checked once it is created";
    } else {
      String why = Conditions.find(integration.getStatus() == null ? null : integration.getStatus().getConditions(), READY)
          .map(c -> c.getReason() + ": " + c.getMessage())
          .orElse("it has not been checked yet");
      reason = INTEGRATION_NOT_READY;
      message = "AwsIntegration " + ref + " is not Ready (" + why + ")";
    }
    conditions.set(INTEGRATION_READY, false, reason, message);
    conditions.set(READY, false, reason, message);
    DatasetStatus status = keepFindings(ds);
    status.setObservedGeneration(ds.getMetadata().getGeneration());
    status.setConditions(conditions.build());
    return status;
  }

  /**
   * The integration is Ready, but proved no credentials a Dataset could read with (its live proof
   * was skipped or is not verified): nothing is read until it does.
   */
  public DatasetStatus credentialsPending(Dataset ds) {
    Conditions conditions = start(ds);
    String ref = ds.getSpec().getIntegrationRef().getName();
    conditions.set(INTEGRATION_READY, true, INTEGRATION_READY_REASON, "AwsIntegration " + ref + " is Ready");
    String message = "AwsIntegration " + ref + " is Ready but has proven no credentials the dataset could be read with"
        + " (its CredentialsVerified condition says why); the dataset is read as soon as it has";
    conditions.set(READABLE, Conditions.UNKNOWN, CREDENTIALS_PENDING, message);
    conditions.set(READY, Conditions.UNKNOWN, CREDENTIALS_PENDING, message);
    DatasetStatus status = keepFindings(ds);
    status.setObservedGeneration(ds.getMetadata().getGeneration());
    status.setConditions(conditions.build());
    return status;
  }

  public DatasetStatus inspected(Dataset ds, Inspection inspection) {
    Conditions conditions = start(ds);
    String ref = ds.getSpec().getIntegrationRef().getName();
    conditions.set(INTEGRATION_READY, true, INTEGRATION_READY_REASON, "AwsIntegration " + ref + " is Ready");
    List<Problem> readProblems = of(inspection, Problem.Link.READABLE);
    List<Problem> formatProblems = of(inspection, Problem.Link.FORMAT);
    List<Problem> schemaProblems = of(inspection, Problem.Link.SCHEMA);
    String cost = "read " + inspection.bytesRead() + " bytes in " + inspection.requests() + (inspection.requests() == 1 ? " request" : " requests");
    set(conditions, READABLE, readProblems, "Readable", "readable with the integration's identity (" + cost + ")");
    if (!readProblems.isEmpty()) {
      conditions.set(FORMAT_VALID, Conditions.UNKNOWN, NOT_READ, "not read: " + readProblems.get(0).reason());
      conditions.set(SCHEMA_VALID, Conditions.UNKNOWN, NOT_READ, "not read: " + readProblems.get(0).reason());
    } else {
      set(conditions, FORMAT_VALID, formatProblems, "FormatValid", describeFormat(inspection));
      if (!formatProblems.isEmpty() && inspection.columns().isEmpty()) {
        conditions.set(SCHEMA_VALID, Conditions.UNKNOWN, NOT_READ, "no columns could be read: " + formatProblems.get(0).reason());
      } else {
        set(conditions, SCHEMA_VALID, schemaProblems, "ColumnsFound", "every column named in dataParams exists");
      }
    }
    Problem first = inspection.problems().isEmpty() ? null : inspection.problems().get(0);
    if (first == null) {
      conditions.set(READY, true, "Ready", describeFormat(inspection));
    } else {
      conditions.set(READY, false, first.reason(), first.message());
    }
    DatasetStatus status = new DatasetStatus();
    status.setObservedGeneration(ds.getMetadata().getGeneration());
    status.setConditions(conditions.build());
    status.setFormat(inspection.format() == null ? null : inspection.format().name());
    status.setSizeBytes(inspection.sizeBytes());
    status.setLastModified(inspection.lastModified() == null ? null : inspection.lastModified().truncatedTo(ChronoUnit.SECONDS).toString());
    status.setEtag(inspection.etag());
    List<String> columns = inspection.columns();
    if (!columns.isEmpty()) {
      // Names come from the object's bytes: published only stripped of control characters and capped.
      status.setColumns((columns.size() > MAX_COLUMNS ? columns.subList(0, MAX_COLUMNS) : columns).stream()
          .map(c -> TextSchemaReader.printable(c, MAX_COLUMN_NAME)).toList());
      status.setColumnCount(columns.size());
    }
    status.setRows(inspection.rows());
    if (inspection.delta() != null) {
      DeltaInfo delta = new DeltaInfo();
      delta.setVersion(inspection.delta().version());
      delta.setFiles(inspection.delta().files());
      delta.setPartitionColumns(inspection.delta().partitionColumns());
      status.setDelta(delta);
    }
    status.setBytesRead(inspection.bytesRead());
    status.setLastCheckTime(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
    return status;
  }

  /** Checked again and found unchanged (same ETag or Delta version): only the check time moves. */
  public DatasetStatus rechecked(Dataset ds) {
    DatasetStatus status = keepFindings(ds);
    status.setObservedGeneration(ds.getMetadata().getGeneration());
    List<Condition> conditions = new java.util.ArrayList<>(status.getConditions() == null ? List.of() : status.getConditions());
    conditions.removeIf(c -> c.getType().equals(Conditions.RECONCILING));
    status.setConditions(conditions);
    status.setLastCheckTime(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
    return status;
  }

  /** The status after a failure; see {@link Failure} and {@link Conditions#afterFailure}. */
  public DatasetStatus failed(Dataset ds, Failure failure) {
    DatasetStatus status = keepFindings(ds);
    status.setConditions(Conditions.afterFailure(status.getConditions(), ds.getMetadata().getGeneration(), clock, failure));
    if (failure instanceof Failure.NeedsSpecChange) {
      status.setObservedGeneration(ds.getMetadata().getGeneration());
    }
    return status;
  }

  private static String describeFormat(Inspection i) {
    String format = i.format() == null ? "unknown format" : i.format().name();
    String rows = (i.rows() == null ? "" : ", " + i.rows() + " rows") + (i.rowsNote() == null ? "" : " (" + i.rowsNote() + ")");
    String delta = i.delta() == null ? "" : ", version " + i.delta().version() + ", " + i.delta().files() + " files";
    return format + " with " + i.columns().size() + " columns" + rows + delta;
  }

  private static void set(Conditions conditions, String type, List<Problem> problems, String okReason, String okMessage) {
    if (problems.isEmpty()) {
      conditions.set(type, true, okReason, okMessage);
    } else {
      conditions.set(type, false, problems.get(0).reason(),
          problems.stream().map(Problem::message).collect(Collectors.joining("; ")));
    }
  }

  private static List<Problem> of(Inspection i, Problem.Link link) {
    return i.problems().stream().filter(p -> p.link() == link).toList();
  }

  private Conditions start(Dataset ds) {
    List<Condition> previous = ds.getStatus() == null ? null : ds.getStatus().getConditions();
    return Conditions.after(previous, ds.getMetadata().getGeneration(), clock);
  }

  private static DatasetStatus keepFindings(Dataset ds) {
    return ds.getStatus() == null ? new DatasetStatus() : io.fabric8.kubernetes.client.utils.Serialization.clone(ds.getStatus());
  }
}
