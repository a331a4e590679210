package dev.mlops.datastore.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version}: the project version and build time Maven wrote into
 * {@code build-info.properties} at build (no git is asked, so a source tarball builds the same), with
 * the jar manifest's {@code Implementation-Version} as a fallback, and the Java that runs it.
 */
final class BuildInfo implements IVersionProvider {
  static final String NAME = "aws-datastore-operator";
  private static final String RESOURCE = "build-info.properties";

  @Override
  public String[] getVersion() {
    Properties build = load();
    String version = filtered(build.getProperty("version"));
    if (version == null) {
      version = BuildInfo.class.getPackage().getImplementationVersion();
    }
    String built = filtered(build.getProperty("buildTime"));
    String jdk = filtered(build.getProperty("buildJdk"));
    return new String[] {
      NAME + " " + (version == null ? "unknown" : version),
      "built " + (built == null ? "at an unknown time" : built) + (jdk == null ? "" : " with JDK " + jdk),
      "running on Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
          + System.getProperty("os.name") + " " + System.getProperty("os.arch")
    };
  }

  /** The version alone, or null when the build did not record one. */
  static String version() {
    return filtered(load().getProperty("version"));
  }

  private static Properties load() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // No build info: --version says unknown rather than fail.
    }
    return properties;
  }

  /** A value Maven did not fill in (a build without resource filtering) counts as absent. */
  private static String filtered(String value) {
    return value == null || value.isBlank() || value.contains("${") ? null : value.strip();
  }
}
