package dev.mlops.datastore.sandbox.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mlops.datastore.sandbox.aws.AwsWorld.Bucket;
import dev.mlops.datastore.sandbox.aws.AwsWorld.Caller;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.gaul.s3proxy.AccessGrant;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * S3 for tests: S3Proxy (in process, checking each caller's SigV4 signature with that caller's own
 * secret, through a blob-store locator fed by the {@link AwsWorld}) behind a thin front that does
 * what S3Proxy does not: per-identity authorization of each action on each bucket and prefix,
 * SSE-KMS with who may decrypt, bucket regions (301 PermanentRedirect with
 * {@code x-amz-bucket-region}), ExpectedBucketOwner (403), and GetBucketLocation. It verifies each
 * call's SigV4 signature itself first ({@link SigV4Verifier}), since it answers some calls without
 * S3Proxy and authorization must never hide a wrong secret. It records every
 * request, so tests count S3 calls and bytes.
 *
 * <p>The front forwards requests unchanged, Host header included (the signature covers it), which
 * needs {@code -Djdk.httpclient.allowRestrictedHeaders=host} (set by the build for tests).
 */
public final class S3Front implements AutoCloseable {
  private static final Set<String> HOP = Set.of("connection", "content-length", "expect", "upgrade", "transfer-encoding", "keep-alive", "date");

  /** One request as the front saw it. */
  public record Call(String principal, String operation, String action, String bucket, String key, int status, long bytesOut) {}

  private final AwsWorld world;
  private final java.nio.file.Path directory;
  private final BlobStore store;
  private final S3Proxy proxy;
  private final HttpServer server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final AtomicLong bytesOut = new AtomicLong();

  public S3Front(AwsWorld world) {
    this.world = world;
    try {
      // On disk, not in memory: tests put objects of hundreds of megabytes.
      directory = java.nio.file.Files.createTempDirectory("s3front");
      store = new org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore(directory.toString());
      proxy = S3Proxy.builder()
          .blobStore(store)
          .endpoint(URI.create("http://127.0.0.1:0"))
          .awsAuthentication(AuthenticationType.AWS_V4, "unused-identity", "unused-credential")
          .ignoreUnknownHeaders(true)
          .build();
      proxy.setBlobStoreLocator((identity, container, blob) ->
          identity == null ? null : world.secretOf(identity).map(secret -> new AccessGrant(secret, store)).orElse(null));
      proxy.start();
      long deadline = System.currentTimeMillis() + 10_000;
      while (!"STARTED".equals(proxy.getState())) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("S3Proxy did not start");
        }
        Thread.sleep(10);
      }
      server = LoopbackHttp.server();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Creates the world's bucket in the store (call after declaring it in the world). */
  public S3Front createBucket(String bucket) {
    store.createContainer(bucket);
    return this;
  }

  public S3Front putObject(String bucket, String key, byte[] bytes) {
    return putObject(bucket, key, new ByteArrayInputStream(bytes), bytes.length);
  }

  public S3Front putObject(String bucket, String key, InputStream content, long length) {
    store.putBlob(PutObjectRequest.builder().bucket(bucket).key(key).contentLength(length).build(), content);
    return this;
  }

