package dev.mlops.datastore.sandbox.aws;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks an AWS Signature Version 4 {@code Authorization} header the way AWS does: rebuilds the
 * canonical request from what arrived (method, path, query, the signed headers, the payload hash),
 * the string to sign over the credential scope, and the HMAC-SHA256 chain from the caller's own
 * secret, and compares. Written here, not borrowed from the SDK, so the emulators can never agree
 * with a client merely because they share its signer.
 *
 * <p>Not checked: the request time against the clock (a sandbox scene moves its clock ahead of the
 * SDK's), presigned query-string signatures (nothing in the operator sends them), and the chunk
 * signatures of streaming uploads (the seed signature is).
 */
public final class SigV4Verifier {
  private static final Pattern AUTHORIZATION = Pattern.compile(
      "AWS4-HMAC-SHA256\\s+Credential=([^/,\\s]+)/(\\d{8})/([^/,\\s]+)/([^/,\\s]+)/aws4_request\\s*,\\s*"
          + "SignedHeaders=([a-z0-9;_.-]+)\\s*,\\s*Signature=([0-9a-f]{64})\\s*");
  private static final HexFormat HEX = HexFormat.of();

  /** The parts of an Authorization header a verdict needs. */
  public record Authorization(String accessKey, String date, String region, String service, List<String> signedHeaders, String signature) {}

  /** A request as it arrived: the raw (still percent-encoded) path and query, headers by lower-case name. */
  public record Request(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {}

  /** Why a request is not authentic, as the service would say it; or {@code VALID}. */
  public enum Outcome { VALID, MISSING, MALFORMED, UNKNOWN_KEY, WRONG_SIGNATURE }

  private SigV4Verifier() {}

  /** The parsed Authorization header, or null when absent or not a SigV4 header. */
  public static Authorization parse(String header) {
    if (header == null) {
      return null;
    }
    Matcher m = AUTHORIZATION.matcher(header.strip());
    if (!m.matches()) {
      return null;
    }
    return new Authorization(m.group(1), m.group(2), m.group(3), m.group(4), List.of(m.group(5).split(";")), m.group(6));
  }

  /**
   * Verifies the request's signature with the secret {@code secretOf} gives for its access key
   * (empty when the key is unknown). {@code s3} selects S3's canonical path (encoded once, as
   * sent), other services encode each path segment again.
   */
  public static Outcome verify(Request request, Function<String, java.util.Optional<String>> secretOf, boolean s3) {
    List<String> authorizationHeaders = request.headers().getOrDefault("authorization", List.of());
    if (authorizationHeaders.isEmpty()) {
      return Outcome.MISSING;
    }
    Authorization auth = parse(authorizationHeaders.get(0));
    if (auth == null || !auth.signedHeaders().contains("host")) {
      return Outcome.MALFORMED;
    }
    String amzDate = first(request.headers(), "x-amz-date");
    if (amzDate == null || !amzDate.startsWith(auth.date())) {
      return Outcome.MALFORMED;
    }
    java.util.Optional<String> secret = secretOf.apply(auth.accessKey());
    if (secret.isEmpty()) {
      return Outcome.UNKNOWN_KEY;
    }
    String payloadHash = first(request.headers(), "x-amz-content-sha256");
    String bodyHash = hex(sha256(request.body()));
    if (payloadHash == null) {
      payloadHash = bodyHash;
    } else if (payloadHash.matches("[0-9a-f]{64}") && !payloadHash.equals(bodyHash)) {
      return Outcome.WRONG_SIGNATURE;
    }
    String canonicalRequest = String.join("\n",
        request.method(),
        canonicalPath(request.rawPath(), s3),
        canonicalQuery(request.rawQuery()),
        canonicalHeaders(request.headers(), auth.signedHeaders()),
        String.join(";", auth.signedHeaders()),
        payloadHash);
    String scope = auth.date() + "/" + auth.region() + "/" + auth.service() + "/aws4_request";
    String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secret.get()).getBytes(StandardCharsets.UTF_8), auth.date());
    key = hmac(key, auth.region());
    key = hmac(key, auth.service());
    key = hmac(key, "aws4_request");
    byte[] expected = hmac(key, stringToSign);
    return MessageDigest.isEqual(expected, HEX.parseHex(auth.signature())) ? Outcome.VALID : Outcome.WRONG_SIGNATURE;
  }

  private static String first(Map<String, List<String>> headers, String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  static String canonicalPath(String rawPath, boolean s3) {
    if (rawPath == null || rawPath.isEmpty()) {
      return "/";
    }
    if (s3) {
      return rawPath;
    }
    List<String> segments = new ArrayList<>();
    for (String segment : rawPath.split("/", -1)) {
      segments.add(encode(segment));
    }
    return String.join("/", segments);
  }

  static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    TreeMap<String, List<String>> sorted = new TreeMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = encode(decode(eq < 0 ? pair : pair.substring(0, eq)));
      String value = eq < 0 ? "" : encode(decode(pair.substring(eq + 1)));
      sorted.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    List<String> parts = new ArrayList<>();
    sorted.forEach((name, values) -> values.stream().sorted().forEach(v -> parts.add(name + "=" + v)));
    return String.join("&", parts);
  }

  private static String canonicalHeaders(Map<String, List<String>> headers, List<String> signed) {
    StringBuilder sb = new StringBuilder();
    for (String name : signed) {
      List<String> values = headers.getOrDefault(name, List.of());
      List<String> trimmed = values.stream().map(v -> v.strip().replaceAll("\\s+", " ")).toList();
      sb.append(name).append(':').append(String.join(",", trimmed)).append('\n');
    }
    return sb.toString();
  }

  /** RFC 3986 encoding as SigV4 specifies it: unreserved characters as they are, the rest %XX. */
  static String encode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return sb.toString();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  /** Headers of a request by lower-case name (HTTP header names are case-insensitive). */
  public static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
    Map<String, List<String>> out = new TreeMap<>();
    headers.forEach((name, values) -> out.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
    return out;
  }
}
