package dev.mlops.datastore.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;

/**
 * "Check now": a new value of the annotation {@value #ANNOTATION} (any text, as Flux's {@code
 * reconcile.fluxcd.io/requestedAt}) asks for a full check at once, and the status echoes the value
 * it handled in {@code lastHandledRequestedAt}, so that a script can wait for it. Whether a request
 * is pending is decided from the resource alone (annotation against status), so a restarted
 * operator neither repeats a handled request nor forgets one it had not handled yet.
 */
public final class CheckRequests {
  public static final String ANNOTATION = "datastore.mlops.dev/requested-at";
  /**
   * The longest value echoed as it is; a longer one (annotations may hold 256 KiB) is echoed as
   * its digest, so the status stays small and the comparison stays exact.
   */
  public static final int MAX_ECHOED_LENGTH = 256;

  private CheckRequests() {}

  /** The annotation's value as the status echoes it, or null when the resource carries none. */
  public static String requested(HasMetadata resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(ANNOTATION);
    if (value == null) {
      return null;
    }
    return value.length() <= MAX_ECHOED_LENGTH ? value : digest(value);
  }

  /** True when the resource asks for a check that its status has not echoed yet. */
  public static boolean pending(HasMetadata resource, String lastHandled) {
    String requested = requested(resource);
    return requested != null && !requested.equals(lastHandled);
  }

  /** What a status written after a full check echoes: the request it handled, else the previous echo. */
  public static String handled(HasMetadata resource, String lastHandled) {
    String requested = requested(resource);
    return requested != null ? requested : lastHandled;
  }

  /**
   * The primary informer's update filter for a controller declared with {@code
   * generationAwareEventProcessing = false}: it wakes the reconciler for what a generation-aware
   * controller would (a new generation, a deletion, a finalizer change) and for a new request,
   * and not for status or other metadata edits.
   */
  public static final class UpdateFilter<R extends HasMetadata> implements OnUpdateFilter<R> {
    @Override
    public boolean accept(R updated, R old) {
      Long was = old.getMetadata().getGeneration();
      Long is = updated.getMetadata().getGeneration();
      return was == null || is == null || is > was
          || !Objects.equals(requested(updated), requested(old))
          || (updated.getMetadata().getDeletionTimestamp() != null && old.getMetadata().getDeletionTimestamp() == null)
          || !Objects.equals(updated.getMetadata().getFinalizers(), old.getMetadata().getFinalizers());
    }
  }

  private static String digest(String value) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