  public boolean exists(String bucket, String key) {
    return store.blobMetadataIfPresent(bucket, key) != null;
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public void clearCalls() {
    calls.clear();
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    URI uri = ex.getRequestURI();
    String path = uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    String[] parts = path.substring(1).split("/", 2);
    String bucketName = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
    String key = parts.length > 1 && !parts[1].isEmpty() ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
    byte[] body = ex.getRequestBody().readAllBytes();

    String operation = operation(method, key, query);
    String action = action(operation);
    AwsWorld.Staged staged = world.stage("s3", operation.equals("ListObjects") ? new String[] {"ListObjects", "ListObjectsV2"} : new String[] {operation});
    if (!staged.delay().isZero()) {
      try {
        Thread.sleep(staged.delay().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (staged.failure() != null) {
      answer(ex, null, operation, action, bucketName, key, staged.failure().httpStatus(), staged.failure().awsCode(), staged.failure().message(), null);
      return;
    }
    // Authentication before anything else, on every call (the front answers some calls itself, so
    // S3Proxy's own check behind it is not enough): a wrong secret is never an AccessDenied.
    SigV4Verifier.Request signed = new SigV4Verifier.Request(method, path, uri.getRawQuery(), SigV4Verifier.lowerCase(ex.getRequestHeaders()), body);
    switch (SigV4Verifier.verify(signed, world::secretOf, true)) {
      case MISSING -> {
        answer(ex, null, operation, action, bucketName, key, 403, "AccessDenied", "Access Denied", null);
        return;
      }
      case MALFORMED -> {
        answer(ex, null, operation, action, bucketName, key, 400, "AuthorizationHeaderMalformed", "The authorization header is malformed.", null);
        return;
      }
      case UNKNOWN_KEY -> {
        answer(ex, null, operation, action, bucketName, key, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", null);
        return;
      }
      case WRONG_SIGNATURE -> {
        answer(ex, null, operation, action, bucketName, key, 403, "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.", null);
        return;
      }
      case VALID -> {
        // authentic: now who it is, and what it may do
      }
    }
    SigV4Verifier.Authorization auth = SigV4Verifier.parse(ex.getRequestHeaders().getFirst("Authorization"));
    String signingRegion = auth.region();
    Caller caller = world.caller(auth.accessKey(), ex.getRequestHeaders().getFirst("X-Amz-Security-Token"));
    if (caller.problem() != null) {
      answer(ex, null, operation, action, bucketName, key, 403, caller.problem(),
          caller.problem().equals("ExpiredToken") ? "The provided token has expired." : "The provided token is malformed or otherwise invalid.", null);
      return;
    }
    Bucket bucket = world.bucket(bucketName).orElse(null);
    if (bucket == null) {
      answer(ex, caller, operation, action, bucketName, key, 404, "NoSuchBucket", "The specified bucket does not exist", null);
      return;
    }
    if (!operation.equals("GetBucketLocation") && !bucket.region().equals(signingRegion)) {
      ex.getResponseHeaders().set("x-amz-bucket-region", bucket.region());
      answer(ex, caller, operation, action, bucketName, key, 301, "PermanentRedirect",
          "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.", null);
      return;
    }
    String expectedOwner = ex.getRequestHeaders().getFirst("x-amz-expected-bucket-owner");
    if (expectedOwner != null && !expectedOwner.equals(bucket.owner())) {
      answer(ex, caller, operation, action, bucketName, key, 403, "AccessDenied", "Access Denied", null);
      return;
    }
    if (!world.authorizes(caller.principalArn(), caller.account(), action, bucketName, key)) {
      if (operation.equals("HeadBucket")) {
        ex.getResponseHeaders().set("x-amz-bucket-region", bucket.region());
      }
      answer(ex, caller, operation, action, bucketName, key, 403, "AccessDenied", "Access Denied", null);
      return;
    }
    if ((operation.equals("GetObject") || operation.equals("HeadObject")) && store.blobMetadataIfPresent(bucketName, key) == null
        && !world.authorizes(caller.principalArn(), caller.account(), "s3:ListBucket", bucketName, null)) {
      // Without s3:ListBucket, S3 does not say whether a key exists: 403, not 404.
      answer(ex, caller, operation, action, bucketName, key, 403, "AccessDenied", "Access Denied", null);
      return;
    }
    boolean kms = bucket.encrypts(key);
    if (kms && (operation.equals("GetObject") || operation.equals("PutObject")) && !bucket.kmsUsers().contains(caller.principalArn())) {
      // What S3 answers when KMS refuses the caller the bucket's key.
      answer(ex, caller, operation, action, bucketName, key, 403, "AccessDenied",
          "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.", null);
      return;
    }
    if (operation.equals("GetBucketLocation")) {
      String constraint = bucket.region().equals("us-east-1") ? "" : bucket.region();
      answer(ex, caller, operation, action, bucketName, key, 200, null, null,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + constraint + "</LocationConstraint>");
      return;
    }
    forward(ex, caller, operation, action, bucket, key, body);
  }

  private void forward(HttpExchange ex, Caller caller, String operation, String action, Bucket bucket, String key, byte[] body) throws IOException {
    URI target = URI.create("http://127.0.0.1:" + proxy.getPort() + ex.getRequestURI().getRawPath()
        + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
    HttpRequest.Builder request = HttpRequest.newBuilder(target)
        .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    ex.getRequestHeaders().forEach((name, values) -> {
      if (!HOP.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(v -> request.header(name, v));
      }
    });
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    response.headers().map().forEach((name, values) -> {
      if (!HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
        values.forEach(v -> ex.getResponseHeaders().add(name, v));
      }
    });
    if (bucket.encrypts(key) && (operation.equals("GetObject") || operation.equals("HeadObject"))) {
      ex.getResponseHeaders().set("x-amz-server-side-encryption", "aws:kms");
      ex.getResponseHeaders().set("x-amz-server-side-encryption-aws-kms-key-id", bucket.kmsKeyArn());
    }
    if (operation.equals("HeadBucket")) {
      ex.getResponseHeaders().set("x-amz-bucket-region", bucket.region());
    }
    byte[] out = response.body() == null ? new byte[0] : response.body();
    boolean head = ex.getRequestMethod().equals("HEAD");
    long length = head ? response.headers().firstValueAsLong("content-length").orElse(-1) : out.length;
    long sent = head ? 0 : out.length;
    bytesOut.addAndGet(sent);
    // Recorded before the answer leaves: a client that has its answer finds its call counted.
    calls.add(new Call(caller.principalArn(), operation, action, bucket.name(), key, response.statusCode(), sent));
    if (head) {
      ex.getResponseHeaders().set("Content-Length", String.valueOf(Math.max(length, 0)));
      ex.sendResponseHeaders(response.statusCode(), -1);
    } else {
      ex.sendResponseHeaders(response.statusCode(), out.length == 0 ? -1 : out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    }
    ex.close();
  }

  private void answer(HttpExchange ex, Caller caller, String operation, String action, String bucket, String key, int status,
      String code, String message, String body) throws IOException {
    String xml = body != null ? body
        : "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
            + "</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>emulated</HostId></Error>";
    byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
    calls.add(new Call(caller == null ? null : caller.principalArn(), operation, action, bucket, key, status, 0));
    ex.getResponseHeaders().set("Content-Type", "application/xml");
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
    } else {
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(bytes);
      }
    }
    ex.close();
  }

  static String operation(String method, String key, String query) {
    if (key == null) {
      return switch (method) {
        case "HEAD" -> "HeadBucket";
        case "GET" -> query.contains("location") ? "GetBucketLocation" : "ListObjects";
        default -> method + "Bucket";
      };
    }
    return switch (method) {
      case "GET" -> "GetObject";
      case "HEAD" -> "HeadObject";
      case "PUT" -> "PutObject";
      case "DELETE" -> "DeleteObject";
      default -> method + "Object";
    };
  }

  static String action(String operation) {
    return switch (operation) {
      case "HeadBucket", "ListObjects" -> "s3:ListBucket";
      case "GetBucketLocation" -> "s3:GetBucketLocation";
      case "GetObject", "HeadObject" -> "s3:GetObject";
      case "PutObject" -> "s3:PutObject";
      case "DeleteObject" -> "s3:DeleteObject";
      default -> "s3:" + operation;
    };
  }

  /** Bytes the front sent back for keys starting with {@code prefix}. */
  public long bytesOut(String bucket, String prefix) {
    return calls.stream().filter(c -> bucket.equals(c.bucket()) && c.key() != null && c.key().startsWith(prefix)).mapToLong(Call::bytesOut).sum();
  }

  @Override
  public void close() {
    server.stop(0);
    try {
      proxy.stop();
    } catch (Exception e) {
      // stopping a test server
    }
    try (var files = java.nio.file.Files.walk(directory)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder
    }
  }
}
