package dev.mlops.datastore;

import dev.mlops.datastore.reconciler.policy.PolicyMode;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Everything the operator reads from its environment, read once at start and validated there, so
 * that a bad value stops the process with one clear line instead of surfacing mid-reconcile.
 *
 * @param watchNamespaces namespaces to watch; empty means all namespaces
 * @param minCheckInterval floor for every spec.checkInterval, so no resource can ask for a hot loop
 * @param maxErrorBackoff cap of the backoff between retries after recoverable errors
 * @param leaderElection whether to run leader election through a Lease
 * @param leaseNamespace namespace of the Lease (required with leader election)
 * @param leaseName name of the Lease
 * @param httpPort port of /healthz, /readyz and /metrics; 0 picks a free port
 * @param logFormat text or json
 * @param reconcileThreads how many resources are reconciled at once
 * @param oidcIssuer the cluster's OIDC issuer when set by hand; otherwise it is discovered
 * @param shardSelector a label selector: this process reconciles only the AwsIntegrations, Datasets
 *     and ModelArtifacts it selects (one shard of several operator Deployments); empty: all
 * @param policyMode whether a namespace no AwsIntegrationPolicy selects is refused (closed, the
 *     default) or unrestricted (open) once some policy exists
 * @param eksClusterName the EKS cluster the operator runs in: the default of
 *     spec.auth.podIdentity.clusterName
 * @param eksRegion the region of EKS and EKS Auth calls (AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1)
 */
