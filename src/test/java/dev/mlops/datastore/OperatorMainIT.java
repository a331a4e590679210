package dev.mlops.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.testing.MockCluster;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Start-up tells in one line why the operator cannot run. */
class OperatorMainIT {
  @Test
  void shouldSayInOneLineThatTheApiServerIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + closedPort).build();

    String why = OperatorMain.preflight(config, OperatorConfig.defaults());

    assertThat(why).startsWith("cannot reach the Kubernetes API at http://127.0.0.1:" + closedPort).doesNotContain("\n");
  }

  @Test
  void shouldPassWhenTheApiAnswersAndTheCrdsAreInstalled() {
    try (MockCluster cluster = new MockCluster()) {
      String why = OperatorMain.preflight(cluster.client().getConfiguration(), OperatorConfig.defaults());

      assertThat(why).isNull();
    }
  }
}
