package dev.mlops.datastore.dataset;

/**
 * A read that would go over the inspection's budget (bytes, requests, one read's size, a footer's
 * decoded size, replayed commits, listed keys). Thrown before anything is allocated or requested;
 * the inspector turns it into the problem {@code ReadBudgetExceeded}, whose message names what was
 * being read and the cap.
 */
public final class ReadBudgetExceeded extends RuntimeException {
  public static final String REASON = "ReadBudgetExceeded";

  public ReadBudgetExceeded(String message) {
    super(message, null, false, false);
  }

  Problem problem() {
    return Problem.format(REASON, getMessage());
  }
}
