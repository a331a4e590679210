package dev.mlops.datastore.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one clock of a sandbox: the operator, the emulated STS and the cluster's token issuer all
 * read it, so a scene step that advances it makes sessions and tokens expire and checks fall due
 * everywhere at once. It runs with the system clock, plus whatever the scene has skipped ahead.
 */
public final class SceneClock extends Clock {
  private final Clock base;
  private final AtomicReference<Duration> skipped;

  public SceneClock() {
    this(Clock.systemUTC(), new AtomicReference<>(Duration.ZERO));
  }

  private SceneClock(Clock base, AtomicReference<Duration> skipped) {
    this.base = base;
    this.skipped = skipped;
  }

  /** Moves this clock (and every clock derived from it) forward. */
  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("the clock only moves forward, not by " + by);
    }
    skipped.updateAndGet(d -> d.plus(by));
  }

  /** How far the scene has moved time ahead of the system clock. */
  public Duration skipped() {
    return skipped.get();
  }

  @Override
  public Instant instant() {
    return base.instant().plus(skipped.get());
  }

  @Override
  public ZoneId getZone() {
    return base.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return zone.equals(base.getZone()) ? this : new SceneClock(base.withZone(zone), skipped);
  }
}
