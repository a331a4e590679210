package dev.mlops.datastore.reconciler.awsintegration;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static dev.mlops.datastore.testing.Resources.ROLE_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.api.v1alpha1.ServiceAccountStatus;
import dev.mlops.datastore.api.v1alpha1.StalePod;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.sandbox.kube.ApplyAsJsonPatchDispatcher.Recorded;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Pods that started before the role: found through the pod informer (pods of managed service
 * accounts only), reported per service account with the command that fixes them, and, when
 * asked, their Deployment restarted the way {@code kubectl rollout restart} does, once per
 * annotation change, never a bare pod or a Job, with an Event for each restart.
 */
class StalePodsIT {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NEW_ROLE = "arn:aws:iam::111122223333:role/rime-s3-v2";

  @Test
  void shouldReportStalePodsAndRestartTheirDeploymentOncePerAnnotation() {
    try (MockCluster cluster = new MockCluster()) {
      cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
      Resources.knownRole(cluster);
      cluster.startOperator(CLOCK);
      cluster.client().resource(Resources.serviceAccount("trainer")).create();
      cluster.client().resource(deployment("web")).create();
      // Started before the annotation: a Deployment's pod, a bare pod, a Job's pod; and a pod of
      // a service account no integration manages.
      create(cluster, pod("web-7d9f8-aaaaa", "trainer", "ReplicaSet", "web-7d9f8", null));
      create(cluster, pod("notebook", "trainer", null, null, null));
      create(cluster, pod("batch-x1", "trainer", "Job", "batch", null));
      create(cluster, pod("other-1", "unrelated", null, null, null));

      cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "trainer")).create();

