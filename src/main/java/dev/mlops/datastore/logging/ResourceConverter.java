package dev.mlops.datastore.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;

/**
 * {@code %resource} in a text pattern: the object being reconciled, from JOSDK's MDC, as a person
 * reads it ({@code Dataset ml/fraud-ref }), or nothing outside a reconcile. The text format's
 * counterpart of the JSON lines' {@code resource}, {@code namespace} and {@code name} keys; the
 * MDC's other entries (uid, versions) are left to the JSON lines' readers.
 */
public final class ResourceConverter extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    Map<String, String> mdc = event.getMDCPropertyMap();
    String name = mdc == null ? null : mdc.get("resource.name");
    if (name == null) {
      return "";
    }
    String kind = mdc.get("resource.kind");
    String namespace = mdc.get("resource.namespace");
    StringBuilder out = new StringBuilder(64);
    if (kind != null) {
      out.append(kind).append(' ');
    }
    if (namespace != null && !"no namespace".equals(namespace)) {
      out.append(namespace).append('/');
    }
    return out.append(name).append(' ').toString();
  }
}
