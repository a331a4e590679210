package dev.mlops.datastore.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.datastore.GoDuration;
import dev.mlops.datastore.sandbox.aws.AwsWorld;
import dev.mlops.datastore.sandbox.aws.LocalAws;
import dev.mlops.datastore.sandbox.kube.EmbeddedKubernetes;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads an AWS world from YAML into the local AWS: OIDC providers, roles (trust policy, the
 * subjects STS admits, grants), users with keys, buckets (owner, region, KMS key, policy) and their
 * objects, read from local files and folders relative to the world file, and how the services
 * misbehave (STS session lifetime, IAM reads denied, staged faults and delays). Every error names
 * the file and the field.
 *
 * <pre>
 * oidcProviders:
 *   - account: "111122223333"          # the provider for the sandbox cluster's issuer
 *     clientIds: [sts.amazonaws.com]
 * roles:
 *   - arn: arn:aws:iam::111122223333:role/rime-s3
 *     trustPolicyFile: policies/rime.json   # or trustPolicy: |
 *     stsAllows: ["system:serviceaccount:rime:*"]   # optional: else STS follows the trust policy
 *     attachedPolicies: []
 *     grants: [{bucket: rime-data, prefix: "", actions: [s3:ListBucket, s3:GetObject]}]
 * users:
 *   - arn: arn:aws:iam::111122223333:user/reader
 *     accessKeyId: AKIA...
 *     secretAccessKey: ...
 *     grants: [...]
 * buckets:
 *   - name: rime-data
 *     owner: "111122223333"
 *     region: us-east-1
 *     kmsKey: arn:aws:kms:...           # optional, with kmsUsers: [principal ARNs]
 *     kmsPrefixes: [secure/]            # optional: only these objects are SSE-KMS (else all)
 *     policyFile: policies/bucket.json  # or policy: |  (Allow/Deny, aws:PrincipalAccount, aws:PrincipalArn)
 *     objects:
 *       - {key: data/fraud_ref.csv, file: data/fraud_ref.csv}
 *       - {prefix: tables/events/, folder: data/events}
 * sts:
 *   sessionLifetime: 2m                 # how long STS sessions last (default 15m)
 * iam:
 *   deny: [GetRole]                     # IAM reads the operator may not make
 * eks:
 *   clusters:                           # EKS clusters whose tokens are the sandbox cluster's
 *     - {name: sandbox, arn: "arn:aws:eks:us-east-1:111122223333:cluster/sandbox"}
 *   podIdentityAssociations:            # as CreatePodIdentityAssociation would have made them
 *     - {cluster: sandbox, namespace: rime, serviceAccount: app, roleArn: arn:aws:iam::111122223333:role/pod-s3,
 *        targetRoleArn: ..., disableSessionTags: false, tags: {team: ml}}   # the last three optional
 *   deny: [CreatePodIdentityAssociation]  # EKS (and EKS Auth) calls the operator may not make
 * faults:                               # staged on the sandbox's clock, from its start (sts, iam, s3, eks, eks-auth)
 *   - {service: sts, times: 4, status: 400, code: Throttling}
 *   - {service: s3, operation: GetObject, window: {from: 0s, to: 2m}, status: 503, code: SlowDown}
 *   - {service: sts, operation: GetCallerIdentity, times: 1, delay: 30s}
 * </pre>
 */
public final class WorldFile {
  /** A world file that cannot be used: the message names the file and the field. */
  public static final class Invalid extends Exception {
    public Invalid(String message) {
      super(message);
    }
  }

  private static final List<String> TOP_LEVEL = List.of("oidcProviders", "roles", "users", "buckets", "sts", "iam", "eks", "faults");
  private static final List<String> EKS_OPERATIONS = List.of("DescribeCluster", "ListPodIdentityAssociations", "DescribePodIdentityAssociation",
      "CreatePodIdentityAssociation", "UpdatePodIdentityAssociation", "DeletePodIdentityAssociation", "AssumeRoleForPodIdentity");
  private static final List<String> ASSOCIATION_FIELDS = List.of("cluster", "namespace", "serviceAccount", "roleArn", "targetRoleArn",
      "disableSessionTags", "tags");
  private static final List<String> FAULT_FIELDS = List.of("service", "operation", "times", "window", "status", "code", "delay");

  private final Path file;
  private final JsonNode root;