      Condition stale = awaitPods(cluster, c -> c.getReason().equals("PodsPredateRole"));
      assertThat(stale.getStatus()).isEqualTo("False");
      assertThat(stale.getMessage())
          .contains("3 pods of trainer")
          .contains("kubectl rollout restart -n ml deployment/web")
          .contains("kubectl delete pod -n ml notebook")
          .contains("Jobs are not restarted")
          .doesNotContain("other-1");
      ServiceAccountStatus row = row(cluster);
      assertThat(row.getStalePods().getCount()).isEqualTo(3);
      assertThat(row.getStalePods().getPods()).extracting(StalePod::getName, StalePod::getOwner)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("batch-x1", "Job/batch"),
              org.assertj.core.groups.Tuple.tuple("notebook", null),
              org.assertj.core.groups.Tuple.tuple("web-7d9f8-aaaaa", "Deployment/web"));
      assertThat(Conditions.isTrue(integration(cluster).getStatus().getConditions(), Conditions.READY)).isTrue();
      assertThat(workloadPatches(cluster)).as("no restart unless asked").isEmpty();

      // A pod created after the annotation carries the role; the bare pod is deleted by hand.
      create(cluster, pod("web-7d9f8-bbbbb", "trainer", "ReplicaSet", "web-7d9f8", ROLE_ARN));
      cluster.client().pods().inNamespace(NAMESPACE).withName("notebook").delete();
      await().atMost(WAIT).until(() -> row(cluster).getStalePods() != null && row(cluster).getStalePods().getCount() == 2);
      assertThat(row(cluster).getStalePods().getPods()).extracting(StalePod::getName).containsExactly("batch-x1", "web-7d9f8-aaaaa");

      // Opt in: the Deployment is restarted once; the Job and a bare pod are not.
      create(cluster, pod("notebook-2", "trainer", null, null, null));
      await().atMost(WAIT).until(() -> row(cluster).getStalePods().getCount() == 3);
      cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data")
          .edit(ai -> {
            ai.getSpec().setRestartStalePods(true);
            return ai;
          });
      await().atMost(WAIT).until(() -> restartedAt(cluster) != null);
      String first = restartedAt(cluster);
      assertThat(first).isEqualTo("2026-11-22T10:00:00Z");
      await().atMost(WAIT).until(() -> integration(cluster).getStatus().getRestartedWorkloads() != null);
      assertThat(integration(cluster).getStatus().getRestartedWorkloads()).singleElement()
          .satisfies(r -> {
            assertThat(r.getWorkload()).isEqualTo("Deployment/web");
            assertThat(r.getRoleArn()).isEqualTo(ROLE_ARN);
          });
      assertThat(awaitPods(cluster, c -> c.getMessage().contains("restarted (spec.restartStalePods): Deployment/web")).getMessage())
          .doesNotContain("kubectl rollout restart -n ml deployment/web");

      // More stale pods of the same Deployment, for the same annotation: no second restart.
      create(cluster, pod("web-7d9f8-ccccc", "trainer", "ReplicaSet", "web-7d9f8", null));
      await().atMost(WAIT).until(() -> row(cluster).getStalePods().getCount() == 4);
      assertThat(workloadPatches(cluster)).hasSize(1);
      assertThat(workloadPatches(cluster).get(0).path()).contains("/deployments/web");
      assertThat(restartEvents(cluster)).hasSize(1);
      assertThat(cluster.client().pods().inNamespace(NAMESPACE).withName("batch-x1").get()).isNotNull();
      assertThat(cluster.client().pods().inNamespace(NAMESPACE).withName("notebook-2").get()).isNotNull();
      assertThat(cluster.dispatcher().requests()).filteredOn(r -> r.method().equals("DELETE") && r.path().contains("/pods/"))
          .as("only the test's own deletion").hasSize(1);
      assertThat(awaitPods(cluster, c -> true).getMessage()).contains("kubectl delete pod -n ml notebook-2");

      // Re-annotated to a new role: the pods with the old role are stale (and say which role
      // they run with), and the Deployment is restarted once more, for the new annotation.
      cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data")
          .edit(ai -> {
            ai.getSpec().getAuth().getIrsa().setRoleArn(NEW_ROLE);
            return ai;
          });
      await().atMost(WAIT).until(() -> row(cluster).getStalePods() != null && row(cluster).getStalePods().getCount() == 5
          && integration(cluster).getStatus().getRestartedWorkloads() != null
          && integration(cluster).getStatus().getRestartedWorkloads().stream().anyMatch(r -> NEW_ROLE.equals(r.getRoleArn())));
      assertThat(row(cluster).getStalePods().getPods())
          .filteredOn(p -> p.getName().equals("web-7d9f8-bbbbb"))
          .singleElement()
          .extracting(StalePod::getRoleArn).isEqualTo(ROLE_ARN);
      assertThat(workloadPatches(cluster)).hasSize(2);
      assertThat(restartEvents(cluster)).hasSize(2);

      // The operator watches every namespace, but reads pods only where integrations are.
      assertThat(cluster.dispatcher().requests()).extracting(Recorded::pathWithoutQuery)
          .filteredOn(p -> p.endsWith("/pods"))
          .isNotEmpty()
          .allSatisfy(p -> assertThat(p).isIn("/api/v1/namespaces/" + NAMESPACE + "/pods", "/api/v1/namespaces/kube-node-lease/pods"));
    }
  }

  private static Deployment deployment(String name) {
    return new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
        .withNewSpec()
        .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
        .withNewTemplate()
        .withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
        .withNewSpec().withServiceAccountName("trainer").addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** A pod as the webhook leaves it: with the role's env and token volume when {@code role} is set. */
  private static Pod pod(String name, String serviceAccount, String ownerKind, String ownerName, String role) {
    PodBuilder b = new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
        .withNewSpec().withServiceAccountName(serviceAccount).addNewContainer().withName("app").withImage("app:1").endContainer().endSpec();
    if (ownerKind != null) {
      b.editMetadata()
          .addNewOwnerReference().withApiVersion(ownerKind.equals("Job") ? "batch/v1" : "apps/v1").withKind(ownerKind).withName(ownerName)
          .withUid("uid-" + ownerName).withController(true).endOwnerReference()
          .endMetadata();
      if (ownerKind.equals("ReplicaSet")) {
        b.editMetadata().withLabels(Map.of("pod-template-hash", ownerName.substring(ownerName.lastIndexOf('-') + 1))).endMetadata();
      }
    }
    if (role != null) {
      b.editSpec()
          .editFirstContainer().addNewEnv().withName("AWS_ROLE_ARN").withValue(role).endEnv().endContainer()
          .addNewVolume().withName("aws-iam-token").withNewProjected().endProjected().endVolume()
          .endSpec();
    }
    return b.build();
  }

  private static void create(MockCluster cluster, Pod pod) {
    cluster.client().resource(pod).create();
  }

  private static AwsIntegration integration(MockCluster cluster) {
    return cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data").get();
  }

  private static ServiceAccountStatus row(MockCluster cluster) {
    AwsIntegration ai = integration(cluster);
    return ai.getStatus().getServiceAccounts().stream().filter(r -> r.getName().equals("trainer")).findFirst().orElseThrow();
  }

  private static Condition awaitPods(MockCluster cluster, Predicate<Condition> until) {
    await().atMost(WAIT).until(() -> {
      AwsIntegration ai = integration(cluster);
      return ai != null && ai.getStatus() != null
          && Conditions.find(ai.getStatus().getConditions(), AwsIntegrationStatusFactory.PODS_CURRENT).map(until::test).orElse(false);
    });
    return Conditions.find(integration(cluster).getStatus().getConditions(), AwsIntegrationStatusFactory.PODS_CURRENT).orElseThrow();
  }

  private static String restartedAt(MockCluster cluster) {
    Map<String, String> annotations = cluster.client().apps().deployments().inNamespace(NAMESPACE).withName("web").get()
        .getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get("kubectl.kubernetes.io/restartedAt");
  }

  private static List<Recorded> workloadPatches(MockCluster cluster) {
    return cluster.dispatcher().requests().stream()
        .filter(r -> r.method().equals("PATCH") && (r.path().contains("/deployments/") || r.path().contains("/jobs/")
            || r.path().contains("/statefulsets/") || r.path().contains("/daemonsets/") || r.path().contains("/pods/")))
        .toList();
  }

  private static List<?> restartEvents(MockCluster cluster) {
    return cluster.client().v1().events().inNamespace(NAMESPACE).list().getItems().stream()
        .filter(e -> "WorkloadRestarted".equals(e.getReason()))
        .toList();
  }
}
