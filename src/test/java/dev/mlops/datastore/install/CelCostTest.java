package dev.mlops.datastore.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.install.CelCostEstimator.RuleCost;
import dev.mlops.datastore.testing.MockCluster;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The API server refuses a CRD whose CEL rules it estimates too costly (10^7 per rule, 10^8 per
 * CRD), before anything runs: {@code kubectl apply -f crds/} and {@code helm install} fail. This
 * estimates every rule of both generated CRDs the way the API server does (see {@link
 * CelCostEstimator} for the sources) and prints each figure.
 */
class CelCostTest {

  @Test
  void shouldKeepEveryRuleOfEveryCrdWithinTheApiServersCostLimits() {
    for (CustomResourceDefinition crd : MockCluster.generatedCrds()) {
      JsonNode schema = Serialization.jsonMapper().valueToTree(crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema());
      List<RuleCost> rules = CelCostEstimator.estimate(schema);
      long total = 0;
      for (RuleCost rule : rules) {
        System.out.printf("CEL cost %s %s: %,d x %,d run(s) = %,d  [%s]%n",
            crd.getMetadata().getName(), rule.path(), rule.cost(), rule.cardinality(), rule.total(), rule.rule());
        assertThat(rule.cost())
            .as("%s %s: %s", crd.getMetadata().getName(), rule.path(), rule.rule())
            .isLessThanOrEqualTo(CelCostEstimator.PER_RULE_LIMIT);
        total = CelCostEstimator.saturatingAdd(total, rule.total());
      }
      System.out.printf("CEL cost %s total: %,d%n", crd.getMetadata().getName(), total);
      assertThat(total).as(crd.getMetadata().getName()).isLessThanOrEqualTo(CelCostEstimator.PER_CRD_LIMIT);
    }
  }

  @Test
  void shouldRefuseARegexRuleOverUnboundedListItemsAsTheApiServerDoes() {
    // spec.serviceAccounts as the CRD shipped it before: 64 items, no maxLength, a CEL regex.
    JsonNode old = yaml("""
        type: array
        maxItems: 64
        items: {type: string}
        x-kubernetes-validations:
        - rule: "self.all(n, n.matches('^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$'))"
        """);

    List<RuleCost> rules = CelCostEstimator.estimate(old);

    // 1 (self) + 1 (result) + 64 x (loop condition 2 + step: 1 + 1 + ⌈(3145726+1)·0.1⌉·⌈38·0.25⌉)
    assertThat(rules).singleElement().satisfies(r -> assertThat(r.cost()).isEqualTo(201_326_978L));
    assertThat(rules.get(0).cost()).isGreaterThan(CelCostEstimator.PER_CRD_LIMIT);
  }

  @Test
  void shouldPriceTheSameRuleCheaplyOnceItsItemsAreBounded() {
    JsonNode bounded = yaml("""
        type: array
        maxItems: 64
        items: {type: string, maxLength: 253}
        x-kubernetes-validations:
        - rule: "self.all(n, n.matches('^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$'))"
        """);

    // ⌈(1012+1)·0.1⌉·10 = 1020 per item: 64 x (2 + 1 + 1 + 1020) + 2
    assertThat(CelCostEstimator.estimate(bounded).get(0).cost()).isEqualTo(65_538L);
  }

  @Test
  void shouldPricePresenceTestsAndStringFunctionsAsCelGoDoes() {
    JsonNode auth = yaml("""
        type: object
        properties:
          accessKey: {type: object}
          irsa: {type: object}
        """);
    // has() is free in Kubernetes (PresenceTestHasCost(false)): self 1 + self 1 + != ⌈1·0.1⌉ = 3
    assertThat(CelCostEstimator.ruleCost(auth, "has(self.accessKey) != has(self.irsa)")).isEqualTo(3);

    JsonNode bucket = yaml("type: string\nmaxLength: 63\n");
    // ! 1 + self 1 + contains ⌈252·0.1⌉·⌈2·0.1⌉ = 26
    assertThat(CelCostEstimator.ruleCost(bucket, "!self.contains('..')")).isEqualTo(28);
    // self 1 + startsWith ⌈4·0.1⌉ = 1
    assertThat(CelCostEstimator.ruleCost(bucket, "self.startsWith('xn--')")).isEqualTo(2);
  }

  @Test
  void shouldPriceListLiteralsAndTheirComprehensionsAsRulesOverOptionalFieldsUseThem() {
    JsonNode auth = yaml("""
        type: object
        properties:
          accessKey: {type: object}
          irsa: {type: object}
          podIdentity: {type: object}
        """);

    long cost = CelCostEstimator.ruleCost(auth,
        "[has(self.accessKey), has(self.irsa), has(self.podIdentity)].filter(x, x).size() == 1");

    assertThat(cost).isPositive().isLessThan(1_000);
  }

  @Test
  void shouldMultiplyARuleUnderAnArrayByHowManyItemsItCanRunOn() {
    JsonNode list = yaml("""
        type: array
        maxItems: 10
        items:
          type: string
          maxLength: 5
          x-kubernetes-validations:
          - rule: "self.size() > 0"
        """);

    RuleCost rule = CelCostEstimator.estimate(list).get(0);

    assertThat(rule.path()).isEqualTo("[*]");
    assertThat(rule.cardinality()).isEqualTo(10);
  }

  private static JsonNode yaml(String text) {
    return Serialization.jsonMapper().valueToTree(Serialization.unmarshal(text, Object.class));
  }
}
