package dev.mlops.datastore.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.datastore.aws.AwsServices;
import dev.mlops.datastore.aws.CallerIdentity;
import dev.mlops.datastore.aws.IntegrationSessions;
import dev.mlops.datastore.dataset.ObjectStore;
import dev.mlops.datastore.sandbox.aws.LocalAws;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Issue 12, "Fix the costs" item 1: what one small ranged GET costs the operator's process with
 * each S3 client the AWS SDK offers. Starts the sandbox's S3 (S3Proxy behind its SigV4-checking
 * front, {@link LocalAws}) in this JVM with a 10 KB CSV and an 11 KB Parquet file, then runs each
 * client variant in a JVM of its own, so that the process CPU measured there is the client's
 * alone (async clients work on event-loop threads) and no variant warms the JIT for another.
 *
 * <p>Each request is what the operator sends: a ranged GET of the first 64 KiB (a CSV's schema
 * sniff) or of the last 64 KiB ({@code bytes=-65536}, the Parquet footer read), alternating,
 * signed with an integration session's credentials passed on the request (access key, secret,
 * session token), one at a time on the calling thread. After a warm-up, prints one JSON line per
 * variant: thread CPU, process CPU, wall time (mean, p50, p99) and allocation per request, and the
 * sandbox JVM's CPU per request for scale. The {@code signer} line times SigV4 signing alone.
 *
 * <p>{@code mvn -B -ntp -o -Pbench test-compile exec:exec@s3clients -Dbench.requests=3000} (see
 * docs/perf-s3-clients.md). The client libraries other than the operator's own Apache 5 client
 * are dependencies of the {@code bench} profile only, never of the operator.
 */
