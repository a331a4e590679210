package dev.mlops.datastore.reconciler.awsintegration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceAccountPatcherTest {
  @Test
  void shouldPinTheResourceVersionAndEscapeSlashesInAnnotationKeys() {
    ServiceAccount sa = Resources.serviceAccount("a", Map.of("team", "fraud", "eks.amazonaws.com/audience", "x"));
    sa.getMetadata().setResourceVersion("42");
    Map<String, String> changes = new LinkedHashMap<>();
    changes.put("eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/r");
    changes.put("eks.amazonaws.com/audience", null);
    changes.put("not-there", null);

    String patch = ServiceAccountPatcher.jsonPatch(sa, changes);

    assertThat(patch)
        .isEqualTo(
            "[{\"op\":\"replace\",\"path\":\"/metadata/resourceVersion\",\"value\":\"42\"},"
                + "{\"op\":\"add\",\"path\":\"/metadata/annotations/eks.amazonaws.com~1role-arn\",\"value\":\"arn:aws:iam::111122223333:role/r\"},"
                + "{\"op\":\"remove\",\"path\":\"/metadata/annotations/eks.amazonaws.com~1audience\"}]");
  }

  @Test
  void shouldCreateTheAnnotationMapWhenTheServiceAccountHasNone() {
    ServiceAccount sa = Resources.serviceAccount("a");
    sa.getMetadata().setAnnotations(null);
    sa.getMetadata().setResourceVersion("7");

    String patch = ServiceAccountPatcher.jsonPatch(sa, Map.of("k", "v"));

    assertThat(patch).contains("{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"k\":\"v\"}}");
  }
}