public record OperatorConfig(
    Set<String> watchNamespaces,
    Duration minCheckInterval,
    Duration maxErrorBackoff,
    boolean leaderElection,
    Optional<String> leaseNamespace,
    String leaseName,
    int httpPort,
    LogFormat logFormat,
    int reconcileThreads,
    Optional<String> oidcIssuer,
    Optional<String> shardSelector,
    PolicyMode policyMode,
    Optional<String> eksClusterName,
    String eksRegion) {

  /** Log line format. */
  public enum LogFormat {
    TEXT,
    JSON
  }

  public static final String WATCH_NAMESPACES = "OPERATOR_WATCH_NAMESPACES";
  public static final String MIN_CHECK_INTERVAL = "OPERATOR_MIN_CHECK_INTERVAL";
  public static final String MAX_ERROR_BACKOFF = "OPERATOR_MAX_ERROR_BACKOFF";
  public static final String LEADER_ELECTION = "OPERATOR_LEADER_ELECTION";
  public static final String LEASE_NAMESPACE = "OPERATOR_LEASE_NAMESPACE";
  public static final String LEASE_NAME = "OPERATOR_LEASE_NAME";
  public static final String HTTP_PORT = "OPERATOR_HTTP_PORT";
  public static final String LOG_FORMAT = "OPERATOR_LOG_FORMAT";
  public static final String RECONCILE_THREADS = "OPERATOR_RECONCILE_THREADS";
  public static final String OIDC_ISSUER = "OPERATOR_OIDC_ISSUER";
  public static final String SHARD_SELECTOR = "OPERATOR_SHARD_SELECTOR";
  public static final String POLICY_MODE = "OPERATOR_POLICY_MODE";
  public static final String EKS_CLUSTER_NAME = "OPERATOR_EKS_CLUSTER_NAME";
  /** Set by the Downward API in the chart; the Lease namespace falls back to it. */
  public static final String POD_NAMESPACE = "POD_NAMESPACE";

  public OperatorConfig {
    watchNamespaces = Set.copyOf(watchNamespaces);
    if (leaderElection && leaseNamespace.isEmpty()) {
      throw new InvalidConfigException(
          LEADER_ELECTION + "=true needs " + LEASE_NAMESPACE + " or " + POD_NAMESPACE);
    }
  }

  /** Defaults for tests and embedded use: all namespaces, no leader election, a free port. */
  public static OperatorConfig defaults() {
    return fromEnvironment(Map.of(HTTP_PORT, "0"));
  }

  /** Reads and validates the configuration; throws {@link InvalidConfigException} naming the variable. */
  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    Set<String> namespaces =
        Arrays.stream(env.getOrDefault(WATCH_NAMESPACES, "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toCollection(TreeSet::new));
    for (String ns : namespaces) {
      if (!ns.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
        throw new InvalidConfigException(WATCH_NAMESPACES + ": '" + ns + "' is not a namespace name");
      }
    }
    Duration minCheck = duration(env, MIN_CHECK_INTERVAL, "30s");
    Duration maxBackoff = duration(env, MAX_ERROR_BACKOFF, "5m");
    boolean leader = bool(env, LEADER_ELECTION, false);
    Optional<String> leaseNs =
        Optional.ofNullable(env.get(LEASE_NAMESPACE))
            .or(() -> Optional.ofNullable(env.get(POD_NAMESPACE)))
            .filter(s -> !s.isBlank());
    String leaseName = env.getOrDefault(LEASE_NAME, "aws-datastore-operator");
    int port = integer(env, HTTP_PORT, 8080, 0, 65535);
    LogFormat format;
    String rawFormat = env.getOrDefault(LOG_FORMAT, "text");
    try {
      format = LogFormat.valueOf(rawFormat.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(LOG_FORMAT + ": '" + rawFormat + "' is not text or json");
    }
    int threads = integer(env, RECONCILE_THREADS, 10, 1, 200);
    Optional<String> issuer = Optional.ofNullable(env.get(OIDC_ISSUER)).map(String::trim).filter(s -> !s.isEmpty());
    if (issuer.isPresent() && (!issuer.get().startsWith("https://") || issuer.get().length() <= 8)) {
      throw new InvalidConfigException(OIDC_ISSUER + ": '" + issuer.get() + "' is not an https:// issuer URL");
    }
    PolicyMode policyMode;
    String rawMode = env.getOrDefault(POLICY_MODE, "closed");
    try {
      policyMode = PolicyMode.parse(rawMode.isBlank() ? "closed" : rawMode);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(POLICY_MODE + ": " + e.getMessage());
    }
    Optional<String> shard = Optional.ofNullable(env.get(SHARD_SELECTOR)).map(String::trim).filter(s -> !s.isEmpty());
    shard.ifPresent(OperatorConfig::checkSelector);
    Optional<String> cluster = Optional.ofNullable(env.get(EKS_CLUSTER_NAME)).map(String::trim).filter(s -> !s.isEmpty());
    if (cluster.isPresent() && !cluster.get().matches("[0-9A-Za-z][A-Za-z0-9_-]{0,99}")) {
      throw new InvalidConfigException(EKS_CLUSTER_NAME + ": '" + cluster.get()
          + "' is not an EKS cluster name (1-100 letters, digits, - and _, starting with a letter or digit)");
    }
    String region = Optional.ofNullable(env.get("AWS_REGION")).or(() -> Optional.ofNullable(env.get("AWS_DEFAULT_REGION")))
        .map(String::trim).filter(s -> !s.isEmpty()).orElse("us-east-1");
    return new OperatorConfig(
        namespaces, minCheck, maxBackoff, leader, leaseNs, leaseName, port, format, threads, issuer, shard, policyMode,
        cluster, region);
  }

  /** One requirement of a label selector: key, key=value, key==value, key!=value, !key, key in (..), key notin (..). */
  private static final java.util.regex.Pattern REQUIREMENT = java.util.regex.Pattern.compile(
      "!?" + "((?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)"
          + "(\\s*(==|=|!=)\\s*[A-Za-z0-9]?([-A-Za-z0-9_.]*[A-Za-z0-9])?"
          + "|\\s+(in|notin)\\s*\\(\\s*[-A-Za-z0-9_., ]*\\))?");

  /**
   * Refuses what the API server would refuse as a label selector, so a typo is a one-line error at
   * start, not an informer that lists nothing (or everything) while the pod looks healthy.
   */
  static void checkSelector(String selector) {
    for (String requirement : selector.split(",(?![^()]*\\))")) {
      String r = requirement.trim();
      if (r.isEmpty() || !REQUIREMENT.matcher(r).matches() || (r.startsWith("!") && r.matches("!.*[=(].*"))) {
        throw new InvalidConfigException(SHARD_SELECTOR + ": '" + r + "' is not a label selector requirement"
            + " (e.g. datastore.mlops.dev/shard=a, or datastore.mlops.dev/shard in (a,b))");
      }
    }
  }

  private static Duration duration(Map<String, String> env, String name, String fallback) {
    String raw = env.getOrDefault(name, fallback);
    try {
      return GoDuration.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(name + ": " + e.getMessage());
    }
  }

  private static boolean bool(Map<String, String> env, String name, boolean fallback) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new InvalidConfigException(name + ": '" + raw + "' is not true or false");
    };
  }

  private static int integer(Map<String, String> env, String name, int fallback, int min, int max) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.trim());
      if (value < min || value > max) {
        throw new InvalidConfigException(name + ": " + value + " is outside " + min + ".." + max);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new InvalidConfigException(name + ": '" + raw + "' is not a number");
    }
  }

  /** A configuration value that cannot be used; its message names the variable. */
  public static final class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String message) {
      super(message);
    }
  }
}
