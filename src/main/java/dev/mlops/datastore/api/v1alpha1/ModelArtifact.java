package dev.mlops.datastore.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
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
@AdditionalPrinterColumn(
    name = "Ready",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Reason",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(
    name = "Platform",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.platform")
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
public class ModelArtifact extends CustomResource<ModelArtifactSpec, ModelArtifactStatus> implements Namespaced {}
