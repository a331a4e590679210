package dev.mlops.datastore.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
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
@AdditionalPrinterColumn(
    name = "Ready",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Reason",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(
    name = "Path",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".spec.path")
@AdditionalPrinterColumn(
    name = "Age",
    type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
@SchemaCustomizer(
    value = SchemaMergePatch.class,
    input = "{\"properties\":{\"status\":{\"default\":{\"observedGeneration\":-1}}}}")
public class Dataset extends CustomResource<DatasetSpec, DatasetStatus> implements Namespaced {}
