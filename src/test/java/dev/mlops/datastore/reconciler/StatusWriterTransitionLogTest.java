package dev.mlops.datastore.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.logging.FlatJsonEncoder;
import dev.mlops.datastore.testing.Resources;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One INFO line per condition whose status changed, as the JSON encoder writes it. */
class StatusWriterTransitionLogTest {
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Logger log;
  private Level level;

  @BeforeEach
  void capture() {
    log = (Logger) LoggerFactory.getLogger(StatusWriter.class);
    level = log.getLevel();
    log.setLevel(Level.INFO);
    captured.setContext(log.getLoggerContext());
    captured.start();
    log.addAppender(captured);
  }

  @AfterEach
  void release() {
    log.detachAppender(captured);
    log.setLevel(level);
  }

  private static Condition condition(String type, String status, String reason) {
    Condition c = new Condition();
    c.setType(type);
    c.setStatus(status);
    c.setReason(reason);
    c.setMessage("a message with s3://bucket/key that stays in the status");
    return c;
  }

  private List<JsonNode> json() throws Exception {
    FlatJsonEncoder encoder = new FlatJsonEncoder();
    encoder.setContext(log.getLoggerContext());
    encoder.start();
    List<JsonNode> out = new ArrayList<>();
    for (ILoggingEvent e : captured.list) {
      out.add(dev.mlops.datastore.logging.FlatJsonEncoderTest.STRICT.readTree(new String(encoder.encode(e), StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Test
  void shouldLogExactlyOneInfoLineForOneConditionThatChanged() throws Exception {
    List<Condition> before = List.of(condition("IntegrationReady", "True", "IntegrationReady"), condition("Ready", "False", "NotReadable"));
    List<Condition> after = List.of(condition("IntegrationReady", "True", "IntegrationReady"), condition("Ready", "True", "Ready"));

    StatusWriter.logTransitions(Resources.dataset("fraud-ref", "fraud-data"), before, after);

    assertThat(captured.list).hasSize(1);
    assertThat(captured.list.get(0).getLevel()).isEqualTo(Level.INFO);
    JsonNode line = json().get(0);
    assertThat(line.path("resource").asText()).isEqualTo("Dataset");
    assertThat(line.path("namespace").asText()).isEqualTo(Resources.NAMESPACE);
    assertThat(line.path("name").asText()).isEqualTo("fraud-ref");
    assertThat(line.path("condition").asText()).isEqualTo("Ready");
    assertThat(line.path("from").asText()).isEqualTo("False");
    assertThat(line.path("to").asText()).isEqualTo("True");
    assertThat(line.path("reason").asText()).isEqualTo("Ready");
    assertThat(line.toString()).doesNotContain("s3://bucket/key");
  }

  @Test
  void shouldLogNothingWhenOnlyAReasonOrMessageChanged() {
    StatusWriter.logTransitions(Resources.dataset("a", "x"), List.of(condition("Ready", "False", "NotReadable")),
        List.of(condition("Ready", "False", "AccessDenied")));

    assertThat(captured.list).isEmpty();
  }

  @Test
  void shouldLogAConditionThatAppearsAndOneThatGoes() throws Exception {
    StatusWriter.logTransitions(Resources.dataset("a", "x"), List.of(condition("Reconciling", "True", "AwsThrottled")),
        List.of(condition("Ready", "True", "Ready")));

    assertThat(json()).extracting(l -> l.path("condition").asText() + " " + l.path("from").asText() + "->" + l.path("to").asText())
        .containsExactly("Ready absent->True", "Reconciling True->absent");
  }
}
