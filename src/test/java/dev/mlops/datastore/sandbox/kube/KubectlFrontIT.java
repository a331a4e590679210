package dev.mlops.datastore.sandbox.kube;

import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationStatus;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What kubectl asks of the sandbox's API server, asked over HTTP as kubectl asks it, so it is
 * checked also where no kubectl is installed ({@code KubectlSandboxE2E} runs the real one).
 */
class KubectlFrontIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
  private static final String INTEGRATIONS = "/apis/datastore.mlops.dev/v1alpha1/namespaces/" + NAMESPACE + "/awsintegrations";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private EmbeddedKubernetes kube;
  private KubectlFront front;

  @BeforeEach
  void start() throws Exception {
    kube = new EmbeddedKubernetes();
    front = new KubectlFront(kube.client().getMasterUrl().toString(), EmbeddedKubernetes.crds());
    kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    kube.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "model-a")).create();
  }

  @AfterEach
  void stop() {
    front.close();
    kube.close();
  }

  private JsonNode get(String path, String accept) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(front.url() + path)).header("Accept", accept).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static JsonNode named(JsonNode list, String field, String value) {
    for (JsonNode n : list) {
      if (n.path(field).asText().equals(value)) {
        return n;
      }
    }
    throw new AssertionError(value + " not in " + list);
  }

  @Test
  void shouldDiscoverOurKindsWithShortNamesCategoriesAndVerbs() throws Exception {
    assertThat(get("/apis", "application/json").path("groups").findValuesAsText("name")).contains("datastore.mlops.dev", "apiextensions.k8s.io");
    assertThat(get("/api", "application/json").path("versions").get(0).asText()).isEqualTo("v1");

    JsonNode resources = get("/apis/datastore.mlops.dev/v1alpha1", "application/json").path("resources");
    JsonNode awsi = named(resources, "name", "awsintegrations");
    assertThat(awsi.path("singularName").asText()).isEqualTo("awsintegration");
    assertThat(awsi.path("shortNames").toString()).isEqualTo("[\"awsi\"]");
    assertThat(awsi.path("categories").toString()).isEqualTo("[\"datastore\"]");
    assertThat(awsi.path("verbs").toString()).contains("\"watch\"", "\"patch\"", "\"list\"");
    assertThat(named(resources, "name", "awsintegrations/status").path("verbs").toString()).contains("patch");
    assertThat(resources.findValuesAsText("name")).contains("datasets", "modelartifacts");
    assertThat(named(get("/api/v1", "application/json").path("resources"), "name", "serviceaccounts").path("shortNames").toString())
        .isEqualTo("[\"sa\"]");
  }

  @Test
  void shouldServeTheCrdSchemasAsOpenApiV3ForExplain() throws Exception {
    String url = get("/openapi/v3", "application/json").path("paths").path("apis/datastore.mlops.dev/v1alpha1").path("serverRelativeURL").asText();
    JsonNode doc = get(url, "application/json");

    JsonNode schema = doc.path("components").path("schemas").path("dev.mlops.datastore.v1alpha1.AwsIntegration");
    assertThat(schema.path("x-kubernetes-group-version-kind").get(0).path("kind").asText()).isEqualTo("AwsIntegration");
    assertThat(schema.path("description").asText()).startsWith("AwsIntegration connects");
    assertThat(schema.path("properties").path("spec").path("properties").path("bucket").path("description").asText()).isNotEmpty();
    // kubectl apply learns from the PATCH operation that the server validates fields.
    JsonNode patch = doc.path("paths").path(INTEGRATIONS.replace("/namespaces/" + NAMESPACE + "/", "/namespaces/{namespace}/") + "/{name}").path("patch");
    assertThat(patch.path("parameters").findValuesAsText("name")).contains("fieldValidation");
  }

  @Test
  void shouldAnswerTablesWithThePrinterColumns() throws Exception {
    AwsIntegration a = kube.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data").get();
    a.setStatus(new AwsIntegrationStatus());
    Condition ready = new Condition();
    ready.setType("Ready");
    ready.setStatus("False");
    ready.setReason("TrustPolicyDenies");
    ready.setMessage("the trust policy denies");
    ready.setLastTransitionTime("2026-01-01T00:00:00Z");
    a.getStatus().setConditions(List.of(ready));
    kube.client().resource(a).updateStatus();

    JsonNode table = get(INTEGRATIONS, TABLE);

    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("columnDefinitions").findValuesAsText("name")).containsExactly("Name", "Ready", "Reason", "Bucket", "Age", "Message");
    assertThat(table.path("columnDefinitions").get(5).path("priority").asInt()).isEqualTo(1);
    JsonNode cells = table.path("rows").get(0).path("cells");
    assertThat(cells.get(0).asText()).isEqualTo("fraud-data");
    assertThat(cells.get(1).asText()).isEqualTo("False");
    assertThat(cells.get(2).asText()).isEqualTo("TrustPolicyDenies");
    assertThat(cells.get(3).asText()).isEqualTo(Resources.BUCKET);
    assertThat(cells.get(4).asText()).matches("\\d+s");
    assertThat(cells.get(5).asText()).isEqualTo("the trust policy denies");
    assertThat(table.path("rows").get(0).path("object").path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
    assertThat(get(INTEGRATIONS + "/fraud-data", TABLE).path("rows")).hasSize(1);
  }

  @Test
  void shouldStreamAWatchOverHttpWithTheFieldSelector() throws Exception {
    kube.client().resource(Resources.irsaIntegration("other", Platform.Custom, "model-b")).create();
    String version = get(INTEGRATIONS, "application/json").path("metadata").path("resourceVersion").asText();
    HttpResponse<Stream<String>> watch = http.send(HttpRequest.newBuilder(URI.create(front.url() + INTEGRATIONS
        + "?watch=true&fieldSelector=metadata.name%3Dfraud-data&timeoutSeconds=20" + (version.isEmpty() ? "" : "&resourceVersion=" + version)))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(watch.statusCode()).isEqualTo(200);

    kube.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("other")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"seen\":\"no\"}}}");
    kube.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"seen\":\"yes\"}}}");

    List<JsonNode> events = new ArrayList<>();
    Iterator<String> lines = watch.body().iterator();
    while (events.isEmpty() || !events.get(events.size() - 1).path("object").path("metadata").path("labels").has("seen")) {
      events.add(JSON.readTree(lines.next()));
    }
    watch.body().close();
    assertThat(events).allSatisfy(e -> assertThat(e.path("object").path("metadata").path("name").asText()).isEqualTo("fraud-data"));
    assertThat(events.get(events.size() - 1).path("type").asText()).isEqualTo("MODIFIED");
  }

  @Test
  void shouldTakeAStrategicMergePatchAndStoreStringDataAsData() throws Exception {
    kube.client().resource(new SecretBuilder().withNewMetadata().withName("creds").withNamespace(NAMESPACE).endMetadata()
        .addToData("AWS_ACCESS_KEY_ID", "b2xk").build()).create();

    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(front.url() + "/api/v1/namespaces/" + NAMESPACE + "/secrets/creds"))
        .header("Content-Type", "application/strategic-merge-patch+json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"$setElementOrder/x\":[],\"stringData\":{\"AWS_ACCESS_KEY_ID\":\"new\"}}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    var stored = kube.client().secrets().inNamespace(NAMESPACE).withName("creds").get();
    assertThat(stored.getData()).containsEntry("AWS_ACCESS_KEY_ID", "bmV3");
    assertThat(stored.getStringData()).isNullOrEmpty();
  }
}
