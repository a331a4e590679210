package dev.mlops.datastore.reconciler.awsintegration;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which running pods lack their service account's role. The EKS pod identity webhook injects
 * {@code AWS_ROLE_ARN} and the {@code aws-iam-token} projected volume only when a pod is created,
 * so a pod that started before the annotation (or before it changed) runs without the role, or
 * with the old one; so does a pod whose env someone edited by hand. Pure: the pods come from the
 * informer's cache, and nothing is read or written here.
 */
public final class StalePodFinder {
  public static final String ROLE_ENV = "AWS_ROLE_ARN";
  public static final String TOKEN_VOLUME = "aws-iam-token";
  /** The webhook's own opt-out for some containers of a pod: they are not expected to carry the role. */
  public static final String SKIP_CONTAINERS = "eks.amazonaws.com/skip-containers";
  /** How many pods a status row names; the count is complete. */
  public static final int MAX_NAMED = 5;

  private StalePodFinder() {}

  /**
   * @param owner the workload that owns the pod as Kind/name (a ReplicaSet of a Deployment as the
   *     Deployment), or null for a bare pod
   * @param roleArn the role the pod runs with when it names another one, else null
   */
  public record StalePod(String name, String owner, String roleArn) {}

  /** The stale pods of one service account, all counted, in name order. */
  public record Row(String serviceAccount, String roleArn, List<StalePod> pods) {
    public int count() {
      return pods.size();
    }
  }

  /** The rows of the service accounts that have stale pods; the workloads that own them, by role. */
  public record Report(List<Row> rows) {
    public boolean current() {
      return rows.isEmpty();
    }

    public Row row(String serviceAccount) {
      return rows.stream().filter(r -> r.serviceAccount().equals(serviceAccount)).findFirst().orElse(null);
    }

    /** Each owning workload once, with the role its pods should have, in order of first appearance. */
    public Map<String, String> owners() {
      Map<String, String> owners = new LinkedHashMap<>();
      rows.forEach(r -> r.pods().stream().map(StalePod::owner).filter(Objects::nonNull).forEach(o -> owners.putIfAbsent(o, r.roleArn())));
      return owners;
    }

    public List<String> barePods() {
      return rows.stream().flatMap(r -> r.pods().stream()).filter(p -> p.owner() == null).map(StalePod::name).toList();
    }
  }

  /**
   * @param serviceAccounts the annotated service accounts
   * @param podsOf the pods of a service account, by name
   */
  public static Report find(List<String> serviceAccounts, String roleArn, Function<String, List<Pod>> podsOf) {
    List<Row> rows = new ArrayList<>();
    for (String sa : serviceAccounts) {
      List<StalePod> stale = podsOf.apply(sa).stream()
          .filter(StalePodFinder::running)
          .filter(p -> !carriesRole(p, roleArn))
          .map(p -> new StalePod(p.getMetadata().getName(), owner(p), otherRole(p, roleArn)))
          .sorted(java.util.Comparator.comparing(StalePod::name))
          .toList();
      if (!stale.isEmpty()) {
        rows.add(new Row(sa, roleArn, stale));
      }
    }
    return new Report(rows);
  }

  static boolean running(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return pod.getMetadata().getDeletionTimestamp() == null && !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  /** Every container the webhook would inject carries the role, and the pod has the token volume. */
  static boolean carriesRole(Pod pod, String roleArn) {
    if (pod.getSpec() == null) {
      return false;
    }
    boolean token = pod.getSpec().getVolumes() != null
        && pod.getSpec().getVolumes().stream().anyMatch(v -> TOKEN_VOLUME.equals(v.getName()));
    List<String> roles = containers(pod).stream().map(StalePodFinder::roleEnv).toList();
    return token && !roles.isEmpty() && roles.stream().allMatch(roleArn::equals);
  }

  private static String otherRole(Pod pod, String roleArn) {
    return containers(pod).stream().map(StalePodFinder::roleEnv).filter(r -> r != null && !r.equals(roleArn)).findFirst().orElse(null);
  }

  private static List<Container> containers(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    Set<String> skip = annotations == null || annotations.get(SKIP_CONTAINERS) == null
        ? Set.of()
        : Arrays.stream(annotations.get(SKIP_CONTAINERS).split(",")).map(String::strip).collect(Collectors.toCollection(LinkedHashSet::new));
    List<Container> containers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
    return containers.stream().filter(c -> !skip.contains(c.getName())).toList();
  }

  private static String roleEnv(Container c) {
    if (c.getEnv() == null) {
      return null;
    }
    return c.getEnv().stream().filter(e -> ROLE_ENV.equals(e.getName())).map(EnvVar::getValue).filter(Objects::nonNull).findFirst().orElse(null);
  }

  /**
   * The controlling workload: a ReplicaSet whose name is a Deployment's name plus the pod's
   * {@code pod-template-hash} is read as that Deployment (so no ReplicaSet needs to be read);
   * null for a pod nothing controls.
   */
  static String owner(Pod pod) {
    List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
    if (refs == null) {
      return null;
    }
    OwnerReference ref = refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst().orElse(null);
    if (ref == null) {
      return null;
    }
    if ("ReplicaSet".equals(ref.getKind())) {
      Map<String, String> labels = pod.getMetadata().getLabels();
      String hash = labels == null ? null : labels.get("pod-template-hash");
      if (hash != null && ref.getName().endsWith("-" + hash)) {
        return "Deployment/" + ref.getName().substring(0, ref.getName().length() - hash.length() - 1);
      }
    }
    return ref.getKind() + "/" + ref.getName();
  }
}
