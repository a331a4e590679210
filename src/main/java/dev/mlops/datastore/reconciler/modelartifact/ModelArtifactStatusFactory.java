package dev.mlops.datastore.reconciler.modelartifact;

import static dev.mlops.datastore.reconciler.Conditions.READY;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.ModelArtifact;
import dev.mlops.datastore.api.v1alpha1.ModelArtifactFile;
import dev.mlops.datastore.api.v1alpha1.ModelArtifactStatus;
import dev.mlops.datastore.model.ModelInspection;
import dev.mlops.datastore.model.ModelProblem;
import dev.mlops.datastore.model.ModelRules;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.reconciler.Failure;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds a fresh ModelArtifact status: the integration link, then what inspection found, one
 * condition per link (Readable, ArtifactValid), and Ready naming the first broken one.
 */
public final class ModelArtifactStatusFactory {
  public static final String INTEGRATION_READY = "IntegrationReady";
  public static final String READABLE = "Readable";
  public static final String ARTIFACT_VALID = "ArtifactValid";

  public static final String INTEGRATION_NOT_FOUND = "IntegrationNotFound";
  public static final String INTEGRATION_NOT_READY = "IntegrationNotReady";
  public static final String INTEGRATION_READY_REASON = "IntegrationReady";
  public static final String CREDENTIALS_PENDING = "CredentialsPending";
  public static final String NOT_READ = "NotRead";
  public static final String READY_REASON = "Ready";
  static final int MAX_LISTED = 50;

  private final Clock clock;

  public ModelArtifactStatusFactory(Clock clock) {
    this.clock = clock;
  }

  /** The integration is missing or not Ready: nothing was read; the last findings stay visible. */
  public ModelArtifactStatus waiting(ModelArtifact ma, AwsIntegration integration) {
    Conditions conditions = start(ma);
    String ref = ma.getSpec().getIntegrationRef().getName();
    String reason;
    String message;
    if (integration == null) {
      reason = INTEGRATION_NOT_FOUND;
      message = "AwsIntegration " + ref + " does not exist in namespace " + ma.getMetadata().getNamespace()
          + "; the model is checked once it is created";
    } else {
      String why = Conditions.find(integration.getStatus() == null ? null : integration.getStatus().getConditions(), READY)
          .map(c -> c.getReason() + ": " + c.getMessage())
          .orElse("it has not been checked yet");
      reason = INTEGRATION_NOT_READY;
      message = "AwsIntegration " + ref + " is not Ready (" + why + ")";
    }
    conditions.set(INTEGRATION_READY, false, reason, message);
    conditions.set(READY, false, reason, message);
    ModelArtifactStatus status = keepFindings(ma);
    status.setObservedGeneration(ma.getMetadata().getGeneration());
    status.setConditions(conditions.build());
    return status;
  }

  /** The integration is Ready but proved no credentials a model could be read with. */
  public ModelArtifactStatus credentialsPending(ModelArtifact ma) {
    Conditions conditions = start(ma);
    String ref = ma.getSpec().getIntegrationRef().getName();
    conditions.set(INTEGRATION_READY, true, INTEGRATION_READY_REASON, "AwsIntegration " + ref + " is Ready");
    String message = "AwsIntegration " + ref + " is Ready but has proven no credentials the model could be read with"
        + " (its CredentialsVerified condition says why); the model is read as soon as it has";
    conditions.set(READABLE, Conditions.UNKNOWN, CREDENTIALS_PENDING, message);
    conditions.set(READY, Conditions.UNKNOWN, CREDENTIALS_PENDING, message);
    ModelArtifactStatus status = keepFindings(ma);
    status.setObservedGeneration(ma.getMetadata().getGeneration());
    status.setConditions(conditions.build());
    return status;
  }

