package dev.mlops.datastore.sandbox.kube;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A kubeconfig for the sandbox's API server, so kubectl can be pointed at it. The server takes a
 * new port each run, so the default file has a fixed name (one export serves every run) in the
 * temporary folder, per user. The mock API server asks for no credentials: the file holds none.
 */
public final class SandboxKubeconfig {
  public static final String CONTEXT = "aws-datastore-operator-sandbox";

  private SandboxKubeconfig() {}

  /** The default path: {@code <tmpdir>/aws-datastore-operator-sandbox-<user>.kubeconfig}. */
  public static Path defaultPath() {
    String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
    return Path.of(System.getProperty("java.io.tmpdir"), CONTEXT + "-" + user + ".kubeconfig");
  }

  /** Writes the kubeconfig for {@code serverUrl} to {@code path} (the default when null); returns its absolute path. */
  public static Path write(Path path, String serverUrl) throws IOException {
    Path file = (path == null ? defaultPath() : path).toAbsolutePath();
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    String server = serverUrl.endsWith("/") ? serverUrl.substring(0, serverUrl.length() - 1) : serverUrl;
    Files.writeString(file, text(server));
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the file holds no secret.
    }
    return file;
  }

  static String text(String server) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
          - name: %1$s
            cluster:
              server: %2$s
        users:
          - name: %1$s
            user: {}
        contexts:
          - name: %1$s
            context:
              cluster: %1$s
              user: %1$s
              namespace: default
        current-context: %1$s
        preferences: {}
        """.formatted(CONTEXT, server);
  }
}
