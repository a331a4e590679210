package dev.mlops.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import org.junit.jupiter.api.Test;

/** The operator's client: its field manager, and HTTP/1.1 where h2c would be tried. */
class OperatorClientConfigTest {
  @Test
  void shouldSpeakHttp11ToAPlainHttpApiServer() {
    Config config = OperatorMain.asOperator(new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:6443").build());

    assertThat(config.isHttp2Disable()).isTrue();
    assertThat(config.getUserAgent()).isEqualTo(OperatorMain.FIELD_MANAGER);
  }

  @Test
  void shouldLeaveHttp2ToTlsNegotiation() {
    Config config = OperatorMain.asOperator(new ConfigBuilder(Config.empty()).withMasterUrl("https://kubernetes.default.svc").build());

    assertThat(config.isHttp2Disable()).isFalse();
  }
}
