package dev.mlops.datastore.testing;

import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.reconciler.Conditions;
import java.util.List;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a status's conditions that read like the kstatus contract:
 * {@code assertThat(conditions).has("Ready", "False", "InvalidSpec").lacks("Reconciling")}.
 */
public final class ConditionAssert extends AbstractAssert<ConditionAssert, List<Condition>> {
  private ConditionAssert(List<Condition> conditions) {
    super(conditions, ConditionAssert.class);
  }

  public static ConditionAssert assertThatConditions(List<Condition> conditions) {
    return new ConditionAssert(conditions == null ? List.of() : conditions);
  }

  /** A condition of this type with this status and reason. */
  public ConditionAssert has(String type, String status, String reason) {
    Condition c = Conditions.find(actual, type).orElse(null);
    if (c == null) {
      failWithMessage("expected condition %s=%s (%s) but there is no %s in %s", type, status, reason, type, describe());
    } else if (!Objects.equals(c.getStatus(), status) || !Objects.equals(c.getReason(), reason)) {
      failWithMessage("expected condition %s=%s (%s) but it is %s=%s (%s): %s", type, status, reason, type, c.getStatus(), c.getReason(),
          c.getMessage());
    }
    return this;
  }

  /** The message of that condition contains the text. */
  public ConditionAssert withMessageContaining(String type, String text) {
    Condition c = Conditions.find(actual, type).orElse(null);
    if (c == null || c.getMessage() == null || !c.getMessage().contains(text)) {
      failWithMessage("expected the message of %s to contain '%s' but it is: %s", type, text, c == null ? "(absent)" : c.getMessage());
    }
    return this;
  }

  /** No condition of this type (kstatus' abnormal-true conditions are absent while false). */
  public ConditionAssert lacks(String type) {
    if (Conditions.find(actual, type).isPresent()) {
      failWithMessage("expected no %s condition but found %s", type, Conditions.find(actual, type).get().getReason());
    }
    return this;
  }

  /** Every condition carries this observedGeneration. */
  public ConditionAssert allObserved(long generation) {
    for (Condition c : actual) {
      if (!Objects.equals(c.getObservedGeneration(), generation)) {
        failWithMessage("expected every condition at generation %s but %s is at %s", generation, c.getType(), c.getObservedGeneration());
      }
    }
    return this;
  }

  private String describe() {
    return actual.stream().map(c -> c.getType() + "=" + c.getStatus() + "(" + c.getReason() + ")").toList().toString();
  }
}
