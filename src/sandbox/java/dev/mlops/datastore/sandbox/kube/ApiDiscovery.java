package dev.mlops.datastore.sandbox.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The discovery and OpenAPI v3 documents of the sandbox's API server, as a real one serves them
 * (legacy, not aggregated, discovery: kubectl falls back to it): the core resources a scene uses,
 * the CRD API, and our group built from the generated CRDs (short names, categories, singular
 * names, the status subresource, and the schemas {@code kubectl explain} reads).
 */
final class ApiDiscovery {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String VERSION = "v1.32.0";
  private static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  /** One resource of one group version, as an APIResourceList names it. */
  record Resource(String group, String version, String plural, String singular, String kind, boolean namespaced, List<String> shortNames,
      List<String> categories, CustomResourceDefinition crd) {
    String groupVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }

    /** The path prefix of its group version: {@code /api/v1} or {@code /apis/GROUP/VERSION}. */
    String prefix() {
      return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }
  }

  private final List<Resource> resources = new ArrayList<>();

  ApiDiscovery(List<CustomResourceDefinition> crds) {
    core("namespaces", "namespace", "Namespace", false, List.of("ns"));
    core("serviceaccounts", "serviceaccount", "ServiceAccount", true, List.of("sa"));
    core("secrets", "secret", "Secret", true, List.of());
    core("configmaps", "configmap", "ConfigMap", true, List.of("cm"));
    core("pods", "pod", "Pod", true, List.of("po"));
    core("events", "event", "Event", true, List.of("ev"));
    resources.add(new Resource("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition",
        false, List.of("crd", "crds"), List.of("api-extensions"), null));
    for (CustomResourceDefinition crd : crds) {
      var names = crd.getSpec().getNames();
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        if (Boolean.TRUE.equals(v.getServed())) {
          resources.add(new Resource(crd.getSpec().getGroup(), v.getName(), names.getPlural(), names.getSingular(), names.getKind(),
              "Namespaced".equals(crd.getSpec().getScope()), names.getShortNames() == null ? List.of() : names.getShortNames(),
              names.getCategories() == null ? List.of() : names.getCategories(), crd));
        }
      }
    }
  }

  private void core(String plural, String singular, String kind, boolean namespaced, List<String> shortNames) {
    resources.add(new Resource("", "v1", plural, singular, kind, namespaced, shortNames, plural.equals("pods") ? List.of("all") : List.of(), null));
  }

  /** The resource a request path names ({@code .../PLURAL} or {@code .../PLURAL/NAME}), if served here. */
  Optional<Resource> resourceOf(String path) {
    for (Resource r : resources) {
      if (!path.startsWith(r.prefix() + "/")) {
        continue;
      }
      String[] parts = path.substring(r.prefix().length() + 1).split("/");
      // .../namespaces/NS/PLURAL[/NAME] names a namespaced resource; .../PLURAL[/NAME] any other.
      String plural = parts[0].equals("namespaces") && parts.length >= 3 ? parts[2] : parts[0];
      if (plural.equals(r.plural())) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** The document served at {@code path}, or null when the path is not discovery or OpenAPI. */
  JsonNode answer(String path) {
    String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    if (p.equals("/version")) {
      return JSON.createObjectNode().put("major", "1").put("minor", "32").put("gitVersion", VERSION + "-sandbox")
          .put("gitCommit", "0000000000000000000000000000000000000000").put("gitTreeState", "clean").put("buildDate", "2026-01-01T00:00:00Z")
          .put("goVersion", "go1.23").put("compiler", "gc").put("platform", "linux/amd64");
    }
    if (p.equals("/api")) {
      ObjectNode n = JSON.createObjectNode().put("kind", "APIVersions");
      n.putArray("versions").add("v1");
      n.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", "127.0.0.1");
      return n;
    }
    if (p.equals("/apis")) {
      ObjectNode n = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
      ArrayNode groups = n.putArray("groups");
      groups().forEach((group, versions) -> groups.add(group(group, versions)));
      return n;
    }
    if (p.equals("/openapi/v3")) {
      ObjectNode n = JSON.createObjectNode();
      ObjectNode paths = n.putObject("paths");
      paths.putObject("api/v1").put("serverRelativeURL", "/openapi/v3/api/v1?hash=" + hash("api/v1"));
      groups().forEach((group, versions) -> versions.forEach(v -> paths.putObject("apis/" + group + "/" + v)
          .put("serverRelativeURL", "/openapi/v3/apis/" + group + "/" + v + "?hash=" + hash(group + "/" + v))));
      return n;
    }
    if (p.startsWith("/openapi/v3/")) {
      String gv = p.substring("/openapi/v3/".length());
      String groupVersion = gv.equals("api/v1") ? "v1" : gv.startsWith("apis/") ? gv.substring("apis/".length()) : null;
      List<Resource> of = resources.stream().filter(r -> r.groupVersion().equals(groupVersion)).toList();
      return of.isEmpty() ? null : OpenApiDocument.of(of);
    }
    if (p.equals("/api/v1")) {
      return resourceList("v1");
    }
    if (p.startsWith("/apis/")) {
      String[] parts = p.substring("/apis/".length()).split("/");
      Map<String, List<String>> groups = groups();
      if (parts.length == 1 && groups.containsKey(parts[0])) {
        return group(parts[0], groups.get(parts[0])).put("kind", "APIGroup").put("apiVersion", "v1");
      }
      if (parts.length == 2 && groups.containsKey(parts[0]) && groups.get(parts[0]).contains(parts[1])) {
        return resourceList(parts[0] + "/" + parts[1]);
      }
    }
    return null;
  }

  private String hash(String what) {
    // Changes with the served resources, so kubectl's cache of these documents never goes stale.
    return Integer.toHexString((what + resources).hashCode());
  }

  private Map<String, List<String>> groups() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Resource r : resources) {
      if (!r.group().isEmpty()) {
        List<String> versions = out.computeIfAbsent(r.group(), g -> new ArrayList<>());
        if (!versions.contains(r.version())) {
          versions.add(r.version());
        }
      }
    }
    return out;
  }

  private static ObjectNode group(String name, List<String> versions) {
    ObjectNode g = JSON.createObjectNode().put("name", name);
    ArrayNode vs = g.putArray("versions");
    versions.forEach(v -> vs.addObject().put("groupVersion", name + "/" + v).put("version", v));
    g.putObject("preferredVersion").put("groupVersion", name + "/" + versions.get(0)).put("version", versions.get(0));
    return g;
  }

  private ObjectNode resourceList(String groupVersion) {
    ObjectNode n = JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", groupVersion);
    ArrayNode list = n.putArray("resources");
    for (Resource r : resources) {
      if (!r.groupVersion().equals(groupVersion)) {
        continue;
      }
      ObjectNode o = list.addObject().put("name", r.plural()).put("singularName", r.singular()).put("namespaced", r.namespaced()).put("kind", r.kind());
      VERBS.forEach(o.putArray("verbs")::add);
      if (!r.shortNames().isEmpty()) {
        r.shortNames().forEach(o.putArray("shortNames")::add);
      }
      if (!r.categories().isEmpty()) {
        r.categories().forEach(o.putArray("categories")::add);
      }
      o.put("storageVersionHash", Integer.toHexString(r.kind().hashCode()));
      boolean status = r.crd() != null && r.crd().getSpec().getVersions().stream()
          .anyMatch(v -> v.getName().equals(r.version()) && v.getSubresources() != null && v.getSubresources().getStatus() != null);
      if (status) {
        ObjectNode s = list.addObject().put("name", r.plural() + "/status").put("singularName", "").put("namespaced", r.namespaced()).put("kind", r.kind());
        List.of("get", "patch", "update").forEach(s.putArray("verbs")::add);
      }
      if (r.plural().equals("serviceaccounts")) {
        ObjectNode t = list.addObject().put("name", "serviceaccounts/token").put("singularName", "").put("namespaced", true)
            .put("group", "authentication.k8s.io").put("version", "v1").put("kind", "TokenRequest");
        t.putArray("verbs").add("create");
      }
    }
    return n;
  }
}
