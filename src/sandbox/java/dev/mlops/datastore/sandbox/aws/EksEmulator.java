package dev.mlops.datastore.sandbox.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mlops.datastore.sandbox.aws.AwsWorld.Caller;
import dev.mlops.datastore.sandbox.aws.AwsWorld.EksCluster;
import dev.mlops.datastore.sandbox.aws.AwsWorld.PodIdentityAssociation;
import dev.mlops.datastore.sandbox.aws.AwsWorld.Role;
import dev.mlops.datastore.sandbox.aws.AwsWorld.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EKS and EKS Auth on loopback, each on its own port, speaking their REST-JSON protocols as AWS
 * does (JSON bodies, errors as an {@code x-amzn-ErrorType} header and a {@code {"message": ...}}
 * body, the HTTP statuses of the services' models), backed by an {@link AwsWorld}. Every call's
 * SigV4 signature is verified with the caller's own secret ({@link SigV4Verifier}), and must be
 * scoped to the service it reached ({@code eks} or {@code eks-auth}). Faults the world staged come
 * first.
 *
 * <p>EKS: DescribeCluster and the five Pod Identity association calls (Create, Describe, List,
 * Update, Delete), with EKS's IDs and ARNs ({@code a-} and 17 characters;
 * {@code arn:aws:eks:REGION:ACCOUNT:podidentityassociation/CLUSTER/ID}).
 *
 * <p>EKS Auth: AssumeRoleForPodIdentity checks the service-account token as EKS does (RS256
 * signature by the cluster's issuer key, {@code iss}, audience {@code pods.eks.amazonaws.com},
 * {@code exp} by the world's clock), finds the association of the token's service account, and
 * lets STS decide the role's trust policy with the sandbox's own {@link StsTrustMatcher}: principal
 * Service {@code pods.eks.amazonaws.com}, {@code sts:AssumeRole} and (with session tags)
 * {@code sts:TagSession}, the six session tags EKS passes unless the association disables them,
 * {@code aws:SourceAccount} and {@code aws:SourceArn}. A target role is then assumed by the first
 * role (role chaining). The credentials are a session of the world, so S3 authorizes them as the
 * role. A role declared with explicit subjects ({@link AwsWorld#role}) admits the service accounts
 * ({@code system:serviceaccount:NS:SA}) its globs match instead, and as a target role the first
 * role ARNs they match.
 */
public final class EksEmulator implements AutoCloseable {
  /** The audience EKS Auth requires of a service-account token. */
  public static final String AUDIENCE = "pods.eks.amazonaws.com";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CLUSTER_NAME = Pattern.compile("[0-9A-Za-z][A-Za-z0-9\\-_]{0,99}");
  private static final Pattern CLUSTER = Pattern.compile("/clusters/([^/]+)");
  private static final Pattern ASSOCIATIONS = Pattern.compile("/clusters/([^/]+)/pod-identity-associations");
  private static final Pattern ASSOCIATION = Pattern.compile("/clusters/([^/]+)/pod-identity-associations/([^/]+)");
  private static final Pattern ASSUME = Pattern.compile("/clusters/([^/]+)/assume-role-for-pod-identity");
  private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+");
  private static final Pattern JWT = Pattern.compile("[A-Za-z0-9-_=]+\\.[A-Za-z0-9-_=]+\\.[A-Za-z0-9-_=]+");

  private final AwsWorld world;
  private final java.util.concurrent.ExecutorService threads = Executors.newCachedThreadPool();
  private final HttpServer eks;
  private final HttpServer eksAuth;
  private final List<String> calls = new CopyOnWriteArrayList<>();

  /** An EKS error: the service's error code, HTTP status and message. */
  private static final class EksError extends Exception {
    final int status;
    final String code;

    EksError(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  public EksEmulator(AwsWorld world) {
    this.world = world;
    this.eks = server(this::handleEks);
    this.eksAuth = server(this::handleEksAuth);
  }

  private HttpServer server(com.sun.net.httpserver.HttpHandler handler) {
    try {
      HttpServer server = LoopbackHttp.server();
      server.createContext("/", handler);
      server.setExecutor(threads);
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where EKS answers ({@code AWS_ENDPOINT_URL_EKS}). */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + eks.getAddress().getPort());
  }

  /** Where EKS Auth answers ({@code AWS_ENDPOINT_URL_EKS_AUTH}). */
  public URI authEndpoint() {
    return URI.create("http://127.0.0.1:" + eksAuth.getAddress().getPort());
  }

  /** Every operation answered, e.g. "eks:CreatePodIdentityAssociation", "eks-auth:AssumeRoleForPodIdentity". */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  public void clearCalls() {
    calls.clear();
  }

  // -- EKS ----------------------------------------------------------------------------------------

  private void handleEks(HttpExchange ex) throws IOException {
    try {
      byte[] body = ex.getRequestBody().readAllBytes();
      String method = ex.getRequestMethod();
      String path = ex.getRequestURI().getRawPath();
      Matcher m;
      String operation;
      String cluster;
      String id = null;
      if ((m = ASSOCIATION.matcher(path)).matches()) {
        cluster = decode(m.group(1));
        id = decode(m.group(2));
        operation = switch (method) {
          case "GET" -> "DescribePodIdentityAssociation";
          case "POST" -> "UpdatePodIdentityAssociation";
          case "DELETE" -> "DeletePodIdentityAssociation";
          default -> null;
        };
      } else if ((m = ASSOCIATIONS.matcher(path)).matches()) {
        cluster = decode(m.group(1));
        operation = switch (method) {
          case "GET" -> "ListPodIdentityAssociations";
          case "POST" -> "CreatePodIdentityAssociation";
          default -> null;
        };
      } else if ((m = CLUSTER.matcher(path)).matches() && method.equals("GET")) {
        cluster = decode(m.group(1));
        operation = "DescribeCluster";
      } else {
        cluster = null;
        operation = null;
      }
      if (operation == null) {
        error(ex, new EksError(404, "UnknownOperationException", "No operation of the sandbox's EKS answers " + method + " " + path));
        return;
      }
      calls.add("eks:" + operation);
      if (staged(ex, world.stage("eks", operation))) {
        return;
      }
      Caller caller = authenticate(ex, body, "eks");
      if (world.eksDenied(operation)) {
        throw new EksError(403, "AccessDeniedException", "User: " + caller.arn() + " is not authorized to perform: eks:" + operation
            + " on resource: " + world.eksCluster(cluster).map(EksCluster::arn).orElse("arn:aws:eks:*:*:cluster/" + cluster));
      }
      EksCluster c = world.eksCluster(cluster).orElseThrow(() -> new EksError(404, "ResourceNotFoundException", "No cluster found for name: " + cluster + "."));
      switch (operation) {
        case "DescribeCluster" -> ok(ex, describeCluster(c));
        case "ListPodIdentityAssociations" -> ok(ex, list(c, query(ex.getRequestURI().getRawQuery())));
        case "CreatePodIdentityAssociation" -> ok(ex, wrap(create(c, json(body))));
        case "DescribePodIdentityAssociation" -> ok(ex, wrap(found(c, id, world.association(c.name(), id))));
        case "UpdatePodIdentityAssociation" -> ok(ex, wrap(update(c, id, json(body))));
        default -> ok(ex, wrap(found(c, id, world.deleteAssociation(c.name(), id))));
      }
    } catch (EksError e) {
      error(ex, e);
    } catch (RuntimeException e) {
      error(ex, new EksError(500, "ServerException", "emulator failure: " + e.getClass().getSimpleName()));
    }
  }

  private ObjectNode describeCluster(EksCluster c) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode cluster = root.putObject("cluster");
    cluster.put("name", c.name()).put("arn", c.arn()).put("createdAt", 1767225600).put("version", "1.33")
        .put("endpoint", "https://" + endpointId(c.arn()) + ".gr7." + c.region() + ".eks.amazonaws.com")
        .put("status", "ACTIVE").put("platformVersion", "eks.1");
    world.issuerOf(c).ifPresent(issuer -> cluster.putObject("identity").putObject("oidc").put("issuer", issuer));
    cluster.putObject("accessConfig").put("authenticationMode", "API_AND_CONFIG_MAP");
    cluster.putObject("tags");
    return root;
  }

  /** A cluster endpoint's 32 hex digits, as EKS shows them, stable for the ARN. */
  private static String endpointId(String arn) {
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(arn.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().withUpperCase().formatHex(hash, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode list(EksCluster c, Map<String, String> query) throws EksError {
    int max = 100;
    if (query.containsKey("maxResults")) {
      try {
        max = Integer.parseInt(query.get("maxResults"));
      } catch (NumberFormatException e) {
        max = -1;
      }
      if (max < 1 || max > 100) {
        throw new EksError(400, "InvalidParameterException", "maxResults must be between 1 and 100.");
      }
    }
    int start = 0;
    if (query.containsKey("nextToken")) {
      start = offset(query.get("nextToken"));
    }
    String namespace = query.get("namespace");
    String serviceAccount = query.get("serviceAccount");
    List<PodIdentityAssociation> matching = world.podIdentityAssociations().stream()
        .filter(a -> a.clusterName().equals(c.name()))
        .filter(a -> namespace == null || a.namespace().equals(namespace))
        .filter(a -> serviceAccount == null || a.serviceAccount().equals(serviceAccount))
        .toList();
    ObjectNode root = JSON.createObjectNode();
    ArrayNode out = root.putArray("associations");
    int end = Math.min(matching.size(), start + max);
    for (PodIdentityAssociation a : matching.subList(Math.min(start, matching.size()), end)) {
      out.addObject().put("clusterName", a.clusterName()).put("namespace", a.namespace()).put("serviceAccount", a.serviceAccount())
          .put("associationArn", a.associationArn()).put("associationId", a.associationId());
    }
    if (end < matching.size()) {
      root.put("nextToken", Base64.getUrlEncoder().withoutPadding().encodeToString(("sandbox-offset:" + end).getBytes(StandardCharsets.UTF_8)));
    }
    return root;
  }

  private static int offset(String token) throws EksError {
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (text.startsWith("sandbox-offset:")) {
        return Integer.parseInt(text.substring("sandbox-offset:".length()));
      }
    } catch (IllegalArgumentException e) {
      // not a token this emulator gave out
    }
    throw new EksError(400, "InvalidParameterException", "The nextToken is invalid.");
  }

  private PodIdentityAssociation create(EksCluster c, JsonNode body) throws EksError {
    String namespace = required(body, "namespace");
    String serviceAccount = required(body, "serviceAccount");
    String roleArn = roleArn(body, "roleArn", true);
    String targetRoleArn = roleArn(body, "targetRoleArn", false);
    boolean disableSessionTags = bool(body, "disableSessionTags");
    if (!namespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || namespace.length() > 63) {
      throw new EksError(400, "InvalidParameterException", "Namespace " + namespace + " is not a valid Kubernetes namespace name.");
    }
    if (!serviceAccount.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || serviceAccount.length() > 253) {
      throw new EksError(400, "InvalidParameterException", "Service account " + serviceAccount + " is not a valid Kubernetes service account name.");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    JsonNode t = body.path("tags");
    if (!t.isMissingNode() && !t.isNull()) {
      if (!t.isObject() || t.size() > 50) {
        throw new EksError(400, "InvalidParameterException", "tags must be a map of at most 50 tags.");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().isEmpty() || e.getKey().length() > 128 || !e.getValue().isTextual() || e.getValue().asText().length() > 256
            || e.getKey().toLowerCase(java.util.Locale.ROOT).startsWith("aws:")) {
          throw new EksError(400, "InvalidParameterException", "Tag " + e.getKey() + " is not a valid tag (key 1-128 characters, not aws:, value at most 256).");
        }
        tags.put(e.getKey(), e.getValue().asText());
      }
    }
    if (targetRoleArn != null && targetRoleArn.equals(roleArn)) {
      throw new EksError(400, "InvalidParameterException", "The target role must differ from the Pod Identity role.");
    }
    String roleAccount = roleArn.split(":")[4];
    if (!roleAccount.equals(c.account())) {
      throw new EksError(400, "InvalidParameterException", "The role " + roleArn + " must be in the cluster's account " + c.account() + ".");
    }
    String requestToken = body.path("clientRequestToken").isTextual() ? body.path("clientRequestToken").asText() : null;
    Optional<PodIdentityAssociation> earlier = requestToken == null ? Optional.empty() : world.createdWith(c.name(), requestToken);
    if (earlier.isPresent()) {
      // A retry of a create that went through (the SDK sends the same idempotency token): the same answer.
      PodIdentityAssociation a = earlier.get();
      if (!a.namespace().equals(namespace) || !a.serviceAccount().equals(serviceAccount) || !a.roleArn().equals(roleArn)) {
        throw new EksError(400, "InvalidRequestException", "The clientRequestToken was already used with other parameters.");
      }
      return a;
    }
    Optional<PodIdentityAssociation> created = world.createAssociation(c.name(), namespace, serviceAccount, roleArn, targetRoleArn, disableSessionTags, tags);
    created.ifPresent(a -> {
      if (requestToken != null) {
        world.rememberCreateToken(requestToken, a.associationId());
      }
    });
    if (created.isEmpty()) {
      String existing = world.association(c.name(), namespace, serviceAccount).map(PodIdentityAssociation::associationId).orElse("");
      throw new EksError(409, "ResourceInUseException", "Association already exists: " + existing);
    }
    return created.get();
  }

  private PodIdentityAssociation update(EksCluster c, String id, JsonNode body) throws EksError {
    String roleArn = roleArn(body, "roleArn", false);
    String targetRoleArn = body.has("targetRoleArn") && body.path("targetRoleArn").asText().isEmpty() ? "" : roleArn(body, "targetRoleArn", false);
    Boolean disableSessionTags = body.has("disableSessionTags") ? bool(body, "disableSessionTags") : null;
    if (roleArn == null && targetRoleArn == null && disableSessionTags == null) {
      throw new EksError(400, "InvalidParameterException", "At least one of roleArn, targetRoleArn or disableSessionTags must be given.");
    }
    if (roleArn != null && !roleArn.split(":")[4].equals(c.account())) {
      throw new EksError(400, "InvalidParameterException", "The role " + roleArn + " must be in the cluster's account " + c.account() + ".");
    }
    return found(c, id, world.updateAssociation(c.name(), id, roleArn, targetRoleArn, disableSessionTags));
  }

  private static PodIdentityAssociation found(EksCluster c, String id, Optional<PodIdentityAssociation> a) throws EksError {
    return a.orElseThrow(() -> new EksError(404, "ResourceNotFoundException",
        "No Pod Identity Association found for cluster: " + c.name() + ", associationId: " + id + "."));
  }

  private static ObjectNode wrap(PodIdentityAssociation a) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode o = root.putObject("association");
    o.put("clusterName", a.clusterName()).put("namespace", a.namespace()).put("serviceAccount", a.serviceAccount()).put("roleArn", a.roleArn())
        .put("associationArn", a.associationArn()).put("associationId", a.associationId());
    ObjectNode tags = o.putObject("tags");
    a.tags().forEach(tags::put);
    o.put("createdAt", a.createdAt().getEpochSecond()).put("modifiedAt", a.modifiedAt().getEpochSecond())
        .put("disableSessionTags", a.disableSessionTags());
    if (a.targetRoleArn() != null) {
      o.put("targetRoleArn", a.targetRoleArn()).put("externalId", a.externalId());
    }
    return root;
  }

  private static String required(JsonNode body, String field) throws EksError {
    JsonNode n = body.path(field);
    if (!n.isTextual() || n.asText().isEmpty()) {
      throw new EksError(400, "InvalidParameterException", field + " is required.");
    }
    return n.asText();
  }

  private static String roleArn(JsonNode body, String field, boolean required) throws EksError {
    if (!required && (body.path(field).isMissingNode() || body.path(field).isNull())) {
      return null;
    }
    String arn = required(body, field);
    if (!ROLE_ARN.matcher(arn).matches()) {
      throw new EksError(400, "InvalidParameterException", field + " " + arn + " is not a valid IAM role ARN.");
    }
    return arn;
  }

  private static boolean bool(JsonNode body, String field) throws EksError {
    JsonNode n = body.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return false;
    }
    if (!n.isBoolean()) {
      throw new EksError(400, "InvalidParameterException", field + " must be true or false.");
    }
    return n.asBoolean();
  }

  // -- EKS Auth -----------------------------------------------------------------------------------

  private void handleEksAuth(HttpExchange ex) throws IOException {
    try {
      byte[] body = ex.getRequestBody().readAllBytes();
      Matcher m = ASSUME.matcher(ex.getRequestURI().getRawPath());
      if (!m.matches() || !ex.getRequestMethod().equals("POST")) {
        error(ex, new EksError(404, "UnknownOperationException",
            "No operation of the sandbox's EKS Auth answers " + ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath()));
        return;
      }
      calls.add("eks-auth:AssumeRoleForPodIdentity");
      if (staged(ex, world.stage("eks-auth", "AssumeRoleForPodIdentity"))) {
        return;
      }
      Caller caller = authenticate(ex, body, "eks-auth");
      String cluster = decode(m.group(1));
      if (world.eksDenied("AssumeRoleForPodIdentity")) {
        throw new EksError(400, "AccessDeniedException", "User: " + caller.arn() + " is not authorized to perform: eks-auth:AssumeRoleForPodIdentity"
            + " on resource: " + world.eksCluster(cluster).map(EksCluster::arn).orElse("arn:aws:eks:*:*:cluster/" + cluster));
      }
      ok(ex, assumeRoleForPodIdentity(cluster, json(body)));
    } catch (EksError e) {
      error(ex, e);
    } catch (RuntimeException e) {
      error(ex, new EksError(500, "InternalServerException", "emulator failure: " + e.getClass().getSimpleName()));
    }
  }

  private ObjectNode assumeRoleForPodIdentity(String clusterName, JsonNode body) throws EksError {
    if (!CLUSTER_NAME.matcher(clusterName).matches()) {
      throw new EksError(400, "InvalidParameterException", "1 validation error detected: Value '" + clusterName
          + "' at 'clusterName' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9A-Za-z][A-Za-z0-9\\-_]*");
    }
    String token = body.path("token").asText("");
    if (!JWT.matcher(token).matches()) {
      throw new EksError(400, "InvalidParameterException", "1 validation error detected: Value at 'token' failed to satisfy constraint: Member must"
          + " satisfy regular expression pattern: [A-Za-z0-9-_=]+\\.[A-Za-z0-9-_=]+\\.[A-Za-z0-9-_=]+");
    }
    EksCluster cluster = world.eksCluster(clusterName)
        .orElseThrow(() -> new EksError(404, "ResourceNotFoundException", "No cluster found for name: " + clusterName + "."));
    String[] parts = token.split("\\.");
    JsonNode header;
    JsonNode claims;
    try {
      header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
      claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IOException | IllegalArgumentException e) {
      throw invalidToken();
    }
    if (header == null || claims == null || !claims.isObject()) {
      throw invalidToken();
    }
    String iss = claims.path("iss").asText();
    PublicKey key = world.tokenKey(cluster, iss).orElseThrow(EksEmulator::invalidToken);
    if (!"RS256".equals(header.path("alg").asText()) || !verify(parts, key)) {
      throw invalidToken();
    }
    List<String> audiences = new ArrayList<>();
    JsonNode aud = claims.path("aud");
    if (aud.isArray()) {
      aud.forEach(a -> audiences.add(a.asText()));
    } else {
      audiences.add(aud.asText());
    }
    if (!audiences.contains(AUDIENCE)) {
      throw invalidToken();
    }
    Instant now = world.clock().instant();
    if (!Instant.ofEpochSecond(claims.path("exp").asLong(0)).isAfter(now)) {
      throw new EksError(400, "ExpiredTokenException", "Service account token has expired.");
    }
    JsonNode k8s = claims.path("kubernetes.io");
    String namespace = k8s.path("namespace").asText("");
    String serviceAccount = k8s.path("serviceaccount").path("name").asText("");
    String sub = claims.path("sub").asText("");
    if (namespace.isEmpty() || serviceAccount.isEmpty() || !sub.equals("system:serviceaccount:" + namespace + ":" + serviceAccount)) {
      throw invalidToken();
    }
    String podName = emptyToNull(k8s.path("pod").path("name").asText(""));
    String podUid = emptyToNull(k8s.path("pod").path("uid").asText(""));
    PodIdentityAssociation association = world.association(cluster.name(), namespace, serviceAccount)
        .orElseThrow(() -> new EksError(404, "ResourceNotFoundException", "Pod Identity Association not found for service account "
            + serviceAccount + " in namespace " + namespace + " of cluster " + cluster.name() + "."));

    Map<String, String> tags = new LinkedHashMap<>();
    if (!association.disableSessionTags()) {
      tags.put("eks-cluster-arn", cluster.arn());
      tags.put("eks-cluster-name", cluster.name());
      tags.put("kubernetes-namespace", namespace);
      tags.put("kubernetes-service-account", serviceAccount);
      if (podName != null) {
        tags.put("kubernetes-pod-name", podName);
      }
      if (podUid != null) {
        tags.put("kubernetes-pod-uid", podUid);
      }
    }
    Role role = world.role(association.roleArn()).orElse(null);
    String notAdmitted = role == null ? " (no such role)" : podIdentityAdmission(role, tags, cluster, namespace, serviceAccount);
    if (notAdmitted != null) {
      throw new EksError(400, "AccessDeniedException", "Failed to assume role " + association.roleArn() + " for Pod Identity: not authorized to perform "
          + (tags.isEmpty() ? "sts:AssumeRole" : "sts:AssumeRole and sts:TagSession") + notAdmitted);
    }
    String sessionName = sessionName(cluster.name(), podName != null ? podName : serviceAccount);
    Role assumed = role;
    if (association.targetRoleArn() != null) {
      Role target = world.role(association.targetRoleArn()).orElse(null);
      String chained = target == null ? " (no such role)" : chainAdmission(target, role.arn(), tags, association.externalId());
      if (chained != null) {
        throw new EksError(400, "AccessDeniedException", "Failed to assume target role " + association.targetRoleArn() + " with role "
            + role.arn() + ": not authorized to perform " + (tags.isEmpty() ? "sts:AssumeRole" : "sts:AssumeRole and sts:TagSession") + chained);
      }
      assumed = target;
    }
    Session s = world.issue(assumed, sessionName);
    ObjectNode root = JSON.createObjectNode();
    root.putObject("subject").put("namespace", namespace).put("serviceAccount", serviceAccount);
    root.put("audience", AUDIENCE);
    root.putObject("podIdentityAssociation").put("associationArn", association.associationArn()).put("associationId", association.associationId());
    root.putObject("assumedRoleUser").put("arn", s.assumedRoleArn()).put("assumeRoleId", "AROAEXAMPLEROLEID0001:" + sessionName);
    root.putObject("credentials").put("sessionToken", s.token()).put("secretAccessKey", s.secretKey()).put("accessKeyId", s.accessKey())
        .put("expiration", s.expires().getEpochSecond());
    return root;
  }

  /** Null when the role admits EKS Pod Identity; else what to add to the message. */
  private static String podIdentityAdmission(Role role, Map<String, String> tags, EksCluster cluster, String namespace, String serviceAccount) {
    if (!role.stsReadsTrustPolicy()) {
      String subject = "system:serviceaccount:" + namespace + ":" + serviceAccount;
      return role.allowedSubjects().stream().anyMatch(glob -> subject.matches(IamStsEmulator.globToRegex(glob))) ? null : "";
    }
    return explain(StsTrustMatcher.decidePodIdentity(role.trustPolicy(), tags, cluster.account(), cluster.arn()));
  }

  private static String chainAdmission(Role target, String firstRoleArn, Map<String, String> tags, String externalId) {
    if (!target.stsReadsTrustPolicy()) {
      return target.allowedSubjects().stream().anyMatch(glob -> firstRoleArn.matches(IamStsEmulator.globToRegex(glob))) ? null : "";
    }
    return explain(StsTrustMatcher.decideRoleChain(target.trustPolicy(), firstRoleArn, tags, externalId));
  }

  private static String explain(StsTrustMatcher.Decision d) {
    if (d.allowed()) {
      return null;
    }
    return d.understood() ? "" : " (the sandbox's STS could not read the trust policy: " + d.why() + ")";
  }

  /** As EKS names the session: eks-CLUSTER-POD-UUID, at most 64 characters of [\w+=,.@-]. */
  private static String sessionName(String cluster, String pod) {
    String name = ("eks-" + cluster + "-" + pod).replaceAll("[^\\w+=,.@-]", "-");
    String uuid = UUID.randomUUID().toString();
    return name.substring(0, Math.min(name.length(), 63 - uuid.length())) + "-" + uuid;
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private static EksError invalidToken() {
    return new EksError(400, "InvalidTokenException", "Service account token cannot be validated.");
  }

  private static boolean verify(String[] parts, PublicKey key) {
    try {
      Signature sig = Signature.getInstance("SHA256withRSA");
      sig.initVerify(key);
      sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      return sig.verify(Base64.getUrlDecoder().decode(parts[2]));
    } catch (Exception e) {
      return false;
    }
  }

  // -- both ---------------------------------------------------------------------------------------

  /**
   * As the services do: the request must be signed (SigV4) with the secret of the access key it
   * names, for this service, and a session's token must be current. Returns who signed.
   */
  private Caller authenticate(HttpExchange ex, byte[] body, String service) throws EksError {
    SigV4Verifier.Request request = new SigV4Verifier.Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
        ex.getRequestURI().getRawQuery(), SigV4Verifier.lowerCase(ex.getRequestHeaders()), body);
    switch (SigV4Verifier.verify(request, world::secretOf, false)) {
      case MISSING -> throw new EksError(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
      case MALFORMED -> throw new EksError(403, "IncompleteSignatureException", "The request signature does not conform to AWS standards.");
      case UNKNOWN_KEY -> throw new EksError(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
      case WRONG_SIGNATURE -> throw new EksError(403, "InvalidSignatureException", "The request signature we calculated does not match the signature"
          + " you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
      case VALID -> {
        // authentic: for this service? who is it?
      }
    }
    SigV4Verifier.Authorization auth = SigV4Verifier.parse(ex.getRequestHeaders().getFirst("Authorization"));
    if (!auth.service().equals(service)) {
      throw new EksError(403, "InvalidSignatureException", "Credential should be scoped to correct service: '" + service + "'. ");
    }
    Caller caller = world.caller(auth.accessKey(), ex.getRequestHeaders().getFirst("X-Amz-Security-Token"));
    if ("ExpiredToken".equals(caller.problem())) {
      throw new EksError(403, "ExpiredTokenException", "The security token included in the request is expired");
    }
    if (caller.problem() != null) {
      throw new EksError(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    return caller;
  }

  /** Waits and fails as the world staged for this call; true when the call has been answered. */
  private static boolean staged(HttpExchange ex, AwsWorld.Staged staged) throws IOException {
    if (!staged.delay().isZero()) {
      try {
        Thread.sleep(staged.delay().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    AwsWorld.Failure f = staged.failure();
    if (f == null) {
      return false;
    }
    error(ex, new EksError(f.httpStatus(), f.awsCode(), f.message()));
    return true;
  }

  private static JsonNode json(byte[] body) throws EksError {
    if (body.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isObject()) {
        throw new EksError(400, "InvalidParameterException", "The request body is not a JSON object.");
      }
      return n;
    } catch (IOException e) {
      throw new EksError(400, "InvalidParameterException", "The request body is not JSON.");
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
      }
    }
    return out;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static void ok(HttpExchange ex, ObjectNode body) throws IOException {
    send(ex, 200, body, h -> {});
  }

  private static void error(HttpExchange ex, EksError e) throws IOException {
    ObjectNode body = JSON.createObjectNode().put("message", e.getMessage());
    send(ex, e.status, body, h -> h.set("x-amzn-ErrorType", e.code));
  }

  private static void send(HttpExchange ex, int status, ObjectNode body, Consumer<com.sun.net.httpserver.Headers> headers) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
    headers.accept(ex.getResponseHeaders());
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    eks.stop(0);
    eksAuth.stop(0);
    threads.shutdownNow();
  }
}
