package dev.mlops.datastore.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Connects the service accounts of an ML platform to one S3 bucket and proves each link of that
 * connection: annotation, trust policy, live credentials, bucket access.
 *
 * <p>The status defaults to {@code observedGeneration: -1}, as Flux's do: the API server applies
 * schema defaults also when it reads an object from etcd, so a new object (whose status the create
 * dropped) reads as not yet observed, kstatus InProgress, until the operator writes its status.
 */
@Group(AwsIntegration.GROUP)
@Version(AwsIntegration.VERSION)
@ShortNames("awsi")
@Categories("datastore")
// Printer columns, in the order Ready, Reason, Bucket, Age (Message with -o wide). fabric8's generator
// orders columns by jsonPath, so the paths are written to sort in that order and select the same
// values: "..conditions" and "..spec" (each appears once in the object), and a space in Ready's filter.
@AdditionalPrinterColumn(
    name = "Ready",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = "..conditions[?(@.type == \"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Reason",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = "..conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(
    name = "Bucket",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = "..spec.bucket")
@AdditionalPrinterColumn(
    name = "Age",
    type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
@AdditionalPrinterColumn(
    name = "Message",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].message")
@SchemaCustomizer(
    value = SchemaMergePatch.class,
    input = "{\"description\":\"AwsIntegration connects the service accounts of an ML platform (Robust Intelligence, DataRobot) to one S3 bucket, with an access key in a Secret or an IAM role through IRSA, and proves each link of that connection in status.conditions: service accounts annotated, trust policy, live credentials, bucket access.\",\"properties\":{\"status\":{\"default\":{\"observedGeneration\":-1}}}}")
public class AwsIntegration extends CustomResource<AwsIntegrationSpec, AwsIntegrationStatus>
    implements Namespaced {
  public static final String GROUP = "datastore.mlops.dev";
  public static final String VERSION = "v1alpha1";
}
