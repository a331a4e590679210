package dev.mlops.datastore.reconciler.awsintegration;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;

/**
 * Writes annotation changes to a service account as one JSON Patch computed against the version
 * the decision was made on, and pinned to it: the patch sets metadata.resourceVersion to that
 * version, so if anyone changed the service account in between the API server answers 409 and the
 * reconcile is retried on fresh data instead of overwriting. Only the named annotation keys are
 * touched.
 */
public final class ServiceAccountPatcher {
  private final KubernetesClient client;

  public ServiceAccountPatcher(KubernetesClient client) {
    this.client = client;
  }

  public ServiceAccount patch(ServiceAccount seen, Map<String, String> changes) {
    return client
        .serviceAccounts()
        .inNamespace(seen.getMetadata().getNamespace())
        .withName(seen.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON), jsonPatch(seen, changes));
  }

  static String jsonPatch(ServiceAccount seen, Map<String, String> changes) {
    ArrayNode ops = JsonNodeFactory.instance.arrayNode();
    ops.addObject()
        .put("op", "replace")
        .put("path", "/metadata/resourceVersion")
        .put("value", seen.getMetadata().getResourceVersion());
    Map<String, String> current = seen.getMetadata().getAnnotations();
    if (current == null) {
      ObjectNode all = JsonNodeFactory.instance.objectNode();
      changes.forEach(
          (key, value) -> {
            if (value != null) {
              all.put(key, value);
            }
          });
      ops.addObject().put("op", "add").put("path", "/metadata/annotations").set("value", all);
      return ops.toString();
    }
    changes.forEach(
        (key, value) -> {
          String path = "/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1");
          if (value != null) {
            ops.addObject().put("op", "add").put("path", path).put("value", value);
          } else if (current.containsKey(key)) {
            ops.addObject().put("op", "remove").put("path", path);
          }
        });
    return ops.toString();
  }
}