public final class S3ClientBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUCKET = "bench";
  private static final String ACCOUNT = "111122223333";
  private static final String READER_ARN = "arn:aws:iam::111122223333:user/bench-reader";
  private static final String READER_KEY = "AKIABENCHREADER00000";
  private static final String READER_SECRET = "bench-reader-secret-of-the-sandbox";
  /** STS session tokens are ~800-1,000 characters; the sandbox ignores the token of a user's key, the client still signs and sends it. */
  private static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjE" + "A".repeat(880);
  private static final String CSV = "data/ten-kb.csv";
  private static final String PARQUET = "data/delta_encoding_optional_column.parquet";
  private static final Path PARQUET_SOURCE = Path.of("src", "test", "resources", "data", "parquet", "delta_encoding_optional_column.parquet");
  /** The operator reads this much of an object's head or tail (DatasetInspector.PREFIX). */
  private static final int PREFIX = 64 * 1024;
  static final List<String> VARIANTS = List.of(
      "production", "sync-apache5", "sync-urlconnection", "sync-crt", "async-netty", "async-crt", "s3-crt", "signer");

  private S3ClientBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    if (options.containsKey("variant")) {
      Child.run(options);
    } else if (options.containsKey("jfr-summary")) {
      jfrSummary(Path.of(options.get("jfr-summary")));
    } else {
      parent(options);
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }

  /** Starts the sandbox's S3 here, then each variant in a JVM of its own; forwards their JSON lines. */
  private static void parent(Map<String, String> options) throws Exception {
    List<String> variants = options.containsKey("variants") ? Arrays.asList(options.get("variants").split(",")) : VARIANTS;
    String heap = options.getOrDefault("heap", "256m");
    String jfrVariant = options.getOrDefault("jfr", "");
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    // The S3 front forwards the signed Host header to S3Proxy (see S3Front), before its HTTP client exists.
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    try (LocalAws aws = new LocalAws()) {
      aws.bucket(BUCKET, ACCOUNT, "us-east-1");
      aws.world().user(READER_ARN, READER_KEY, READER_SECRET).grant(READER_ARN, BUCKET, "data/", "s3:GetObject", "s3:ListBucket");
      aws.s3().putObject(BUCKET, CSV, tenKbCsv());
      aws.s3().putObject(BUCKET, PARQUET, Files.readAllBytes(PARQUET_SOURCE));
      System.err.printf("S3 at %s; %d CPUs, load average %.2f%n", aws.s3().endpoint(), os.getAvailableProcessors(), os.getSystemLoadAverage());
      for (String variant : variants) {
        long serverCpu = os.getProcessCpuTime();
        int before = aws.s3().calls().size();
        List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap));
        if (variant.equals(jfrVariant)) {
          command.add("-XX:StartFlightRecording=filename=target/s3clients-" + variant + ".jfr,settings=profile");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), S3ClientBench.class.getName(),
            "--variant", variant, "--endpoint", aws.s3().endpoint().toString(),
            "--requests", options.getOrDefault("requests", "3000"), "--warmup", options.getOrDefault("warmup", "1000")));
        if (options.containsKey("token-length")) {
          command.addAll(List.of("--token-length", options.get("token-length")));
        }
        Process child = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(new File("target/s3clients-" + variant + ".log")))
            .start();
        String result = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("{")) {
              result = line;
            }
          }
        }
        int exit = child.waitFor();
        int served = aws.s3().calls().size() - before;
        if (result == null || exit != 0) {
          System.out.println(JSON.writeValueAsString(Map.of("variant", variant, "error",
              "exit " + exit + ", see target/s3clients-" + variant + ".log")));
          continue;
        }
        ObjectNode line = (ObjectNode) JSON.readTree(result);
        if (served > 0) {
          line.put("sandboxRequests", served);
          line.put("sandboxCpuUsPerRequest", (os.getProcessCpuTime() - serverCpu) / 1000 / served);
        }
        System.out.println(JSON.writeValueAsString(line));
      }
      aws.s3().clearCalls();
    }
  }

  /** A CSV of ~10 KB: a header and numeric rows, like a small feature file. */
  private static byte[] tenKbCsv() {
    StringBuilder b = new StringBuilder("id,feature_a,feature_b,label\n");
    for (int i = 0; b.length() < 10 * 1024; i++) {
      b.append(i).append(',').append(i * 0.25).append(',').append(i % 7).append(',').append(i % 2 == 0 ? "yes" : "no").append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** One variant, measured in its own JVM. */
  static final class Child {
    /** One ranged GET; answers the bytes received. */
    interface Get {
      int get(String key, boolean suffix) throws Exception;
    }

    static void run(Map<String, String> options) throws Exception {
      String variant = options.get("variant");
      URI endpoint = URI.create(options.get("endpoint"));
      int requests = Integer.parseInt(options.getOrDefault("requests", "3000"));
      int warmup = Integer.parseInt(options.getOrDefault("warmup", "1000"));
      int tokenLength = Integer.parseInt(options.getOrDefault("token-length", String.valueOf(SESSION_TOKEN.length())));
      AwsSessionCredentials credentials = AwsSessionCredentials.create(READER_KEY, READER_SECRET, SESSION_TOKEN.substring(0, tokenLength));
      List<AutoCloseable> closing = new ArrayList<>();
      String http;
      Get get;
      try {
        switch (variant) {
          case "production" -> {
            // Exactly the operator's path: the shared regional client of AwsServices (the SDK's
            // default HTTP client), an integration session passing its credentials per request,
            // and S3ObjectStore's streamed ranged reads.
            AwsServices services = new AwsServices(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIANOTUSED000000000", "not-used")),
                new AwsServices.Endpoints(Optional.empty(), Optional.empty(), Optional.of(endpoint)));
            closing.add(services);
            ObjectStore store = new IntegrationSessions(services)
                .open(credentials, null, new CallerIdentity(READER_ARN, ACCOUNT), BUCKET, null, "us-east-1", 1L)
                .objectStore(BUCKET);
            http = "sdk-default";
            get = (key, suffix) -> (suffix ? store.readSuffixWithInfo(key, PREFIX) : store.readWithInfo(key, 0, PREFIX)).bytes().length;
          }
          case "sync-apache5", "sync-urlconnection", "sync-crt" -> {
            SdkHttpClient client = switch (variant) {
              case "sync-apache5" -> Apache5HttpClient.builder().build();
              case "sync-urlconnection" -> UrlConnectionHttpClient.builder().build();
              default -> AwsCrtHttpClient.builder().build();
            };
            S3Client s3 = S3Client.builder().httpClient(client).region(Region.US_EAST_1)
                .credentialsProvider(NO_CREDENTIALS_OF_ITS_OWN)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(OPERATOR_TIMEOUTS)
                .endpointOverride(endpoint).forcePathStyle(true).build();
            closing.add(s3);
            closing.add(client);
            http = client.clientName();
            AwsCredentialsProvider perRequest = StaticCredentialsProvider.create(credentials);
            get = (key, suffix) -> {
              try (ResponseInputStream<GetObjectResponse> in = s3.getObject(request(key, suffix, perRequest))) {
                return in.readNBytes(PREFIX).length;
              }
            };
          }
          case "async-netty", "async-crt" -> {
            SdkAsyncHttpClient client = variant.equals("async-netty")
                ? NettyNioAsyncHttpClient.builder().build()
                : AwsCrtAsyncHttpClient.builder().build();
            S3AsyncClient s3 = S3AsyncClient.builder().httpClient(client).region(Region.US_EAST_1)
                .credentialsProvider(NO_CREDENTIALS_OF_ITS_OWN)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(OPERATOR_TIMEOUTS)
                .endpointOverride(endpoint).forcePathStyle(true).build();
            closing.add(s3);
            closing.add(client);
            http = client.clientName();
            AwsCredentialsProvider perRequest = StaticCredentialsProvider.create(credentials);
            get = (key, suffix) -> s3.getObject(request(key, suffix, perRequest), AsyncResponseTransformer.toBytes()).join().asByteArrayUnsafe().length;
          }
          case "s3-crt" -> {
            // The CRT's own S3 client (S3AsyncClient.crtBuilder()): its native meta-request engine,
            // not the SDK's pipeline. It gets a provider of its own (it resolves one eagerly); each
            // request still overrides it with the session's.
            S3AsyncClient s3 = S3AsyncClient.crtBuilder().region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIANOTUSED000000000", "not-used")))
                .checksumValidationEnabled(false)
                .endpointOverride(endpoint).forcePathStyle(true).build();
            closing.add(s3);
            http = "AwsCrtS3Client";
            AwsCredentialsProvider perRequest = StaticCredentialsProvider.create(credentials);
            // The CRT requires Content-Range on a ranged answer; S3Proxy answers a range that covers
            // the whole object (0-65535 of a 10 KB object) with a plain 200, where S3 sends 206 with
            // Content-Range. So this variant reads 8 KiB ranges inside the objects.
            get = (key, suffix) -> s3.getObject(request(key, suffix, perRequest).toBuilder()
                    .range(suffix ? "bytes=-8192" : "bytes=0-8191").build(),
                AsyncResponseTransformer.toBytes()).join().asByteArrayUnsafe().length;
          }
          case "signer" -> {
            // SigV4 alone: the request the SDK signs for one of these GETs, signed again and again.
            AwsV4HttpSigner signer = AwsV4HttpSigner.create();
            http = "none";
            get = (key, suffix) -> {
              SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.GET)
                  .uri(endpoint.resolve("/" + BUCKET + "/" + key))
                  .putHeader("Range", suffix ? "bytes=-" + PREFIX : "bytes=0-" + (PREFIX - 1))
                  .putHeader("amz-sdk-invocation-id", java.util.UUID.randomUUID().toString())
                  .putHeader("amz-sdk-request", "attempt=1; max=3")
                  .putHeader("User-Agent", "aws-sdk-java/2.57.8 md/io#sync md/http#Apache5 ua/2.1 os/Linux lang/java#17")
                  .build();
              return signer.sign(r -> r.identity(credentials).request(request)
                  .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                  .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                  .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                  .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                  .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false))
                  .request().headers().size();
            };
          }
          default -> throw new IllegalArgumentException("unknown variant '" + variant + "', one of " + VARIANTS);
        }
        System.out.println(JSON.writeValueAsString(measure(variant, http, get, requests, warmup)));
      } finally {
        for (AutoCloseable c : closing) {
          c.close();
        }
      }
    }

    /** The shared clients' own provider, as in AwsServices: a request without a session's credentials fails. */
    private static final AwsCredentialsProvider NO_CREDENTIALS_OF_ITS_OWN = () -> {
      throw SdkClientException.create("an S3 request without an integration's credentials");
    };

    /** The operator's S3 client timeouts (AwsServices.overrides(), without its call counter). */
    private static final ClientOverrideConfiguration OPERATOR_TIMEOUTS = ClientOverrideConfiguration.builder()
        .apiCallTimeout(Duration.ofSeconds(30))
        .apiCallAttemptTimeout(Duration.ofSeconds(10))
        .build();

    private static GetObjectRequest request(String key, boolean suffix, AwsCredentialsProvider credentials) {
      return GetObjectRequest.builder().bucket(BUCKET).key(key)
          .range(suffix ? "bytes=-" + PREFIX : "bytes=0-" + (PREFIX - 1))
          .overrideConfiguration(AwsRequestOverrideConfiguration.builder().credentialsProvider(credentials).build())
          .build();
    }

    private static Map<String, Object> measure(String variant, String http, Get get, int requests, int warmup) throws Exception {
      var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long bytes = 0;
      for (int i = 0; i < warmup; i++) {
        bytes += get.get(i % 2 == 0 ? CSV : PARQUET, i % 2 != 0);
      }
      if (bytes == 0 && !variant.equals("signer")) {
        throw new IllegalStateException("the warm-up read nothing");
      }
      System.gc();
      Thread.sleep(200);
      long[] latencies = new long[requests];
      Map<Long, Long> allocatedBefore = allocatedByThread(threads);
      long thread = Thread.currentThread().getId();
      long allocated = threads.getThreadAllocatedBytes(thread);
      long cpu = threads.getCurrentThreadCpuTime();
      long processCpu = os.getProcessCpuTime();
      Duration processCpuByHandle = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
      long start = System.nanoTime();
      bytes = 0;
      for (int i = 0; i < requests; i++) {
        long t = System.nanoTime();
        bytes += get.get(i % 2 == 0 ? CSV : PARQUET, i % 2 != 0);
        latencies[i] = System.nanoTime() - t;
      }
      long wall = System.nanoTime() - start;
      long processCpuAfter = os.getProcessCpuTime();
      Duration processCpuByHandleAfter = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
      long cpuAfter = threads.getCurrentThreadCpuTime();
      long allocatedAfter = threads.getThreadAllocatedBytes(thread);
      Map<Long, Long> allocatedAfterAll = allocatedByThread(threads);
      long allThreads = 0;
      for (var e : allocatedAfterAll.entrySet()) {
        allThreads += e.getValue() - allocatedBefore.getOrDefault(e.getKey(), 0L);
      }
      Arrays.sort(latencies);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("variant", variant);
      line.put("http", http);
      line.put("requests", requests);
      line.put("warmup", warmup);
      line.put("threadCpuUsPerRequest", round((cpuAfter - cpu) / 1000.0 / requests));
      line.put("processCpuUsPerRequest", round((processCpuAfter - processCpu) / 1000.0 / requests));
      line.put("processCpuUsPerRequestByHandle", round(processCpuByHandleAfter.minus(processCpuByHandle).toNanos() / 1000.0 / requests));
      line.put("wallUsPerRequest", round(wall / 1000.0 / requests));
      line.put("p50WallUs", latencies[requests / 2] / 1000);
      line.put("p99WallUs", latencies[(int) (requests * 0.99)] / 1000);
      line.put("threadAllocKbPerRequest", round((allocatedAfter - allocated) / 1024.0 / requests));
      line.put("allThreadsAllocKbPerRequest", round(allThreads / 1024.0 / requests));
      line.put("bytesReadPerRequest", bytes / requests);
      line.put("liveThreads", threads.getThreadCount());
      line.put("cpus", os.getAvailableProcessors());
      line.put("loadAverage", round(os.getSystemLoadAverage()));
      return line;
    }

    private static Map<Long, Long> allocatedByThread(com.sun.management.ThreadMXBean threads) {
      long[] ids = threads.getAllThreadIds();
      long[] allocated = threads.getThreadAllocatedBytes(ids);
      Map<Long, Long> byId = new HashMap<>();
      for (int i = 0; i < ids.length; i++) {
        if (allocated[i] >= 0) {
          byId.put(ids[i], allocated[i]);
        }
      }
      return byId;
    }

    private static double round(double v) {
      return Math.round(v * 10) / 10.0;
    }
  }

  /**
   * Where a JFR recording's CPU samples fall: each sample goes to the first frame from the top of
   * its stack that belongs to a known part (JDK frames count for the part that called them).
   */
  private static void jfrSummary(Path recording) throws Exception {
    Map<String, String> parts = new LinkedHashMap<>();
    parts.put("software.amazon.awssdk.http.auth.aws.", "signing (SigV4)");
    parts.put("software.amazon.awssdk.http.auth.", "signing (SigV4)");
    parts.put("software.amazon.awssdk.auth.", "signing (SigV4)");
    parts.put("software.amazon.awssdk.http.apache5.", "http client");
    parts.put("org.apache.hc.", "http client");
    parts.put("software.amazon.awssdk.http.urlconnection.", "http client");
    parts.put("sun.net.www.", "http client");
    parts.put("io.netty.", "http client");
    parts.put("software.amazon.awssdk.http.nio.", "http client");
    parts.put("software.amazon.awssdk.http.crt.", "http client");
    parts.put("software.amazon.awssdk.crt.", "http client");
    parts.put("software.amazon.awssdk.services.s3.endpoints.", "endpoint rules");
    parts.put("software.amazon.awssdk.services.s3.internal.", "s3 interceptors and plugins");
    parts.put("software.amazon.awssdk.services.s3.model.", "request/response model");
    parts.put("software.amazon.awssdk.protocols.", "marshalling/unmarshalling");
    parts.put("software.amazon.awssdk.core.internal.http.pipeline.", "sdk pipeline");
    parts.put("software.amazon.awssdk.core.", "sdk core");
    parts.put("software.amazon.awssdk.awscore.", "sdk core");
    parts.put("software.amazon.awssdk.utils.", "sdk utils");
    parts.put("software.amazon.awssdk.", "sdk other");
    parts.put("dev.mlops.", "operator code");
    parts.put("dev.mlops.datastore.bench.", "benchmark loop");
    Map<String, Integer> byPart = new TreeMap<>();
    Map<String, Integer> byTopFrame = new HashMap<>();
    Map<String, Long> allocationByPart = new TreeMap<>();
    Map<String, Long> allocationByType = new HashMap<>();
    long allocationTotal = 0;
    int total = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
      String event = e.getEventType().getName();
      if (e.getStackTrace() == null) {
        continue;
      }
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      if (event.equals("jdk.ObjectAllocationSample")) {
        long weight = e.getLong("weight");
        allocationTotal += weight;
        allocationByPart.merge(part(parts, frames), weight, Long::sum);
        allocationByType.merge(e.getClass("objectClass").getName(), weight, Long::sum);
        continue;
      }
      if (!event.equals("jdk.ExecutionSample")) {
        continue;
      }
      total++;
      if (!frames.isEmpty()) {
        RecordedFrame top = frames.get(0);
        byTopFrame.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1, Integer::sum);
      }
      byPart.merge(part(parts, frames), 1, Integer::sum);
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("recording", recording.toString());
    line.put("samples", total);
    Map<String, Double> percent = new LinkedHashMap<>();
    final int all = Math.max(1, total);
    byPart.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(p -> percent.put(p.getKey(), Math.round(p.getValue() * 1000.0 / all) / 10.0));
    line.put("percentByPart", percent);
    Map<String, Integer> top = new LinkedHashMap<>();
    byTopFrame.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(15)
        .forEach(t -> top.put(t.getKey(), t.getValue()));
    line.put("topFrames", top);
    final long bytes = Math.max(1, allocationTotal);
    Map<String, Double> allocation = new LinkedHashMap<>();
    allocationByPart.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(p -> allocation.put(p.getKey(), Math.round(p.getValue() * 1000.0 / bytes) / 10.0));
    line.put("allocationPercentByPart", allocation);
    Map<String, Double> types = new LinkedHashMap<>();
    allocationByType.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
        .forEach(t -> types.put(t.getKey(), Math.round(t.getValue() * 1000.0 / bytes) / 10.0));
    line.put("allocationPercentByType", types);
    System.out.println(JSON.writeValueAsString(line));
  }

  /** The part of the first frame from the top of the stack that belongs to a known one (longest prefix wins). */
  private static String part(Map<String, String> parts, List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      String type = f.getMethod().getType().getName() + ".";
      String best = null;
      int length = -1;
      for (var p : parts.entrySet()) {
        if (type.startsWith(p.getKey()) && p.getKey().length() > length) {
          best = p.getValue();
          length = p.getKey().length();
        }
      }
      if (best != null) {
        return best;
      }
    }
    return "jdk/other";
  }
}
