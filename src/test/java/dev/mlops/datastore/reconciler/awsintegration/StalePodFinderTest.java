package dev.mlops.datastore.reconciler.awsintegration;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StalePodFinderTest {
  private static final String ROLE = "arn:aws:iam::111122223333:role/rime-s3";

  @Test
  void shouldCountAPodWithoutTheRoleEnvOrWithoutTheTokenVolume() {
    Pod noEnv = pod("a").build();
    Pod envOnly = pod("b").editSpec().editFirstContainer().addNewEnv().withName("AWS_ROLE_ARN").withValue(ROLE).endEnv().endContainer().endSpec().build();
    Pod current = withRole(pod("c"), ROLE).build();

    var report = StalePodFinder.find(List.of("sa"), ROLE, sa -> List.of(noEnv, envOnly, current));

    assertThat(report.row("sa").pods()).extracting(StalePodFinder.StalePod::name).containsExactly("a", "b");
  }

  @Test
  void shouldNameTheOtherRoleOfAPodEditedByHand() {
    Pod other = withRole(pod("a"), "arn:aws:iam::111122223333:role/old").build();

    var row = StalePodFinder.find(List.of("sa"), ROLE, sa -> List.of(other)).row("sa");

    assertThat(row.pods().get(0).roleArn()).isEqualTo("arn:aws:iam::111122223333:role/old");
  }

  @Test
  void shouldIgnoreContainersTheWebhookSkipsAndPodsThatAreNotRunning() {
    Pod sidecar = withRole(pod("a"), ROLE)
        .editMetadata().withAnnotations(Map.of(StalePodFinder.SKIP_CONTAINERS, "proxy, other")).endMetadata()
        .editSpec().addNewContainer().withName("proxy").withImage("p").endContainer().endSpec()
        .build();
    Pod done = pod("b").withNewStatus().withPhase("Succeeded").endStatus().build();
    Pod leaving = pod("c").editMetadata().withDeletionTimestamp("2026-11-22T10:00:00Z").endMetadata().build();

    assertThat(StalePodFinder.find(List.of("sa"), ROLE, sa -> List.of(sidecar, done, leaving)).current()).isTrue();
  }

  @Test
  void shouldReadAReplicaSetOfADeploymentAsTheDeployment() {
    Pod ofDeployment = owned(pod("a"), "ReplicaSet", "web-7d9f8").editMetadata().withLabels(Map.of("pod-template-hash", "7d9f8")).endMetadata().build();
    Pod ofReplicaSet = owned(pod("b"), "ReplicaSet", "bare-rs").build();
    Pod ofStatefulSet = owned(pod("c"), "StatefulSet", "db").build();

    assertThat(StalePodFinder.owner(ofDeployment)).isEqualTo("Deployment/web");
    assertThat(StalePodFinder.owner(ofReplicaSet)).isEqualTo("ReplicaSet/bare-rs");
    assertThat(StalePodFinder.owner(ofStatefulSet)).isEqualTo("StatefulSet/db");
    assertThat(StalePodFinder.owner(pod("d").build())).isNull();
  }

  private static PodBuilder pod(String name) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace("ml").endMetadata()
        .withNewSpec().withServiceAccountName("sa").addNewContainer().withName("app").withImage("app").endContainer().endSpec();
  }

  private static PodBuilder withRole(PodBuilder b, String role) {
    return b.editSpec()
        .editFirstContainer().addNewEnv().withName("AWS_ROLE_ARN").withValue(role).endEnv().endContainer()
        .addNewVolume().withName("aws-iam-token").withNewProjected().endProjected().endVolume()
        .endSpec();
  }

  private static PodBuilder owned(PodBuilder b, String kind, String name) {
    return b.editMetadata().addNewOwnerReference().withKind(kind).withName(name).withApiVersion("apps/v1").withUid("u").withController(true).endOwnerReference().endMetadata();
  }
}
