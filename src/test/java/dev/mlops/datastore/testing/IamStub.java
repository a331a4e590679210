package dev.mlops.datastore.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mlops.datastore.aws.AwsServices;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A small IAM on loopback speaking IAM's query protocol (form-encoded POST, XML answers, IAM's
 * error shapes), so the operator's production SDK client runs unchanged against it. It knows
 * roles, OIDC providers and attached policies, can deny actions as a missing permission would, and
 * records every action it answered. It does not check signatures; the live-verification emulator
 * will.
 */
public final class IamStub implements AutoCloseable {
  private static final String NS = "https://iam.amazonaws.com/doc/2010-05-08/";

  private record Role(String arn, String trustPolicy, List<String> attachedPolicies) {}

  private final HttpServer server;
  private final Map<String, Role> roles = new ConcurrentHashMap<>();
  private final Map<String, List<String>> providers = new ConcurrentHashMap<>();
  private final Set<String> denied = ConcurrentHashMap.newKeySet();
  private final List<String> actions = new CopyOnWriteArrayList<>();

  public IamStub() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Production AWS services pointed at this stub, with throwaway credentials. */
  public AwsServices services() {
    return new AwsServices(
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAIAMSTUB000000000", "stub-secret")),
        Optional.of(endpoint()));
  }

  public IamStub role(String arn, String trustPolicy, String... attachedPolicies) {
    roles.put(arn.substring(arn.lastIndexOf('/') + 1), new Role(arn, trustPolicy, List.of(attachedPolicies)));
    return this;
  }

  public IamStub provider(String arn, String... clientIds) {
    providers.put(arn, List.of(clientIds));
    return this;
  }

  public IamStub deny(String action) {
    denied.add(action);
    return this;
  }

  public List<String> actions() {
    return List.copyOf(actions);
  }

  public void clearActions() {
    actions.clear();
  }

  private void handle(HttpExchange ex) throws IOException {
    Map<String, String> form = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String action = form.getOrDefault("Action", "");
    actions.add(action);
    if (denied.contains(action)) {
      error(ex, 403, "AccessDenied", "User: arn:aws:sts::111122223333:assumed-role/operator/x is not authorized to perform: iam:" + action);
      return;
    }
    switch (action) {
      case "GetRole" -> {
        Role role = roles.get(form.get("RoleName"));
        if (role == null) {
          error(ex, 404, "NoSuchEntity", "The role with name " + form.get("RoleName") + " cannot be found.");
          return;
        }
        String encoded = URLEncoder.encode(role.trustPolicy(), StandardCharsets.UTF_8).replace("+", "%20");
        ok(ex, "GetRole", "<Role><Path>/</Path><RoleName>" + form.get("RoleName") + "</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>"
            + role.arn() + "</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>" + encoded
            + "</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration></Role>");
      }
      case "GetOpenIDConnectProvider" -> {
        List<String> clientIds = providers.get(form.get("OpenIDConnectProviderArn"));
        if (clientIds == null) {
          error(ex, 404, "NoSuchEntity", "OpenIDConnect Provider not found for arn " + form.get("OpenIDConnectProviderArn"));
          return;
        }
        StringBuilder members = new StringBuilder();
        clientIds.forEach(id -> members.append("<member>").append(id).append("</member>"));
        String arn = form.get("OpenIDConnectProviderArn");
        ok(ex, "GetOpenIDConnectProvider", "<ClientIDList>" + members + "</ClientIDList><ThumbprintList><member>9e99a48a9960b14926bb7f3b02e22da2b0ab7280</member></ThumbprintList><Url>"
            + arn.substring(arn.indexOf("oidc-provider/") + 14) + "</Url><CreateDate>2026-01-01T00:00:00Z</CreateDate>");
      }
      case "ListAttachedRolePolicies" -> {
        Role role = roles.get(form.get("RoleName"));
        if (role == null) {
          error(ex, 404, "NoSuchEntity", "The role with name " + form.get("RoleName") + " cannot be found.");
          return;
        }
        StringBuilder members = new StringBuilder();
        role.attachedPolicies().forEach(arn -> members.append("<member><PolicyName>").append(arn.substring(arn.lastIndexOf('/') + 1))
            .append("</PolicyName><PolicyArn>").append(arn).append("</PolicyArn></member>"));
        ok(ex, "ListAttachedRolePolicies", "<AttachedPolicies>" + members + "</AttachedPolicies><IsTruncated>false</IsTruncated>");
      }
      default -> error(ex, 400, "InvalidAction", "Could not find operation " + action + " for version 2010-05-08");
    }
  }

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

  private static void ok(HttpExchange ex, String action, String result) throws IOException {
    send(ex, 200, "<" + action + "Response xmlns=\"" + NS + "\"><" + action + "Result>" + result + "</" + action
        + "Result><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></" + action + "Response>");
  }

  private static void error(HttpExchange ex, int code, String errorCode, String message) throws IOException {
    send(ex, code, "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>Sender</Type><Code>" + errorCode + "</Code><Message>"
        + message + "</Message></Error><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ErrorResponse>");
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
