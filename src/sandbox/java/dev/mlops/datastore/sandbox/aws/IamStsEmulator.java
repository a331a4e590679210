package dev.mlops.datastore.sandbox.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mlops.datastore.sandbox.aws.AwsWorld.Caller;
import dev.mlops.datastore.sandbox.aws.AwsWorld.Provider;
import dev.mlops.datastore.sandbox.aws.AwsWorld.Role;
import dev.mlops.datastore.sandbox.aws.AwsWorld.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * IAM and STS on loopback, speaking their query protocols as AWS does (form-encoded POST, XML
 * bodies, AWS's error XML), backed by an {@link AwsWorld}. AssumeRoleWithWebIdentity checks what
 * STS checks: the token's RS256 signature against the issuer's key, {@code iss} naming a provider
 * in the role's account, {@code aud} among the provider's client IDs, {@code exp} (by the world's
 * clock), and then whether the role admits the token: its explicit subjects, or what
 * {@link StsTrustMatcher} reads in its trust policy. Faults the world staged come first.
 * GetCallerIdentity verifies the caller's SigV4 signature with that caller's own secret
 * ({@link SigV4Verifier}); IAM's reads, made with the operator's own identity, are not verified.
 */
public final class IamStsEmulator implements AutoCloseable {
  private static final String IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/";
  private static final String STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AwsWorld world;
  private final HttpServer server;
  private final List<String> calls = new CopyOnWriteArrayList<>();

  public IamStsEmulator(AwsWorld world) {
    this.world = world;
    try {
      server = LoopbackHttp.server();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Every action answered, e.g. "iam:GetRole", "sts:AssumeRoleWithWebIdentity". */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  public void clearCalls() {
    calls.clear();
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      byte[] body = ex.getRequestBody().readAllBytes();
      Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
      String action = form.getOrDefault("Action", "");
      switch (action) {
        case "GetRole", "GetOpenIDConnectProvider", "ListAttachedRolePolicies" -> {
          calls.add("iam:" + action);
          if (!staged(ex, IAM_NS, world.stage("iam", action))) {
            iam(ex, action, form);
          }
        }
        case "AssumeRoleWithWebIdentity", "GetCallerIdentity" -> {
          calls.add("sts:" + action);
          if (staged(ex, STS_NS, world.stage("sts", action))) {
            return;
          }
          if (action.equals("AssumeRoleWithWebIdentity")) {
            assumeRoleWithWebIdentity(ex, form);
          } else {
            callerIdentity(ex, body);
          }
        }
        default -> error(ex, IAM_NS, 400, "Sender", "InvalidAction", "Could not find operation " + action);
      }
    } catch (RuntimeException e) {
      error(ex, STS_NS, 500, "Receiver", "InternalFailure", "emulator failure: " + e.getClass().getSimpleName());
    }
  }

  /** Waits and fails as the world staged for this call; true when the call has been answered. */
  private static boolean staged(HttpExchange ex, String ns, AwsWorld.Staged staged) throws IOException {
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
    error(ex, ns, f.httpStatus(), f.httpStatus() >= 500 ? "Receiver" : "Sender", f.awsCode(), f.message());
    return true;
  }

  // -- IAM --------------------------------------------------------------------------------------

  private void iam(HttpExchange ex, String action, Map<String, String> form) throws IOException {
    if (world.iamDenied(action)) {
      error(ex, IAM_NS, 403, "Sender", "AccessDenied",
          "User: arn:aws:sts::111122223333:assumed-role/aws-datastore-operator/op is not authorized to perform: iam:" + action);
      return;
    }
    switch (action) {
      case "GetRole" -> {
        Role role = world.roleByName(form.get("RoleName")).orElse(null);
        if (role == null) {
          error(ex, IAM_NS, 404, "Sender", "NoSuchEntity", "The role with name " + form.get("RoleName") + " cannot be found.");
          return;
        }
        String encoded = URLEncoder.encode(role.trustPolicy(), StandardCharsets.UTF_8).replace("+", "%20");
        ok(ex, IAM_NS, "GetRole", "<Role><Path>/</Path><RoleName>" + xml(form.get("RoleName")) + "</RoleName><RoleId>AROAEXAMPLEROLEID0001</RoleId><Arn>"
            + role.arn() + "</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>" + encoded
            + "</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration></Role>");
      }
      case "GetOpenIDConnectProvider" -> {
        String arn = form.get("OpenIDConnectProviderArn");
        Provider p = world.provider(arn).orElse(null);
        if (p == null) {
          error(ex, IAM_NS, 404, "Sender", "NoSuchEntity", "OpenIDConnect Provider not found for arn " + arn);
          return;
        }
        StringBuilder members = new StringBuilder();
        p.clientIds().forEach(id -> members.append("<member>").append(xml(id)).append("</member>"));
        ok(ex, IAM_NS, "GetOpenIDConnectProvider", "<ClientIDList>" + members
            + "</ClientIDList><ThumbprintList><member>9e99a48a9960b14926bb7f3b02e22da2b0ab7280</member></ThumbprintList><Url>"
            + xml(p.issuer().substring("https://".length())) + "</Url><CreateDate>2026-01-01T00:00:00Z</CreateDate>");
      }
      default -> {
        Role role = world.roleByName(form.get("RoleName")).orElse(null);
        if (role == null) {
          error(ex, IAM_NS, 404, "Sender", "NoSuchEntity", "The role with name " + form.get("RoleName") + " cannot be found.");
          return;
        }
        StringBuilder members = new StringBuilder();
        role.attachedPolicies().forEach(arn -> members.append("<member><PolicyName>").append(arn.substring(arn.lastIndexOf('/') + 1))
            .append("</PolicyName><PolicyArn>").append(arn).append("</PolicyArn></member>"));
        ok(ex, IAM_NS, "ListAttachedRolePolicies", "<AttachedPolicies>" + members + "</AttachedPolicies><IsTruncated>false</IsTruncated>");
      }
    }
  }

  // -- STS --------------------------------------------------------------------------------------

  private void assumeRoleWithWebIdentity(HttpExchange ex, Map<String, String> form) throws IOException {
    String roleArn = form.getOrDefault("RoleArn", "");
    if (!roleArn.matches("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+")) {
      error(ex, STS_NS, 400, "Sender", "ValidationError", "Request ARN is invalid");
      return;
    }
    String[] parts = form.getOrDefault("WebIdentityToken", "").split("\\.");
    JsonNode claims;
    JsonNode header;
    try {
      header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
      claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (RuntimeException | IOException e) {
      error(ex, STS_NS, 400, "Sender", "InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS.");
      return;
    }
    String iss = claims.path("iss").asText();
    String account = roleArn.split(":")[4];
    String partition = roleArn.split(":")[1];
    String providerArn = "arn:" + partition + ":iam::" + account + ":oidc-provider/" + iss.replaceFirst("^https://", "");
    Provider provider = world.provider(providerArn).orElse(null);
    if (provider == null || !provider.issuer().equals(iss)) {
      error(ex, STS_NS, 400, "Sender", "InvalidIdentityToken", "No OpenIDConnect provider found in your account for " + iss);
      return;
    }
    if (!"RS256".equals(header.path("alg").asText()) || !verify(parts, provider)) {
      error(ex, STS_NS, 400, "Sender", "InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS.");
      return;
    }
    List<String> audiences = new ArrayList<>();
    JsonNode aud = claims.path("aud");
    if (aud.isArray()) {
      aud.forEach(a -> audiences.add(a.asText()));
    } else {
      audiences.add(aud.asText());
    }
    if (audiences.stream().noneMatch(provider.clientIds()::contains)) {
      error(ex, STS_NS, 400, "Sender", "InvalidIdentityToken", "Incorrect token audience");
      return;
    }
    long exp = claims.path("exp").asLong(0);
    Instant now = world.clock().instant();
    if (Instant.ofEpochSecond(exp).isBefore(now)) {
      error(ex, STS_NS, 400, "Sender", "ExpiredTokenException", "Token expired: current date/time " + now
          + " must be before the expiration date/time " + Instant.ofEpochSecond(exp));
      return;
    }
    String subject = claims.path("sub").asText();
    Role role = world.role(roleArn).orElse(null);
    String audience = audiences.stream().filter(provider.clientIds()::contains).findFirst().orElseThrow();
    String notAdmitted = role == null ? "" : admission(role, providerArn, iss, subject, audience);
    if (notAdmitted != null) {
      error(ex, STS_NS, 403, "Sender", "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity" + notAdmitted);
      return;
    }
    Session s = world.issue(role, form.getOrDefault("RoleSessionName", "session"));
    ok(ex, STS_NS, "AssumeRoleWithWebIdentity", "<SubjectFromWebIdentityToken>" + xml(subject) + "</SubjectFromWebIdentityToken><Audience>"
        + xml(audiences.get(0)) + "</Audience><AssumedRoleUser><Arn>" + s.assumedRoleArn() + "</Arn><AssumedRoleId>AROAEXAMPLEROLEID0001:"
        + xml(form.getOrDefault("RoleSessionName", "session")) + "</AssumedRoleId></AssumedRoleUser><Credentials><SessionToken>" + s.token()
        + "</SessionToken><SecretAccessKey>" + s.secretKey() + "</SecretAccessKey><Expiration>" + s.expires() + "</Expiration><AccessKeyId>"
        + s.accessKey() + "</AccessKeyId></Credentials><Provider>" + providerArn + "</Provider>");
  }

  /**
   * Null when STS admits the token to the role; else what to add to STS's own message (empty, as
   * AWS says no more, except when the sandbox's matcher could not read the policy: then why).
   */
  private static String admission(Role role, String providerArn, String issuer, String subject, String audience) {
    if (!role.stsReadsTrustPolicy()) {
      return role.allowedSubjects().stream().anyMatch(glob -> subject.matches(globToRegex(glob))) ? null : "";
    }
    StsTrustMatcher.Decision d = StsTrustMatcher.decide(role.trustPolicy(),
        new StsTrustMatcher.WebIdentity(providerArn, issuer.replaceFirst("^https://", ""), subject, audience));
    if (d.allowed()) {
      return null;
    }
    return d.understood() ? "" : " (the sandbox's STS could not read the trust policy: " + d.why() + ")";
  }

  /**
   * As STS does: the request must be signed (SigV4) with the secret of the access key it names, a
   * user's or a session's; only then do the session token and its expiry count.
   */
  private void callerIdentity(HttpExchange ex, byte[] body) throws IOException {
    SigV4Verifier.Request request = new SigV4Verifier.Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
        ex.getRequestURI().getRawQuery(), SigV4Verifier.lowerCase(ex.getRequestHeaders()), body);
    switch (SigV4Verifier.verify(request, world::secretOf, false)) {
      case MISSING -> {
        error(ex, STS_NS, 403, "Sender", "MissingAuthenticationToken", "Request is missing Authentication Token");
        return;
      }
      case MALFORMED -> {
        error(ex, STS_NS, 400, "Sender", "IncompleteSignature", "The request signature does not conform to AWS standards.");
        return;
      }
      case UNKNOWN_KEY -> {
        error(ex, STS_NS, 403, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid.");
        return;
      }
      case WRONG_SIGNATURE -> {
        error(ex, STS_NS, 403, "Sender", "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
            + " Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        return;
      }
      case VALID -> {
        // authentic: who is it?
      }
    }
    String accessKey = SigV4Verifier.parse(ex.getRequestHeaders().getFirst("Authorization")).accessKey();
    Caller caller = world.caller(accessKey, ex.getRequestHeaders().getFirst("X-Amz-Security-Token"));
    if ("ExpiredToken".equals(caller.problem())) {
      error(ex, STS_NS, 403, "Sender", "ExpiredToken", "The security token included in the request is expired");
      return;
    }
    if (caller.problem() != null) {
      error(ex, STS_NS, 403, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid.");
      return;
    }
    ok(ex, STS_NS, "GetCallerIdentity", "<Arn>" + caller.arn() + "</Arn><UserId>AIDAEXAMPLEUSERID0001</UserId><Account>" + caller.account() + "</Account>");
  }

  private static boolean verify(String[] parts, Provider provider) {
    try {
      Signature sig = Signature.getInstance("SHA256withRSA");
      sig.initVerify(provider.signingKey());
      sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      return sig.verify(Base64.getUrlDecoder().decode(parts[2]));
    } catch (Exception e) {
      return false;
    }
  }

  static String globToRegex(String glob) {
    StringBuilder sb = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> sb.append(".*");
        case '?' -> sb.append('.');
        default -> sb.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return sb.toString();
  }

  // -- wire format --------------------------------------------------------------------------------

  private static Map<String, String> form(String body) {
    Map<String, String> map = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return map;
  }

  private static String xml(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static void ok(HttpExchange ex, String ns, String action, String result) throws IOException {
    send(ex, 200, "<" + action + "Response xmlns=\"" + ns + "\"><" + action + "Result>" + result + "</" + action
        + "Result><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></" + action + "Response>");
  }

  private static void error(HttpExchange ex, String ns, int code, String type, String errorCode, String message) throws IOException {
    send(ex, code, "<ErrorResponse xmlns=\"" + ns + "\"><Error><Type>" + type + "</Type><Code>" + errorCode + "</Code><Message>"
        + xml(message) + "</Message></Error><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ErrorResponse>");
  }

  private static void send(HttpExchange ex, int code, String xml) throws IOException {
    byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/xml");
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