  public ModelArtifactStatus inspected(ModelArtifact ma, ModelInspection inspection) {
    Conditions conditions = start(ma);
    String ref = ma.getSpec().getIntegrationRef().getName();
    conditions.set(INTEGRATION_READY, true, INTEGRATION_READY_REASON, "AwsIntegration " + ref + " is Ready");
    List<ModelProblem> readProblems = of(inspection, ModelProblem.Link.READABLE);
    List<ModelProblem> artifactProblems = of(inspection, ModelProblem.Link.ARTIFACT);
    String cost = "read " + inspection.bytesRead() + " bytes in " + inspection.requests() + " requests";
    set(conditions, READABLE, readProblems, READABLE, "readable with the integration's identity (" + cost + ")");
    if (!readProblems.isEmpty()) {
      conditions.set(ARTIFACT_VALID, Conditions.UNKNOWN, NOT_READ, "not read: " + readProblems.get(0).reason());
    } else {
      set(conditions, ARTIFACT_VALID, artifactProblems, ARTIFACT_VALID, describe(inspection));
    }
    ModelProblem first = inspection.problems().isEmpty() ? null : inspection.problems().get(0);
    if (first == null) {
      conditions.set(READY, true, READY_REASON, describe(inspection));
    } else {
      conditions.set(READY, false, first.reason(), first.message());
    }
    ModelArtifactStatus status = new ModelArtifactStatus();
    status.setObservedGeneration(ma.getMetadata().getGeneration());
    status.setConditions(conditions.build());
    status.setPlatform(inspection.rules().platform());
    status.setSizeBytes(inspection.sizeBytes());
    status.setLastModified(inspection.lastModified() == null ? null : inspection.lastModified().truncatedTo(ChronoUnit.SECONDS).toString());
    status.setEtag(inspection.etag());
    if (!inspection.functions().isEmpty()) {
      status.setFunctions(cap(inspection.functions()));
    }
    if (!inspection.artifacts().isEmpty()) {
      List<ModelArtifactFile> files = new ArrayList<>();
      for (ModelInspection.Artifact a : cap(inspection.artifacts())) {
        ModelArtifactFile f = new ModelArtifactFile();
        f.setName(a.name());
        f.setSizeBytes(a.sizeBytes());
        f.setFormat(a.format() == null ? null : a.format().name());
        files.add(f);
      }
      status.setArtifacts(files);
    }
    if (!inspection.siblings().isEmpty() || inspection.siblingsTruncated()) {
      status.setSiblings(cap(inspection.siblings()));
      status.setSiblingCount(inspection.siblings().size());
    }
    if (inspection.siblingsTruncated()) {
      status.setSiblingsTruncated(true);
    }
    status.setBytesRead(inspection.bytesRead());
    status.setLastCheckTime(now());
    return status;
  }

  /** Checked again and found unchanged (same ETag): only the check time moves. */
  public ModelArtifactStatus rechecked(ModelArtifact ma) {
    ModelArtifactStatus status = keepFindings(ma);
    status.setObservedGeneration(ma.getMetadata().getGeneration());
    List<Condition> conditions = new ArrayList<>(status.getConditions() == null ? List.of() : status.getConditions());
    conditions.removeIf(c -> c.getType().equals(Conditions.RECONCILING));
    status.setConditions(conditions);
    status.setLastCheckTime(now());
    return status;
  }

  /** The status after a failure; see {@link Failure} and {@link Conditions#afterFailure}. */
  public ModelArtifactStatus failed(ModelArtifact ma, Failure failure) {
    ModelArtifactStatus status = keepFindings(ma);
    status.setConditions(Conditions.afterFailure(status.getConditions(), ma.getMetadata().getGeneration(), clock, failure));
    if (failure instanceof Failure.NeedsSpecChange) {
      status.setObservedGeneration(ma.getMetadata().getGeneration());
    }
    return status;
  }

  private static String describe(ModelInspection i) {
    String size = i.sizeBytes() == null ? "" : " (" + i.sizeBytes() + " bytes)";
    int n = i.siblings().size();
    String beside = n == 0 ? "" : "; " + n + (i.siblingsTruncated() ? "+" : "") + (n == 1 && !i.siblingsTruncated() ? " other object" : " other objects")
        + " beside it";
    if (i.rules() == ModelRules.ROBUST_INTELLIGENCE) {
      String predict = i.functions().stream().filter(f -> f.equals("predict_dict") || f.equals("predict_df")).findFirst()
          .orElse("predict_dict or predict_df");
      return "Robust Intelligence model file" + size + " binds " + predict + " at module level" + beside;
    }
    String artifacts = i.artifacts().stream().map(a -> a.name() + (a.format() == null ? "" : " (" + a.format() + ")"))
        .collect(Collectors.joining(", "));
    boolean custom = !i.functions().isEmpty() || i.artifacts().isEmpty();
    return "DataRobot custom model: " + (artifacts.isEmpty() ? "" : artifacts) + (custom ? (artifacts.isEmpty() ? "" : " and ") + "custom.py" : "")
        + (i.functions().isEmpty() ? "" : " with " + String.join(", ", cap(i.functions())));
  }

  private static void set(Conditions conditions, String type, List<ModelProblem> problems, String okReason, String okMessage) {
    if (problems.isEmpty()) {
      conditions.set(type, true, okReason, okMessage);
    } else {
      conditions.set(type, false, problems.get(0).reason(), problems.stream().map(ModelProblem::message).collect(Collectors.joining("; ")));
    }
  }

  private static List<ModelProblem> of(ModelInspection i, ModelProblem.Link link) {
    return i.problems().stream().filter(p -> p.link() == link).toList();
  }

  private static <T> List<T> cap(List<T> list) {
    return list.size() > MAX_LISTED ? list.subList(0, MAX_LISTED) : list;
  }

  private String now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private Conditions start(ModelArtifact ma) {
    List<Condition> previous = ma.getStatus() == null ? null : ma.getStatus().getConditions();
    return Conditions.after(previous, ma.getMetadata().getGeneration(), clock);
  }

  private static ModelArtifactStatus keepFindings(ModelArtifact ma) {
    return ma.getStatus() == null ? new ModelArtifactStatus() : Serialization.clone(ma.getStatus());
  }
}
