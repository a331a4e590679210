package dev.mlops.datastore.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.Dataset;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckRequestsTest {
  @Test
  void shouldBePendingOnlyForAValueTheStatusHasNotEchoed() {
    Dataset ds = withRequest("1732269600");

    assertThat(CheckRequests.pending(ds, null)).isTrue();
    assertThat(CheckRequests.pending(ds, "1732269599")).isTrue();
    assertThat(CheckRequests.pending(ds, "1732269600")).isFalse();
    assertThat(CheckRequests.pending(new Dataset(), "x")).isFalse();
  }

  @Test
  void shouldEchoALongValueAsItsDigestSoTheStatusStaysSmall() {
    Dataset ds = withRequest("x".repeat(100_000));

    String echoed = CheckRequests.handled(ds, null);

    assertThat(echoed).startsWith("sha256:").hasSize(7 + 64);
    assertThat(CheckRequests.pending(ds, echoed)).isFalse();
  }

  @Test
  void shouldKeepThePreviousEchoWhenTheAnnotationIsRemoved() {
    assertThat(CheckRequests.handled(new Dataset(), "earlier")).isEqualTo("earlier");
  }

  @Test
  void shouldWakeTheReconcilerForANewRequestButNotForOtherMetadata() {
    var filter = new CheckRequests.UpdateFilter<Dataset>();
    Dataset before = withRequest("1");
    Dataset relabelled = withRequest("1");
    relabelled.getMetadata().setLabels(Map.of("team", "fraud"));

    assertThat(filter.accept(withRequest("2"), before)).isTrue();
    assertThat(filter.accept(relabelled, before)).isFalse();
    Dataset newGeneration = withRequest("1");
    newGeneration.getMetadata().setGeneration(2L);
    assertThat(filter.accept(newGeneration, before)).isTrue();
  }

  private static Dataset withRequest(String value) {
    Dataset ds = new Dataset();
    ds.setMetadata(new ObjectMetaBuilder().withName("d").withGeneration(1L).withAnnotations(Map.of(CheckRequests.ANNOTATION, value)).build());
    return ds;
  }
}
