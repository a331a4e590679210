package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pods of the namespaces that hold IRSA integrations, and no others: an operator that watches
 * every namespace would otherwise cache every pod of the cluster. It starts on one namespace (the
 * first watched one, or {@value #EMPTY_NAMESPACE}, which holds no pods, when all are watched) and
 * follows the integrations' namespaces as the reconciler sees them ({@link #follow}); a namespace's
 * informer is synced before {@code follow} returns, so a reconcile never reads a half-filled cache.
 * Within those namespaces, pods are indexed by service account ({@link ServiceAccountMappers}), and
 * only those of managed service accounts wake an integration.
 */
final class PodInformer extends InformerEventSource<Pod, AwsIntegration> {
  /** Exists in every cluster and holds Leases only: a watch on it costs nothing. */
  static final String EMPTY_NAMESPACE = "kube-node-lease";
  private static final Logger log = LoggerFactory.getLogger(PodInformer.class);

  private Set<String> namespaces;

  private PodInformer(InformerEventSourceConfiguration<Pod> config, EventSourceContext<AwsIntegration> context, Set<String> initial) {
    super(config, context);
    this.namespaces = initial;
  }

  static PodInformer create(InformerEventSourceConfiguration.Builder<Pod> builder, EventSourceContext<AwsIntegration> context) {
    Set<String> watched = context.getControllerConfiguration().getInformerConfig().getNamespaces();
    Set<String> initial = watched == null || InformerConfiguration.allNamespacesWatched(watched)
        || InformerConfiguration.currentNamespaceWatched(watched)
        ? Set.of(EMPTY_NAMESPACE)
        : Set.of(new TreeSet<>(watched).first());
    return new PodInformer(builder.withNamespaces(initial).build(), context, initial);
  }

  /** Namespaces change only through {@link #follow}, never with the controller's. */
  @Override
  public boolean allowsNamespaceChanges() {
    return true;
  }

  /**
   * Watches exactly {@code wanted} (when empty, the namespace it started with): informers for new
   * namespaces are started and synced, those for namespaces no integration uses any more stopped.
   */
  synchronized void follow(Set<String> wanted) {
    Set<String> target = wanted.isEmpty() ? namespaces : Set.copyOf(wanted);
    if (Objects.equals(target, namespaces)) {
      return;
    }
    log.atInfo().addKeyValue("namespaces", new TreeSet<>(target)).log("watching the pods of these namespaces");
    changeNamespaces(target);
    namespaces = target;
  }
}
