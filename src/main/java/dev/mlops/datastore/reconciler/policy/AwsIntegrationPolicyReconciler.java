package dev.mlops.datastore.reconciler.policy;

import dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicy;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicyStatus;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.reconciler.StatusComparison;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.util.List;

/**
 * Writes on each AwsIntegrationPolicy whether the operator can use it ({@code Ready}, reason
 * {@code Valid} with a one-line summary of what it covers and admits) or not ({@code Ready=False},
 * {@code Stalled}, reason {@code InvalidPolicy}, naming the field). Enforcement is not here: the
 * AwsIntegration reconciler reads the policies through {@link PolicyGate}.
 */
@ControllerConfiguration(name = AwsIntegrationPolicyReconciler.NAME)
public class AwsIntegrationPolicyReconciler implements Reconciler<AwsIntegrationPolicy> {
  public static final String NAME = "awsintegrationpolicy";
  /** Reasons; every one is documented in docs/conditions.md. */
  public static final String VALID = "Valid";
  public static final String INVALID_POLICY = "InvalidPolicy";

  private final Clock clock;

  public AwsIntegrationPolicyReconciler(Clock clock) {
    this.clock = clock;
  }

  @Override
  public UpdateControl<AwsIntegrationPolicy> reconcile(AwsIntegrationPolicy policy, Context<AwsIntegrationPolicy> context) {
    AwsIntegrationPolicyStatus status = status(policy, clock);
    if (StatusComparison.differs(policy.getStatus(), status)) {
      AwsIntegrationPolicy patch = new AwsIntegrationPolicy();
      patch.setMetadata(new ObjectMetaBuilder().withName(policy.getMetadata().getName()).build());
      patch.setStatus(status);
      // A merge patch of the whole status (the operator computes all of it): cluster-scoped
      // objects get no server-side apply in the test API server, and nothing else writes here.
      context.getClient().resource(patch).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE));
    }
    return UpdateControl.noUpdate();
  }

  static AwsIntegrationPolicyStatus status(AwsIntegrationPolicy policy, Clock clock) {
    long generation = policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
    List<String> problems = PolicyEvaluator.problems(policy.getSpec());
    Conditions conditions = Conditions.after(policy.getStatus() == null ? null : policy.getStatus().getConditions(), generation, clock);
    if (problems.isEmpty()) {
      conditions.set(Conditions.READY, true, VALID, PolicyEvaluator.summary(policy.getSpec()));
    } else {
      String message = String.join("; ", problems) + "; the policy admits nothing until it is fixed";
      conditions.set(Conditions.STALLED, true, INVALID_POLICY, message);
      conditions.set(Conditions.READY, false, INVALID_POLICY, message);
    }
    AwsIntegrationPolicyStatus status = new AwsIntegrationPolicyStatus();
    status.setObservedGeneration(generation);
    status.setConditions(conditions.build());
    return status;
  }
}
