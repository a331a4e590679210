package dev.mlops.datastore.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The scene {@code local} runs when given none: {@code deploy/examples/local} of the working folder
 * (a project checkout, where edits to it count), else the copy the local jar carries, unpacked to a
 * temporary folder (its world file names policy and data files relative to itself) that
 * {@link #close()} removes. So the jar runs from any folder.
 */
record DefaultScene(Path folder, boolean unpacked) implements AutoCloseable {

  /** The scene, or null when neither the folder nor the jar's copy exists. */
  static DefaultScene find(Path inWorkingFolder, String resourceFolder) throws IOException {
    if (Files.isRegularFile(inWorkingFolder.resolve("world.yaml"))) {
      return new DefaultScene(inWorkingFolder, false);
    }
    URL marker = DefaultScene.class.getClassLoader().getResource(resourceFolder + "/world.yaml");
    if (marker == null) {
      return null;
    }
    URI uri;
    try {
      uri = marker.toURI();
    } catch (URISyntaxException e) {
      throw new IOException("bad resource URL " + marker, e);
    }
    if (uri.getScheme().equals("file")) {
      return new DefaultScene(Path.of(uri).getParent(), false);
    }
    String jar = uri.toString().substring(0, uri.toString().indexOf("!/"));
    Path target = Files.createTempDirectory("aws-datastore-operator-scene");
    try (FileSystem fs = FileSystems.newFileSystem(URI.create(jar), Map.of())) {
      copy(fs.getPath("/" + resourceFolder), target);
    }
    return new DefaultScene(target, true);
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path dest = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(f, dest);
        }
      }
    }
  }

  @Override
  public void close() {
    if (!unpacked) {
      return;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> {
        try {
          Files.deleteIfExists(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // A temporary folder left behind is harmless.
    }
  }
}
