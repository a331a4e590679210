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
 * A dataset in S3 (one object, or a Delta Lake table folder) read with the identity of an
 * AwsIntegration; the operator checks it exists, is readable, matches its type and has the
 * columns its data params name.
 *
 * <p>The status defaults to {@code observedGeneration: -1}, as Flux's do: the API server applies
 * schema defaults also when it reads an object from etcd, so a new object (whose status the create
 * dropped) reads as not yet observed, kstatus InProgress, until the operator writes its status.
 */
@Group(AwsIntegration.GROUP)
@Version(AwsIntegration.VERSION)
@ShortNames("ds")
@Categories("datastore")
// Printer columns, in the order Ready, Reason, Path, Age (Message with -o wide). fabric8's generator
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
    name = "Path",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = "..spec.path")
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
    input = "{\"description\":\"Dataset is one object or Delta Lake table in S3, read with the identity of an AwsIntegration; the operator checks that it exists, is readable, has the format its content shows and the columns its dataParams name, and writes what it found to status.\",\"properties\":{\"status\":{\"default\":{\"observedGeneration\":-1}}}}")
public class Dataset extends CustomResource<DatasetSpec, DatasetStatus> implements Namespaced {}
