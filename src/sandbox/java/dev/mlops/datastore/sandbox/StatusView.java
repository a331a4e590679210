package dev.mlops.datastore.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.datastore.api.v1alpha1.AccessCheck;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.ModelArtifact;
import dev.mlops.datastore.api.v1alpha1.ServiceAccountStatus;
import dev.mlops.datastore.reconciler.Conditions;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** What the sandbox shows: a table for people, or the full statuses as JSON. */
final class StatusView {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusView() {}

  static List<AwsIntegration> integrations(KubernetesClient client) {
    return client.resources(AwsIntegration.class).inAnyNamespace().list().getItems().stream()
        .sorted(Comparator.comparing((AwsIntegration a) -> a.getMetadata().getNamespace()).thenComparing(a -> a.getMetadata().getName())).toList();
  }

  static List<Dataset> datasets(KubernetesClient client) {
    return client.resources(Dataset.class).inAnyNamespace().list().getItems().stream()
        .sorted(Comparator.comparing((Dataset a) -> a.getMetadata().getNamespace()).thenComparing(a -> a.getMetadata().getName())).toList();
  }

  static List<ModelArtifact> modelArtifacts(KubernetesClient client) {
    return client.resources(ModelArtifact.class).inAnyNamespace().list().getItems().stream()
        .sorted(Comparator.comparing((ModelArtifact a) -> a.getMetadata().getNamespace()).thenComparing(a -> a.getMetadata().getName())).toList();
  }

  /** The statuses, when every resource is checked for its generation and nothing retries; else null. */
  static String snapshot(KubernetesClient client) {
    StringBuilder sb = new StringBuilder();
    for (AwsIntegration a : integrations(client)) {
      if (!settled(a.getMetadata().getGeneration(), a.getStatus() == null ? null : a.getStatus().getObservedGeneration(),
          a.getStatus() == null ? null : a.getStatus().getConditions())) {
        return null;
      }
      sb.append(JSON.valueToTree(a.getStatus()).toString());
    }
    for (Dataset d : datasets(client)) {
      if (!settled(d.getMetadata().getGeneration(), d.getStatus() == null ? null : d.getStatus().getObservedGeneration(),
          d.getStatus() == null ? null : d.getStatus().getConditions())) {
        return null;
      }
      ObjectNode s = JSON.valueToTree(d.getStatus());
      s.remove("lastCheckTime");
      sb.append(s);
    }
    for (ModelArtifact m : modelArtifacts(client)) {
      if (!settled(m.getMetadata().getGeneration(), m.getStatus() == null ? null : m.getStatus().getObservedGeneration(),
          m.getStatus() == null ? null : m.getStatus().getConditions())) {
        return null;
      }
      ObjectNode s = JSON.valueToTree(m.getStatus());
      s.remove("lastCheckTime");
      sb.append(s);
    }
    return sb.toString();
  }

  private static boolean settled(Long generation, Long observed, List<Condition> conditions) {
    return observed != null && Objects.equals(generation, observed) && !Conditions.isTrue(conditions, Conditions.RECONCILING)
        && Conditions.find(conditions, Conditions.READY).map(c -> !c.getReason().equals("CredentialsPending")).orElse(false);
  }

  static String json(KubernetesClient client, Duration took, boolean settled, ArrayNode steps) {
    ObjectNode root = JSON.createObjectNode();
    root.put("settled", settled);
    root.put("startupToSettledMillis", took.toMillis());
    root.setAll(view(client));
    if (steps != null) {
      root.set("steps", steps);
    }
    return root.toPrettyString();
  }

