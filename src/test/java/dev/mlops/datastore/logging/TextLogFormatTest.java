package dev.mlops.datastore.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text lines of the shipped logback.xml, for a person running the operator locally. */
class TextLogFormatTest {

  private static String line(Map<String, String> mdc) throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(TextLogFormatTest.class.getResource("/logback.xml"));
    assertThat(context.getStatusManager().getCopyOfStatusList()).noneMatch(s -> s.getLevel() == Status.ERROR);
    Logger log = context.getLogger("dev.mlops.datastore.reconciler.StatusWriter");
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> text = (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("text");
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), log, Level.INFO, "Ready False -> True", null, null);
    event.setMDCPropertyMap(mdc);
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("reason", "Ready"));
    return new String(text.getEncoder().encode(event), StandardCharsets.UTF_8);
  }

  @Test
  void shouldNameTheReconciledResourceShortlyAndLeaveTheRestOfTheMdcOut() throws Exception {
    String line = line(Map.of("resource.kind", "Dataset", "resource.namespace", "ml", "resource.name", "fraud-ref",
        "resource.uid", "00000000-0000-0000-0000-000000000001"));

    assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  StatusWriter Dataset ml/fraud-ref Ready False -> True reason=\"Ready\"\\n");
  }

  @Test
  void shouldPrintNoResourceOutsideAReconcile() throws Exception {
    assertThat(line(Map.of())).endsWith("INFO  StatusWriter Ready False -> True reason=\"Ready\"\n");
  }
}
