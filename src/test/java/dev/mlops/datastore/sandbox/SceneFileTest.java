package dev.mlops.datastore.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scene files as kubectl reads the same YAML, and the default scene found from any folder. */
class SceneFileTest {
  @Test
  void shouldPutObjectsWithoutANamespaceInDefaultAsKubectlDoes() throws Exception {
    List<HasMetadata> objects = SceneFile.objects("""
        apiVersion: v1
        kind: Secret
        metadata: {name: creds}
        stringData: {AWS_ACCESS_KEY_ID: AKIAEXAMPLEEXAMPLE00}
        ---
        apiVersion: datastore.mlops.dev/v1alpha1
        kind: Dataset
        metadata: {name: d, namespace: team}
        spec: {integrationRef: {name: i}, path: "s3://b/k.csv"}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: team}
        """, "scene.yaml");

    assertThat(objects).extracting(o -> o.getMetadata().getNamespace()).containsExactly("default", "team", null);
  }

  @Test
  void shouldLoadEveryShippedExample() throws Exception {
    try (var files = Files.list(Path.of("deploy", "examples"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        assertThat(SceneFile.read(f)).as(f.toString()).isNotEmpty().allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("default"));
      }
    }
    // The cluster-scoped policy example keeps no namespace.
    assertThat(SceneFile.read(Path.of("deploy", "examples", "policies", "team-a.yaml")))
        .singleElement().satisfies(o -> assertThat(o.getMetadata().getNamespace()).isNull());
  }

  @Test
  void shouldPreferTheWorkingFoldersSceneAndElseSayThereIsNone(@TempDir Path elsewhere) throws Exception {
    try (DefaultScene here = DefaultScene.find(LocalSandbox.DEFAULT_SCENE, LocalSandbox.EMBEDDED_SCENE)) {
      assertThat(here.folder()).isEqualTo(LocalSandbox.DEFAULT_SCENE);
      assertThat(here.unpacked()).isFalse();
    }
    // Outside a jar (the tests' class path has no copy of the scene), another folder finds none.
    assertThat(DefaultScene.find(elsewhere.resolve("deploy/examples/local"), LocalSandbox.EMBEDDED_SCENE)).isNull();
  }
}