  /**
   * The statuses of every AwsIntegration and Dataset, and every ServiceAccount with its annotations
   * (in the sandbox's cluster, each of them came from the scene).
   */
  static ObjectNode view(KubernetesClient client) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode ai = root.putArray("awsIntegrations");
    for (AwsIntegration a : integrations(client)) {
      ai.addObject().put("namespace", a.getMetadata().getNamespace()).put("name", a.getMetadata().getName())
          .set("status", JSON.valueToTree(a.getStatus()));
    }
    ArrayNode ds = root.putArray("datasets");
    for (Dataset d : datasets(client)) {
      ds.addObject().put("namespace", d.getMetadata().getNamespace()).put("name", d.getMetadata().getName())
          .set("status", JSON.valueToTree(d.getStatus()));
    }
    ArrayNode models = root.putArray("modelArtifacts");
    for (ModelArtifact m : modelArtifacts(client)) {
      models.addObject().put("namespace", m.getMetadata().getNamespace()).put("name", m.getMetadata().getName())
          .set("status", JSON.valueToTree(m.getStatus()));
    }
    ArrayNode sas = root.putArray("serviceAccounts");
    client.serviceAccounts().inAnyNamespace().list().getItems().stream()
        .sorted(Comparator.comparing((ServiceAccount a) -> a.getMetadata().getNamespace()).thenComparing(a -> a.getMetadata().getName()))
        .forEach(sa -> sas.addObject().put("namespace", sa.getMetadata().getNamespace()).put("name", sa.getMetadata().getName())
            .set("annotations", JSON.valueToTree(sa.getMetadata().getAnnotations() == null ? Map.of() : new TreeMap<>(sa.getMetadata().getAnnotations()))));
    return root;
  }

  static String table(KubernetesClient client) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-28s %-7s %-28s %s%n", "AWSINTEGRATION", "READY", "REASON", "MESSAGE"));
    for (AwsIntegration a : integrations(client)) {
      List<Condition> c = a.getStatus() == null ? null : a.getStatus().getConditions();
      Condition ready = Conditions.find(c, Conditions.READY).orElse(null);
      boolean ok = ready != null && "True".equals(ready.getStatus());
      sb.append(String.format("%-28s %-7s %-28s %s%n", a.getMetadata().getNamespace() + "/" + a.getMetadata().getName(),
          ready == null ? "-" : ready.getStatus(), ready == null ? "-" : ready.getReason(), ready == null || !ok ? "" : shorten(ready.getMessage(), 160)));
      if (ready != null && !ok) {
        sb.append("    why: ").append(shorten(ready.getMessage(), 480)).append('\n');
      }
      if (a.getStatus() != null && a.getStatus().getServiceAccounts() != null) {
        for (ServiceAccountStatus s : a.getStatus().getServiceAccounts()) {
          sb.append(String.format("    sa %-36s annotated=%-5s trust=%-8s live=%-8s %s%n", s.getName(), s.getAnnotated(), s.getTrust(), s.getLive(),
              join(s.getReasons()) + (s.getWarnings() == null ? "" : " warnings=" + join(s.getWarnings()))));
        }
      }
      if (a.getStatus() != null && a.getStatus().getBucket() != null && a.getStatus().getBucket().getAccess() != null) {
        StringBuilder row = new StringBuilder("    s3 " + a.getSpec().getBucket() + " (" + a.getStatus().getBucket().getRegion() + "):");
        for (AccessCheck x : a.getStatus().getBucket().getAccess()) {
          row.append(' ').append(x.getAction().replace("s3:", "")).append('=').append(x.getResult())
              .append(x.getCause() == null ? "" : "(" + x.getCause() + ")");
        }
        sb.append(row).append('\n');
      }
    }
    sb.append(String.format("%n%-28s %-7s %-20s %-12s %s%n", "DATASET", "READY", "REASON", "FORMAT", "COLUMNS / MESSAGE"));
    for (Dataset d : datasets(client)) {
      List<Condition> c = d.getStatus() == null ? null : d.getStatus().getConditions();
      Condition ready = Conditions.find(c, Conditions.READY).orElse(null);
      String detail = ready != null && "True".equals(ready.getStatus()) && d.getStatus().getColumns() != null
          ? shorten(String.join(",", d.getStatus().getColumns()), 80) + (d.getStatus().getRows() == null ? "" : "  rows=" + d.getStatus().getRows())
          : ready == null ? "" : shorten(ready.getMessage(), 160);
      sb.append(String.format("%-28s %-7s %-20s %-12s %s%n", d.getMetadata().getNamespace() + "/" + d.getMetadata().getName(),
          ready == null ? "-" : ready.getStatus(), ready == null ? "-" : ready.getReason(),
          d.getStatus() == null || d.getStatus().getFormat() == null ? "-" : d.getStatus().getFormat(), detail));
    }
    List<ModelArtifact> models = modelArtifacts(client);
    if (!models.isEmpty()) {
      sb.append(String.format("%n%-28s %-7s %-20s %-18s %s%n", "MODELARTIFACT", "READY", "REASON", "PLATFORM", "FUNCTIONS / MESSAGE"));
    }
    for (ModelArtifact m : models) {
      Condition ready = Conditions.find(m.getStatus() == null ? null : m.getStatus().getConditions(), Conditions.READY).orElse(null);
      String detail = ready != null && "True".equals(ready.getStatus()) && m.getStatus().getFunctions() != null
          ? shorten(String.join(",", m.getStatus().getFunctions()), 80) : ready == null ? "" : shorten(ready.getMessage(), 160);
      sb.append(String.format("%-28s %-7s %-20s %-18s %s%n", m.getMetadata().getNamespace() + "/" + m.getMetadata().getName(),
          ready == null ? "-" : ready.getStatus(), ready == null ? "-" : ready.getReason(),
          m.getStatus() == null || m.getStatus().getPlatform() == null ? "-" : m.getStatus().getPlatform(), detail));
    }
    return sb.toString();
  }

  private static String join(List<String> l) {
    return l == null || l.isEmpty() ? "" : String.join(",", l);
  }

  private static String shorten(String s, int max) {
    if (s == null) {
      return "";
    }
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }
}
