package dev.mlops.datastore.reconciler.policy;

import dev.mlops.datastore.api.v1alpha1.AwsIntegrationPolicySpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which namespaces a policy covers: those its label selector matches (Kubernetes semantics: an
 * empty selector matches every namespace, an absent one none) and those it names.
 */
final class NamespaceSelection {
  private NamespaceSelection() {}

  static boolean selects(AwsIntegrationPolicySpec spec, String namespace, Map<String, String> labels) {
    if (spec == null) {
      return false;
    }
    if (spec.getNamespaces() != null && spec.getNamespaces().contains(namespace)) {
      return true;
    }
    LabelSelector selector = spec.getNamespaceSelector();
    return selector != null && problem(selector).isEmpty() && matches(selector, labels == null ? Map.of() : labels);
  }

  private static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> want : selector.getMatchLabels().entrySet()) {
        if (!java.util.Objects.equals(labels.get(want.getKey()), want.getValue())) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        String value = labels.get(r.getKey());
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        boolean ok = switch (r.getOperator()) {
          case "In" -> value != null && values.contains(value);
          case "NotIn" -> value == null || !values.contains(value);
          case "Exists" -> labels.containsKey(r.getKey());
          case "DoesNotExist" -> !labels.containsKey(r.getKey());
          default -> false;
        };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  /** Why the selector cannot be used, as the API server would say it of a LabelSelector; empty when it can. */
  static Optional<String> problem(LabelSelector selector) {
    if (selector.getMatchExpressions() == null) {
      return Optional.empty();
    }
    for (int i = 0; i < selector.getMatchExpressions().size(); i++) {
      LabelSelectorRequirement r = selector.getMatchExpressions().get(i);
      String at = "spec.namespaceSelector.matchExpressions[" + i + "]";
      boolean hasValues = r.getValues() != null && !r.getValues().isEmpty();
      if (r.getKey() == null || r.getKey().isEmpty()) {
        return Optional.of(at + ".key is empty");
      }
      if (r.getOperator() == null) {
        return Optional.of(at + ".operator is missing");
      }
      switch (r.getOperator()) {
        case "In", "NotIn" -> {
          if (!hasValues) {
            return Optional.of(at + ": operator " + r.getOperator() + " needs values");
          }
        }
        case "Exists", "DoesNotExist" -> {
          if (hasValues) {
            return Optional.of(at + ": operator " + r.getOperator() + " takes no values");
          }
        }
        default -> {
          return Optional.of(at + ".operator '" + Messages.capped(r.getOperator()) + "' is not In, NotIn, Exists or DoesNotExist");
        }
      }
    }
    return Optional.empty();
  }

  /** The covered namespaces in words, e.g. "namespaces labelled team=a, and team-a". */
  static String describe(AwsIntegrationPolicySpec spec) {
    List<String> parts = new ArrayList<>();
    LabelSelector selector = spec.getNamespaceSelector();
    if (selector != null) {
      List<String> terms = new ArrayList<>();
      if (selector.getMatchLabels() != null) {
        selector.getMatchLabels().forEach((k, v) -> terms.add(k + "=" + v));
      }
      if (selector.getMatchExpressions() != null) {
        for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
          String values = r.getValues() == null ? "" : String.join(",", r.getValues());
          terms.add(switch (String.valueOf(r.getOperator())) {
            case "In" -> r.getKey() + " in (" + values + ")";
            case "NotIn" -> r.getKey() + " notin (" + values + ")";
            case "Exists" -> r.getKey();
            case "DoesNotExist" -> "!" + r.getKey();
            default -> r.getKey() + " " + r.getOperator();
          });
        }
      }
      parts.add(terms.isEmpty() ? "every namespace" : "namespaces labelled " + Messages.list(terms.stream().sorted().toList()));
    }
    if (spec.getNamespaces() != null && !spec.getNamespaces().isEmpty()) {
      parts.add("namespaces " + Messages.list(spec.getNamespaces()));
    }
    return parts.isEmpty() ? "no namespace" : parts.stream().collect(Collectors.joining(" and "));
  }
}
