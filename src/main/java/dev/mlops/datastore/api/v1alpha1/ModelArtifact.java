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
 * A model artifact in S3 (a Python model file for Robust Intelligence, a custom-model folder for
 * DataRobot) read with the identity of an AwsIntegration; the operator checks it exists, is
 * readable and has the shape its platform loads. Named ModelArtifact, not Model, so as not to
 * clash with other operators' Model kinds.
 *
 * <p>The status defaults to {@code observedGeneration: -1}, as Dataset's does (see there).
 */
@Group(AwsIntegration.GROUP)
@Version(AwsIntegration.VERSION)
@ShortNames("mla")
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
@AdditionalPrinterColumn(
    name = "Platform",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1,
    jsonPath = ".status.platform")
@SchemaCustomizer(
    value = SchemaMergePatch.class,
    input = "{\"description\":\"ModelArtifact is a model in S3 (a Python model file for Robust Intelligence, a custom-model folder for DataRobot), read with the identity of an AwsIntegration; the operator checks that it exists, is readable and has the shape its platform loads.\",\"properties\":{\"status\":{\"default\":{\"observedGeneration\":-1}}}}")
public class ModelArtifact extends CustomResource<ModelArtifactSpec, ModelArtifactStatus> implements Namespaced {}
