package dev.mlops.datastore;

import static dev.mlops.datastore.testing.Resources.ACCOUNT;
import static dev.mlops.datastore.testing.Resources.BUCKET;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.read.ListAppender;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.logging.FlatJsonEncoder;
import dev.mlops.datastore.logging.FlatJsonEncoderTest;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * No credential at any log level: the operator runs with its production {@code logback.xml} at
 * the root level the chart lets a user choose, proves an access key and an IRSA role, renews and
 * reads Datasets, and nothing it logs (message, key/values, MDC, exception chain), emits as an
 * Event or writes to a status contains the Secret's key ID or secret, an STS secret key, session
 * token or access key ID, or a service account token.
 */
class CredentialLeakIT {
  private static final String KEY_ID = "AKIALEAKSCANKEYID0001";
  private static final String SECRET = "LEAKSCAN-secret-access-key-never-logged-0123";
  private static final String USER_ARN = "arn:aws:iam::" + ACCOUNT + ":user/leak-scan";

  private static final List<String> TEST_SERVERS =
      List.of("org.eclipse.jetty", "org.gaul", "io.fabric8.mockwebserver", "io.fabric8.kubernetes.client.server.mock", "okhttp3.mockwebserver",
          "dev.mlops.datastore.sandbox", "com.sun.net.httpserver");

  private MockCluster cluster;
  /** Captures each event as an appender that prints at once sees it: its MDC is the logging thread's. */
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      super.append(event);
    }
  };

  /** The shipped configuration, at this root level, captured in memory instead of the console. */
  private void productionLogging(String level) throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    context.putProperty("OPERATOR_LOG_LEVEL", level);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/logback.xml"));
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.toLevel(level));
    root.detachAndStopAllAppenders(); // what is captured must not reach the test output either
    // The test's own servers (S3Proxy on Jetty, the mock API server, the AWS emulators) run in
    // this JVM but are no part of the operator, and they log what they receive.
    for (String server : TEST_SERVERS) {
      context.getLogger(server).setLevel(Level.WARN);
    }
    logs.setContext(context);
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  @ParameterizedTest
  @ValueSource(strings = {"INFO", "DEBUG", "TRACE"})
  void shouldLogNoCredentialAtAnyLevel(String level) throws Exception {
    productionLogging(level);
    cluster = new MockCluster();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    Resources.knownRole(cluster);
    cluster.aws().world().user(USER_ARN, KEY_ID, SECRET).grant(USER_ARN, BUCKET, "", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    cluster.startOperator(Clock.systemUTC());
    cluster.client().resource(new SecretBuilder().withNewMetadata().withName("aws-creds").withNamespace(NAMESPACE).endMetadata()
        .withStringData(Map.of("AWS_ACCESS_KEY_ID", KEY_ID, "AWS_SECRET_ACCESS_KEY", SECRET)).build()).create();
    cluster.client().resource(Resources.serviceAccount("reader")).create();

    cluster.client().resource(Resources.accessKeyIntegration("keyed", Platform.Custom)).create();
    cluster.client().resource(Resources.irsaIntegration("roled", Platform.Custom, "reader")).create();
    cluster.client().resource(Resources.dataset("keyed-ref", "keyed")).create();
    cluster.client().resource(Resources.dataset("roled-ref", "roled")).create();

    await().atMost(Duration.ofSeconds(60)).until(() -> ready(Dataset.class, "keyed-ref") && ready(Dataset.class, "roled-ref"));
    assertThat(ready(AwsIntegration.class, "keyed")).isTrue();

    List<String> credentials = new ArrayList<>(List.of(KEY_ID, SECRET));
    credentials.addAll(cluster.tokens().minted());
    cluster.aws().world().sessions().forEach(s -> credentials.addAll(List.of(s.accessKey(), s.secretKey(), s.token())));
    assertThat(cluster.tokens().minted()).isNotEmpty();
    assertThat(cluster.aws().world().sessions()).isNotEmpty();

    logs.stop(); // nothing more is appended while the list is read
    String everything = eventsAndStatuses();
    if (!level.equals("INFO")) {
      // The root level really is what the test says: the operator's libraries did log below INFO.
      assertThat(logs.list).anyMatch(e -> e.getLevel().toInt() < Level.INFO.toInt());
    }
    // What the container prints (OPERATOR_LOG_FORMAT=json): every line one flat JSON object, scanned too.
    FlatJsonEncoder json = new FlatJsonEncoder();
    json.setContext(logs.getContext());
    json.start();
    List<com.fasterxml.jackson.databind.JsonNode> lines = FlatJsonEncoderTest.lines(json, logs.list);
    // Lines logged while a resource is reconciled name it, from JOSDK's MDC, with the short keys.
    assertThat(lines).filteredOn(l -> l.path("message").asText().equals("annotated service account"))
        .isNotEmpty()
        .allSatisfy(l -> assertThat(l.path("resource").asText() + " " + l.path("namespace").asText() + "/" + l.path("name").asText())
            .isEqualTo("AwsIntegration " + NAMESPACE + "/roled"));
    for (String credential : credentials) {
      assertThat(logs.list.stream().map(e -> new String(json.encode(e), java.nio.charset.StandardCharsets.UTF_8)).filter(l -> l.contains(credential)))
          .as("JSON log lines with a credential at " + level).isEmpty();
      List<String> leakers = logs.list.stream().filter(e -> text(e).contains(credential)).map(e -> e.getLevel() + " " + e.getLoggerName()).distinct().toList();
      assertThat(leakers).as("loggers that printed a credential at " + level).isEmpty();
      assertThat(everything.contains(credential)).as("a credential in an Event or a status").isFalse();
    }
  }

  private boolean ready(Class<? extends HasMetadata> kind, String name) {
    HasMetadata resource = cluster.client().resources(kind).inNamespace(NAMESPACE).withName(name).get();
    List<dev.mlops.datastore.api.v1alpha1.Condition> conditions =
        resource instanceof Dataset ds && ds.getStatus() != null ? ds.getStatus().getConditions()
            : resource instanceof AwsIntegration ai && ai.getStatus() != null ? ai.getStatus().getConditions() : null;
    return conditions != null && Conditions.isTrue(conditions, Conditions.READY);
  }

  private String eventsAndStatuses() {
    StringBuilder all = new StringBuilder();
    cluster.client().v1().events().inNamespace(NAMESPACE).list().getItems().forEach(e -> all.append(Serialization.asJson(e)));
    cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).list().getItems().forEach(a -> all.append(Serialization.asJson(a)));
    cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).list().getItems().forEach(d -> all.append(Serialization.asJson(d)));
    return all.toString();
  }

  /** Everything an event carries that an appender could print. */
  private static String text(ILoggingEvent e) {
    StringBuilder all = new StringBuilder();
    all.append(e.getFormattedMessage()).append(' ').append(e.getKeyValuePairs()).append(' ').append(e.getMDCPropertyMap()).append('\n');
    if (e.getArgumentArray() != null) {
      for (Object argument : e.getArgumentArray()) {
        all.append(argument).append('\n');
      }
    }
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      all.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
      for (IThrowableProxy suppressed : t.getSuppressed()) {
        all.append(suppressed.getMessage()).append('\n');
      }
    }
    return all.toString();
  }
}