  private WorldFile(Path file, JsonNode root) {
    this.file = file;
    this.root = root;
  }

  public static WorldFile read(Path file) throws Invalid {
    if (!Files.isRegularFile(file)) {
      throw new Invalid(file + ": no such file");
    }
    try {
      JsonNode root = Serialization.yamlMapper().readTree(Files.readString(file));
      if (root == null || !root.isObject()) {
        throw new Invalid(file + ": not a YAML mapping");
      }
      return new WorldFile(file, root);
    } catch (IOException e) {
      throw new Invalid(file + ": not valid YAML (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
  }

  /** Puts the world into the local AWS. */
  public void load(LocalAws aws, PublicKey clusterKey) throws Invalid {
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!TOP_LEVEL.contains(key)) {
        throw invalid(key, "unknown field (expected " + String.join(", ", TOP_LEVEL) + ")");
      }
    }
    services(aws.world());
    faults(aws.world());
    int i = 0;
    for (JsonNode p : list("oidcProviders")) {
      String at = "oidcProviders[" + i++ + "]";
      String account = text(p, at, "account", "\\d{12}", "a 12-digit account ID");
      String partition = p.path("partition").asText("aws");
      String issuer = p.path("issuer").asText(EmbeddedKubernetes.ISSUER);
      List<String> clientIds = strings(p, at + ".clientIds", "clientIds");
      aws.world().provider("arn:" + partition + ":iam::" + account + ":oidc-provider/" + issuer.replaceFirst("^https://", ""),
          issuer, clusterKey, clientIds.isEmpty() ? new String[] {"sts.amazonaws.com"} : clientIds.toArray(String[]::new));
    }
    List<JsonNode> buckets = list("buckets");
    i = 0;
    for (JsonNode b : buckets) {
      String at = "buckets[" + i++ + "]";
      String name = text(b, at, "name", "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "an S3 bucket name");
      String owner = text(b, at, "owner", "\\d{12}", "a 12-digit account ID");
      String region = b.path("region").asText("us-east-1");
      aws.bucket(name, owner, region);
      if (b.has("kmsKey")) {
        aws.world().kms(name, text(b, at, "kmsKey", "arn:aws[a-z-]*:kms:.+", "a KMS key ARN"), strings(b, at + ".kmsPrefixes", "kmsPrefixes"),
            strings(b, at + ".kmsUsers", "kmsUsers").toArray(String[]::new));
      } else if (b.has("kmsPrefixes") || b.has("kmsUsers")) {
        throw invalid(at + ".kmsKey", "is required with kmsPrefixes and kmsUsers (a KMS key ARN)");
      }
      String bucketPolicy = document(b, at, "policy", "policyFile");
      if (bucketPolicy != null) {
        try {
          aws.world().bucketPolicy(name, dev.mlops.datastore.sandbox.aws.BucketPolicy.parse(bucketPolicy));
        } catch (IllegalArgumentException e) {
          throw invalid(at + (b.has("policy") ? ".policy" : ".policyFile"), e.getMessage());
        }
      }
      int o = 0;
      for (JsonNode obj : b.path("objects")) {
        objects(aws, name, obj, at + ".objects[" + o++ + "]");
      }
    }
    i = 0;
    for (JsonNode r : list("roles")) {
      String at = "roles[" + i++ + "]";
      String arn = text(r, at, "arn", "arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+", "an IAM role ARN");
      String policy = document(r, at, "trustPolicy", "trustPolicyFile");
      if (policy == null) {
        throw invalid(at, "needs trustPolicy or trustPolicyFile");
      }
      String[] attached = strings(r, at + ".attachedPolicies", "attachedPolicies").toArray(String[]::new);
      if (r.has("stsAllows")) {
        aws.world().role(arn, policy, strings(r, at + ".stsAllows", "stsAllows"), attached);
      } else {
        // As IAM does: STS reads the trust policy (its own reading, not the operator's).
        aws.world().roleTrustedByPolicy(arn, policy, attached);
      }
      grants(aws, arn, r, at);
    }
    i = 0;
    for (JsonNode u : list("users")) {
      String at = "users[" + i++ + "]";
      String arn = text(u, at, "arn", "arn:aws[a-z-]*:iam::\\d{12}:user/[\\w+=,.@/-]+", "an IAM user ARN");
      aws.world().user(arn, text(u, at, "accessKeyId", "[A-Z0-9]{16,128}", "an access key ID"),
          text(u, at, "secretAccessKey", ".{1,128}", "a secret access key"));
      grants(aws, arn, u, at);
    }
    eks(aws.world(), clusterKey);
  }

  /** EKS clusters (their tokens are the sandbox cluster's: its issuer, its key) and Pod Identity associations. */
  private void eks(AwsWorld world, PublicKey clusterKey) throws Invalid {
    JsonNode eks = object("eks", List.of("clusters", "podIdentityAssociations", "deny"));
    List<String> names = new ArrayList<>();
    int i = 0;
    for (JsonNode c : list(eks, "eks", "clusters")) {
      String at = "eks.clusters[" + i++ + "]";
      fields(c, at, List.of("name", "arn", "issuer"));
      String name = text(c, at, "name", "[0-9A-Za-z][A-Za-z0-9\\-_]{0,99}", "an EKS cluster name (letters, digits, - and _)");
      String arn = text(c, at, "arn", "arn:aws[a-z-]*:eks:[a-z0-9-]+:\\d{12}:cluster/" + java.util.regex.Pattern.quote(name),
          "the ARN of cluster " + name + " (arn:aws:eks:REGION:ACCOUNT:cluster/" + name + ")");
      if (names.contains(name)) {
        throw invalid(at + ".name", "cluster " + name + " is declared twice");
      }
      names.add(name);
      world.eksCluster(name, arn, c.path("issuer").asText(EmbeddedKubernetes.ISSUER), clusterKey);
    }
    i = 0;
    for (JsonNode a : list(eks, "eks", "podIdentityAssociations")) {
      String at = "eks.podIdentityAssociations[" + i++ + "]";
      fields(a, at, ASSOCIATION_FIELDS);
      String cluster = text(a, at, "cluster", ".+", "the name of one of eks.clusters");
      if (!names.contains(cluster)) {
        throw invalid(at + ".cluster", "'" + cluster + "' is not one of eks.clusters" + (names.isEmpty() ? " (none declared)" : " (" + String.join(", ", names) + ")"));
      }
      String namespace = text(a, at, "namespace", "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", "a Kubernetes namespace name");
      String serviceAccount = text(a, at, "serviceAccount", "[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?", "a Kubernetes service account name");
      String roleArn = text(a, at, "roleArn", ROLE_ARN, "an IAM role ARN");
      String clusterAccount = world.podIdentityClusterAccount(cluster);
      if (!roleArn.split(":")[4].equals(clusterAccount)) {
        throw invalid(at + ".roleArn", "must be a role of the cluster's account " + clusterAccount + " (EKS refuses others; use targetRoleArn for another account)");
      }
      String target = a.has("targetRoleArn") ? text(a, at, "targetRoleArn", ROLE_ARN, "an IAM role ARN") : null;
      JsonNode disable = a.path("disableSessionTags");
      if (!disable.isMissingNode() && !disable.isBoolean()) {
        throw invalid(at + ".disableSessionTags", "must be true or false");
      }
      java.util.Map<String, String> tags = new java.util.LinkedHashMap<>();
      JsonNode t = a.path("tags");
      if (!t.isMissingNode() && !t.isNull()) {
        if (!t.isObject()) {
          throw invalid(at + ".tags", "must be a mapping of tag keys to values");
        }
        for (Iterator<java.util.Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
          java.util.Map.Entry<String, JsonNode> e = it.next();
          if (!e.getValue().isValueNode() || e.getValue().isNull()) {
            throw invalid(at + ".tags." + e.getKey(), "must be a string");
          }
          tags.put(e.getKey(), e.getValue().asText());
        }
      }
      try {
        world.podIdentityAssociation(cluster, namespace, serviceAccount, roleArn, target, disable.asBoolean(false), tags);
      } catch (IllegalArgumentException e) {
        throw invalid(at, "service account " + namespace + "/" + serviceAccount + " of cluster " + cluster + " already has an association");
      }
    }
    for (String action : strings(eks, "eks.deny", "deny")) {
      if (!EKS_OPERATIONS.contains(action)) {
        throw invalid("eks.deny", "'" + action + "' is not an EKS or EKS Auth call the sandbox answers (" + String.join(", ", EKS_OPERATIONS) + ")");
      }
      world.denyEks(action);
    }
  }

  private static final String ROLE_ARN = "arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+";

  private void fields(JsonNode node, String at, List<String> known) throws Invalid {
    if (!node.isObject()) {
      throw invalid(at, "must be a mapping with " + String.join(", ", known));
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        throw invalid(at + "." + key, "unknown field (expected " + String.join(", ", known) + ")");
      }
    }
  }

