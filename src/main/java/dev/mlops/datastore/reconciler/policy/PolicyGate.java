package dev.mlops.datastore.reconciler.policy;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicy;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationStatus;
import dev.mlops.datastore.reconciler.Conditions;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The AwsIntegration reconciler's view of the AwsIntegrationPolicies: it watches them and the
 * namespaces' labels, wakes the integrations a change may concern, and decides from its caches,
 * with no API call, whether an integration may be checked. Called before anything else the
 * reconciler does, so that a refused integration costs no AWS call, no Secret read and no
 * annotation write.
 */
public final class PolicyGate {
  /** The reason of Stalled and Ready on a refused AwsIntegration; documented in docs/conditions.md. */
  public static final String NOT_PERMITTED = "NotPermitted";
  /** The label the API server puts on every namespace (since Kubernetes 1.21), named by selectors. */
  static final String NAME_LABEL = "kubernetes.io/metadata.name";

  private final PolicyMode mode;
  private InformerEventSource<AwsIntegrationPolicy, AwsIntegration> policies;
  private InformerEventSource<Namespace, AwsIntegration> namespaces;

  public PolicyGate(PolicyMode mode) {
    this.mode = mode;
  }

  /**
   * The informers on policies and namespaces. A policy change wakes every integration: which
   * namespaces it selected before the change is not known here, and the first policy of a cluster
   * closes every namespace. A namespace wakes its own integrations when its labels change.
   */
  public List<EventSource<?, AwsIntegration>> eventSources(EventSourceContext<AwsIntegration> context) {
    IndexerResourceCache<AwsIntegration> integrations = context.getPrimaryCache();
    var policyConfig = InformerEventSourceConfiguration.from(AwsIntegrationPolicy.class, AwsIntegration.class)
        .withName("awsintegrationpolicies")
        .withWatchAllNamespaces()
        .withSecondaryToPrimaryMapper(p -> integrations.list().map(ResourceID::fromResource).collect(Collectors.toSet()))
        .withOnUpdateFilter((updated, old) -> !Objects.equals(
            Serialization.jsonMapper().valueToTree(updated.getSpec()), Serialization.jsonMapper().valueToTree(old.getSpec())))
        .build();
    policies = new InformerEventSource<>(policyConfig, context);
    var namespaceConfig = InformerEventSourceConfiguration.from(Namespace.class, AwsIntegration.class)
        .withName("namespaces")
        .withWatchAllNamespaces()
        .withSecondaryToPrimaryMapper(
            ns -> integrations.list(ns.getMetadata().getName()).map(ResourceID::fromResource).collect(Collectors.toSet()))
        .withOnUpdateFilter((updated, old) -> !Objects.equals(updated.getMetadata().getLabels(), old.getMetadata().getLabels()))
        .build();
    namespaces = new InformerEventSource<>(namespaceConfig, context);
    return List.of(policies, namespaces);
  }

  /** Admitted or refused, from the informers' caches. */
  public PolicyDecision decide(AwsIntegration ai) {
    String ns = ai.getMetadata().getNamespace();
    Map<String, String> labels = new HashMap<>();
    namespaces.get(new ResourceID(ns)).map(n -> n.getMetadata().getLabels()).ifPresent(labels::putAll);
    labels.put(NAME_LABEL, ns);
    return PolicyEvaluator.admit(ai, labels, policies.list().toList(), mode);
  }

  /**
   * The status of a refused integration: Stalled and Ready=False, reason NotPermitted. What earlier
   * checks found (links, identity, bucket, service account rows) is dropped: it was proven before
   * the policy refused the integration, and its annotations have been taken back. The record of
   * restarted workloads and of the last handled check request stays.
   */
  public static AwsIntegrationStatus refusedStatus(AwsIntegration ai, PolicyDecision decision, Clock clock) {
    AwsIntegrationStatus before = ai.getStatus();
    long generation = ai.getMetadata().getGeneration() == null ? 0 : ai.getMetadata().getGeneration();
    AwsIntegrationStatus status = new AwsIntegrationStatus();
    status.setObservedGeneration(generation);
    status.setConditions(Conditions.after(before == null ? null : before.getConditions(), generation, clock)
        .set(Conditions.STALLED, Conditions.TRUE, NOT_PERMITTED, decision.message())
        .set(Conditions.READY, Conditions.FALSE, NOT_PERMITTED, decision.message())
        .build());
    if (before != null) {
      status.setRestartedWorkloads(before.getRestartedWorkloads());
      status.setLastHandledRequestedAt(before.getLastHandledRequestedAt());
    }
    return status;
  }
}
