package dev.mlops.datastore.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

public class FlatJsonEncoderTest {
  /** Duplicate keys are an error here: a flat line must have each key once. */
  public static final ObjectMapper STRICT = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final FlatJsonEncoder encoder = new FlatJsonEncoder();
  private Logger log;

  @BeforeEach
  void setUp() {
    captured.setContext(context);
    captured.start();
    log = context.getLogger("dev.mlops.datastore.reconciler.dataset.DatasetReconciler");
    log.setLevel(Level.DEBUG);
    log.setAdditive(false);
    log.addAppender(captured);
    encoder.setContext(context);
    encoder.start();
  }

  @AfterEach
  void clearMdc() {
    MDC.clear();
    log.detachAppender(captured);
    log.setAdditive(true);
    log.setLevel(null);
  }

  /** Encodes every captured line and parses it; fails on a line that is not one flat JSON object. */
  public static List<JsonNode> lines(FlatJsonEncoder encoder, List<ILoggingEvent> events) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (ILoggingEvent e : events) {
      String line = new String(encoder.encode(e), StandardCharsets.UTF_8);
      assertThat(line).endsWith("}\n").doesNotContain("\n{");
      assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
      JsonNode node = STRICT.readTree(line);
      assertThat(node.isObject()).isTrue();
      node.fields().forEachRemaining(f -> assertThat(f.getValue().isValueNode()).as("key %s is flat", f.getKey()).isTrue());
      out.add(node);
    }
    return out;
  }

  @Test
  void shouldWriteOneFlatObjectWithIsoTimestampLevelLoggerAndMessage() throws Exception {
    log.atInfo().addKeyValue("reason", "AwsThrottled").addKeyValue("awsRequestId", "0f3c-42").addKeyValue("attempt", 3)
        .log("reconcile failed; retrying");

    JsonNode line = lines(encoder, captured.list).get(0);
    assertThat(Instant.parse(line.path("timestamp").asText())).isEqualTo(captured.list.get(0).getInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    assertThat(line.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(line.path("level").asText()).isEqualTo("INFO");
    assertThat(line.path("logger").asText()).isEqualTo("dev.mlops.datastore.reconciler.dataset.DatasetReconciler");
    assertThat(line.path("message").asText()).isEqualTo("reconcile failed; retrying");
    assertThat(line.path("reason").asText()).isEqualTo("AwsThrottled");
    assertThat(line.path("awsRequestId").asText()).isEqualTo("0f3c-42");
    assertThat(line.path("attempt").isInt()).isTrue();
  }

  @Test
  void shouldNameTheReconciledResourceWithShortKeysFromJosdksMdc() throws Exception {
    MDC.put("resource.kind", "Dataset");
    MDC.put("resource.namespace", "ml");
    MDC.put("resource.name", "fraud-ref");
    MDC.put("resource.uid", "00000000-0000-0000-0000-000000000001");
    MDC.put("resource.resourceVersion", "17");
    log.info("checked");

    JsonNode line = lines(encoder, captured.list).get(0);
    assertThat(line.path("resource").asText()).isEqualTo("Dataset");
    assertThat(line.path("namespace").asText()).isEqualTo("ml");
    assertThat(line.path("name").asText()).isEqualTo("fraud-ref");
    assertThat(line.has("resource.uid")).isFalse();
    assertThat(line.has("resource.resourceVersion")).isFalse();
  }

  @Test
  void shouldLetTheLinesOwnKeyWinOverTheMdcsSoNoKeyAppearsTwice() throws Exception {
    MDC.put("resource.kind", "Dataset");
    MDC.put("resource.name", "from-mdc");
    log.atInfo().addKeyValue("name", "from-line").addKeyValue("message", "not the message").log("the message");

    JsonNode line = lines(encoder, captured.list).get(0);
    assertThat(line.path("name").asText()).isEqualTo("from-line");
    assertThat(line.path("message").asText()).isEqualTo("the message");
  }

  @Test
  void shouldEscapeHostileTextAndKeepAStackTraceOnOneLine() throws Exception {
    log.atWarn().addKeyValue("path", "s3://b/a\"b\\c\n\u0001\u2028").setCause(new IllegalStateException("boom\nsecond line"))
        .log("quote \" newline \n tab \t");

    JsonNode line = lines(encoder, captured.list).get(0);
    assertThat(line.path("path").asText()).isEqualTo("s3://b/a\"b\\c\n\u0001\u2028");
    assertThat(line.path("message").asText()).isEqualTo("quote \" newline \n tab \t");
    assertThat(line.path("exception").asText()).startsWith("java.lang.IllegalStateException: boom").contains("\tat ");
  }

  @Test
  void shouldLeaveNoNamespacePlaceholderOfAClusterScopedResource() throws Exception {
    MDC.put("resource.namespace", "no namespace");
    MDC.put("resource.name", "default-policy");
    log.info("cluster-scoped");

    JsonNode line = lines(encoder, captured.list).get(0);
    assertThat(line.has("namespace")).isFalse();
    assertThat(line.path("name").asText()).isEqualTo("default-policy");
  }
}