  private List<JsonNode> list(JsonNode parent, String at, String field) throws Invalid {
    JsonNode n = parent.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw invalid(at + "." + field, "must be a list");
    }
    List<JsonNode> out = new ArrayList<>();
    n.forEach(out::add);
    return out;
  }

  /** A JSON document given inline ({@code field}) or as a file next to the world file; null when neither. */
  private String document(JsonNode node, String at, String field, String fileField) throws Invalid {
    if (node.has(fileField)) {
      Path p = file.resolveSibling(node.path(fileField).asText());
      try {
        return Files.readString(p);
      } catch (IOException e) {
        throw invalid(at + "." + fileField, "cannot read " + p);
      }
    }
    return node.has(field) ? node.path(field).asText() : null;
  }

  private void services(AwsWorld world) throws Invalid {
    JsonNode sts = object("sts", List.of("sessionLifetime"));
    if (sts.has("sessionLifetime")) {
      Duration lifetime = duration(sts, "sts", "sessionLifetime");
      if (lifetime.isZero() || lifetime.compareTo(Duration.ofHours(12)) > 0) {
        throw invalid("sts.sessionLifetime", "must be more than 0s and at most 12h, not " + sts.path("sessionLifetime").asText());
      }
      world.sessionLifetime(lifetime);
    }
    JsonNode iam = object("iam", List.of("deny"));
    for (String action : strings(iam, "iam.deny", "deny")) {
      if (!List.of("GetRole", "GetOpenIDConnectProvider", "ListAttachedRolePolicies").contains(action)) {
        throw invalid("iam.deny", "'" + action + "' is not an IAM read the sandbox answers (GetRole, GetOpenIDConnectProvider, ListAttachedRolePolicies)");
      }
      world.denyIam(action);
    }
  }

  /** Faults staged on the world; windows count from the world clock's present (the sandbox's start). */
  private void faults(AwsWorld world) throws Invalid {
    Instant start = world.clock().instant();
    int i = 0;
    for (JsonNode f : list("faults")) {
      String at = "faults[" + i++ + "]";
      if (!f.isObject()) {
        throw invalid(at, "must be a mapping with " + String.join(", ", FAULT_FIELDS));
      }
      for (Iterator<String> it = f.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!FAULT_FIELDS.contains(key)) {
          throw invalid(at + "." + key, "unknown field (expected " + String.join(", ", FAULT_FIELDS) + ")");
        }
      }
      String service = text(f, at, "service", "sts|iam|s3|eks|eks-auth", "sts, iam, s3, eks or eks-auth");
      String operation = f.has("operation") ? text(f, at, "operation", "[A-Z][A-Za-z0-9]+", "an operation name such as GetObject") : null;
      if (f.has("times") == f.has("window")) {
        throw invalid(at, "needs times (the next N calls) or window ({from, to} after the start), not " + (f.has("times") ? "both" : "neither"));
      }
      Integer times = null;
      Instant from = null;
      Instant to = null;
      if (f.has("times")) {
        if (!f.path("times").canConvertToInt() || f.path("times").asInt() < 1 || !f.path("times").isIntegralNumber()) {
          throw invalid(at + ".times", "must be a whole number of calls, 1 or more");
        }
        times = f.path("times").asInt();
      } else {
        JsonNode w = f.path("window");
        from = start.plus(duration(w, at + ".window", "from"));
        to = start.plus(duration(w, at + ".window", "to"));
        if (!from.isBefore(to)) {
          throw invalid(at + ".window", "from must come before to");
        }
      }
      if (!f.has("status") && !f.has("code") && !f.has("delay")) {
        throw invalid(at, "needs status and code (a failure), delay, or both");
      }
      if (f.has("delay")) {
        Duration delay = duration(f, at, "delay");
        if (delay.isZero()) {
          throw invalid(at + ".delay", "must be more than 0s");
        }
        if (times != null) {
          world.delayNext(service, operation, times, delay);
        } else {
          world.delayBetween(service, operation, from, to, delay);
        }
      }
      if (f.has("status") || f.has("code")) {
        JsonNode status = f.path("status");
        if (!status.isIntegralNumber() || status.asInt() < 400 || status.asInt() > 599) {
          throw invalid(at + ".status", "must be an HTTP error status, 400-599");
        }
        String code = text(f, at, "code", "[A-Za-z][A-Za-z0-9.]{0,63}", "an AWS error code such as Throttling or SlowDown");
        if (times != null) {
          world.failNext(service, operation, times, status.asInt(), code);
        } else {
          world.failBetween(service, operation, from, to, status.asInt(), code);
        }
      }
    }
  }

  private JsonNode object(String field, List<String> known) throws Invalid {
    JsonNode n = root.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    if (!n.isObject()) {
      throw invalid(field, "must be a mapping");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        throw invalid(field + "." + key, "unknown field (expected " + String.join(", ", known) + ")");
      }
    }
    return n;
  }

  private Duration duration(JsonNode node, String at, String field) throws Invalid {
    JsonNode n = node.path(field);
    if (!n.isTextual()) {
      throw invalid(at + "." + field, "is required (a duration such as 90s or 5m)");
    }
    try {
      return GoDuration.parse(n.asText());
    } catch (IllegalArgumentException e) {
      throw invalid(at + "." + field, "'" + n.asText() + "' is not a duration such as 90s or 5m");
    }
  }

  private void grants(LocalAws aws, String principal, JsonNode node, String at) throws Invalid {
    int g = 0;
    for (JsonNode grant : node.path("grants")) {
      String where = at + ".grants[" + g++ + "]";
      String bucket = text(grant, where, "bucket", ".+", "a bucket name");
      List<String> actions = strings(grant, where + ".actions", "actions");
      for (String a : actions) {
        if (!a.matches("s3:[A-Za-z*]+")) {
          throw invalid(where + ".actions", "'" + a + "' is not an S3 action such as s3:GetObject");
        }
      }
      aws.world().grant(principal, bucket, grant.path("prefix").asText(""), actions.toArray(String[]::new));
    }
  }

  private void objects(LocalAws aws, String bucket, JsonNode obj, String at) throws Invalid {
    try {
      if (obj.has("file")) {
        Path p = file.resolveSibling(obj.path("file").asText());
        if (!Files.isRegularFile(p)) {
          throw invalid(at + ".file", p + " does not exist");
        }
        String key = obj.has("key") ? obj.path("key").asText() : p.getFileName().toString();
        aws.s3().putObject(bucket, key, Files.readAllBytes(p));
      } else if (obj.has("folder")) {
        Path dir = file.resolveSibling(obj.path("folder").asText());
        if (!Files.isDirectory(dir)) {
          throw invalid(at + ".folder", dir + " is not a folder");
        }
        String prefix = obj.path("prefix").asText("");
        try (Stream<Path> files = Files.walk(dir)) {
          for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
            aws.s3().putObject(bucket, prefix + dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
          }
        }
      } else if (obj.has("content")) {
        aws.s3().putObject(bucket, text(obj, at, "key", ".+", "an object key"), obj.path("content").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } else {
        throw invalid(at, "needs file, folder or content");
      }
    } catch (IOException e) {
      throw invalid(at, "cannot read (" + e.getMessage() + ")");
    }
  }

  private List<JsonNode> list(String field) throws Invalid {
    JsonNode n = root.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw invalid(field, "must be a list");
    }
    List<JsonNode> out = new ArrayList<>();
    n.forEach(out::add);
    return out;
  }

  private List<String> strings(JsonNode node, String at, String field) throws Invalid {
    JsonNode n = node.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw invalid(at, "must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    n.forEach(e -> out.add(e.asText()));
    return out;
  }

  private String text(JsonNode node, String at, String field, String pattern, String what) throws Invalid {
    JsonNode n = node.path(field);
    if (n.isMissingNode() || n.isNull() || n.asText().isEmpty()) {
      throw invalid(at + "." + field, "is required (" + what + ")");
    }
    if (!n.asText().matches(pattern)) {
      throw invalid(at + "." + field, "'" + n.asText() + "' is not " + what);
    }
    return n.asText();
  }

  private Invalid invalid(String field, String problem) {
    return new Invalid(file + ": " + field + ": " + problem);
  }
}
