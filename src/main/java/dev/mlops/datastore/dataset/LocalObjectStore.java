package dev.mlops.datastore.dataset;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A local folder as an object store: for {@code inspect} on files, and for tests. */
public final class LocalObjectStore implements ObjectStore {
  private final Path root;

  public LocalObjectStore(Path root) {
    this.root = root;
  }

  private Path resolve(String key) {
    return key.isEmpty() ? root : root.resolve(key);
  }

  @Override
  public ObjectInfo head(String key) {
    Path p = resolve(key);
    if (!Files.isRegularFile(p)) {
      throw new ObjectStoreException(ObjectStoreException.Kind.NOT_FOUND, describe(key) + " does not exist", null);
    }
    try {
      return new ObjectInfo(Files.size(p), null, Files.getLastModifiedTime(p).toInstant(), null, null);
    } catch (IOException e) {
      throw new ObjectStoreException(ObjectStoreException.Kind.OTHER, "cannot read " + describe(key) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] read(String key, long offset, int length) {
    try (RandomAccessFile f = new RandomAccessFile(resolve(key).toFile(), "r")) {
      long size = f.length();
      if (offset >= size) {
        return new byte[0];
      }
      int n = (int) Math.min(length, size - offset);
      byte[] b = new byte[n];
      f.seek(offset);
      f.readFully(b);
      return b;
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new ObjectStoreException(ObjectStoreException.Kind.NOT_FOUND, describe(key) + " does not exist", e);
    } catch (IOException e) {
      throw new ObjectStoreException(ObjectStoreException.Kind.OTHER, "cannot read " + describe(key) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] readSuffix(String key, int length) {
    long size = head(key).size();
    long offset = Math.max(0, size - length);
    return read(key, offset, (int) Math.min(length, size));
  }

  @Override
  public Listing list(String prefix, String startAfter, int maxKeys) {
    Path dir = resolve(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
    List<Listed> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return new Listing(out, false, 1);
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new ObjectStoreException(ObjectStoreException.Kind.OTHER, "cannot list " + dir + ": " + e.getMessage(), e);
    }
    List<String> keys = new ArrayList<>();
    for (Path p : files) {
      String key = root.relativize(p).toString().replace('\\', '/');
      if (startAfter == null || key.compareTo(startAfter) > 0) {
        keys.add(key);
      }
    }
    keys.sort(Comparator.naturalOrder());
    for (String key : keys.subList(0, Math.min(keys.size(), maxKeys))) {
      try {
        out.add(new Listed(key, Files.size(resolve(key))));
      } catch (IOException e) {
        out.add(new Listed(key, -1));
      }
    }
    return new Listing(out, keys.size() > maxKeys, 1);
  }

  @Override
  public String describe(String key) {
    return resolve(key).toString();
  }
}
