package dev.mlops.datastore.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;

/**
 * Switches the console from the text lines of {@code logback.xml} to {@link FlatJsonEncoder}'s
 * JSON lines, once at start ({@code OPERATOR_LOG_FORMAT=json}); levels and loggers stay as the
 * file set them.
 */
public final class ConsoleLogging {
  private ConsoleLogging() {}

  public static void useJson(LoggerContext context) {
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    FlatJsonEncoder encoder = new FlatJsonEncoder();
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("json");
    appender.setEncoder(encoder);
    appender.start();
    root.addAppender(appender);
  }
}
