package dev.mlops.datastore.sandbox.kube;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationStatus;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.sandbox.kube.ApplyAsJsonPatchDispatcher.ManagedFields;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The test API answers as a real API server does where the operator's correctness depends on it. */
class PushBackApiIT {
  private static final String PATH = "/apis/datastore.mlops.dev/v1alpha1/namespaces/ml/awsintegrations/fraud-data";

  private EmbeddedKubernetes kube;

  @BeforeEach
  void start() {
    kube = new EmbeddedKubernetes();
    kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    kube.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "model-a")).create();
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  @Test
  void shouldAnswerConflictToAStatusApplyCarryingAStaleResourceVersion() {
    AwsIntegration seen = get();
    labelWith("team", "fraud");

    AwsIntegration patch = statusOnly(seen.getMetadata().getResourceVersion(), "True");

    assertThatThrownBy(() -> applyStatus(patch, "aws-datastore-operator"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(get().getStatus()).isNull();
  }

  @Test
  void shouldAcceptAStatusApplyCarryingTheCurrentResourceVersionOrNone() {
    applyStatus(statusOnly(get().getMetadata().getResourceVersion(), "False"), "aws-datastore-operator");
    applyStatus(statusOnly(null, "True"), "aws-datastore-operator");

    assertThat(get().getStatus().getConditions()).extracting(Condition::getStatus).containsExactly("True");
  }

  @Test
  void shouldAnswerConflictToAMergePatchCarryingAStaleResourceVersion() {
    String stale = get().getMetadata().getResourceVersion();
    labelWith("team", "fraud");

    assertThatThrownBy(() -> kube.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data")
            .patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"resourceVersion\":\"" + stale + "\",\"labels\":{\"team\":\"other\"}}}"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(get().getMetadata().getLabels()).containsEntry("team", "fraud");
  }

  @Test
  void shouldIgnoreSpecAndLabelsInAStatusWriteAsTheStatusSubresourceDoes() {
    AwsIntegration whole = get();
    whole.getSpec().setBucket("another-bucket");
    whole.getMetadata().setLabels(Map.of("stale", "copy"));
    whole.getMetadata().setResourceVersion(null);
    whole.setStatus(statusOnly(null, "True").getStatus());

    applyStatus(whole, "aws-datastore-operator");

    AwsIntegration stored = get();
    assertThat(stored.getStatus().getConditions()).hasSize(1);
    assertThat(stored.getSpec().getBucket()).isEqualTo("rime-blob-integration");
    assertThat(stored.getMetadata().getLabels()).isNullOrEmpty();
  }

  @Test
  void shouldNeverChangeStatusThroughTheResourceItself() {
    applyStatus(statusOnly(null, "True"), "aws-datastore-operator");

    kube.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"bucket\":\"b2-bucket\"},\"status\":null}");

    assertThat(get().getSpec().getBucket()).isEqualTo("b2-bucket");
    assertThat(get().getStatus().getConditions()).hasSize(1);
  }

  @Test
  void shouldReplaceListsInAMergePatchRatherThanAppendToThem() {
    applyStatus(statusOnly(null, "True"), "aws-datastore-operator");

    kube.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data").subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"lastTransitionTime\":\"2026-11-22T10:00:00Z\"}]}}");

    assertThat(get().getStatus().getConditions()).extracting(Condition::getStatus).containsExactly("False");
  }

  @Test
  void shouldRecordManagedFieldsPerFieldManager() {
    applyStatus(statusOnly(null, "True"), "aws-datastore-operator");
    labelWith("team", "fraud");

    List<ManagedFields> managers = kube.dispatcher().managers(PATH);

    assertThat(managers).anySatisfy(m -> {
      assertThat(m.manager()).isEqualTo("aws-datastore-operator");
      assertThat(m.operation()).isEqualTo("Apply");
      assertThat(m.subresource()).isEqualTo("status");
      assertThat(m.fields()).contains("status.conditions[type=Ready].status");
    });
    assertThat(managers).anySatisfy(m -> {
      assertThat(m.manager()).isEqualTo("kubectl");
      assertThat(m.operation()).isEqualTo("Update");
      assertThat(m.fields()).contains("metadata.labels.team");
    });
    assertThat(get().getMetadata().getManagedFields())
        .extracting(f -> f.getManager() + "/" + f.getOperation())
        .contains("aws-datastore-operator/Apply", "kubectl/Update");
  }

  private AwsIntegration get() {
    return kube.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data").get();
  }

  private void labelWith(String key, String value) {
    kube.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data")
        .patch(new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE).withFieldManager("kubectl").build(),
            "{\"metadata\":{\"labels\":{\"" + key + "\":\"" + value + "\"}}}");
  }

  private void applyStatus(AwsIntegration patch, String manager) {
    kube.client().resource(patch).subresource("status").patch(new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager(manager).withForce(true).build());
  }

  private static AwsIntegration statusOnly(String resourceVersion, String ready) {
    Condition c = new Condition();
    c.setType("Ready");
    c.setStatus(ready);
    c.setReason(ready.equals("True") ? "Ready" : "NotReady");
    c.setLastTransitionTime("2026-11-22T10:00:00Z");
    AwsIntegrationStatus status = new AwsIntegrationStatus();
    status.setConditions(List.of(c));
    AwsIntegration patch = new AwsIntegration();
    patch.setMetadata(new ObjectMetaBuilder().withName("fraud-data").withNamespace(NAMESPACE).withResourceVersion(resourceVersion).build());
    patch.setStatus(status);
    return patch;
  }
}
