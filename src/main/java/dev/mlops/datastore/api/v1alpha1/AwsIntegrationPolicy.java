package dev.mlops.datastore.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A cluster admin's guardrail: which namespaces may use which IAM roles, buckets and auth modes, and
 * whether they may ask for ReadWrite probes. An AwsIntegration is admitted when some policy
 * selecting its namespace admits it on every field; see docs/policy.md for how policies combine.
 *
 * <p>Cluster-scoped: fabric8 makes a custom resource cluster-scoped when its class does not
 * implement {@code Namespaced} (there is no scope annotation in 7.5.2).
 */
@Group(AwsIntegration.GROUP)
@Version(AwsIntegration.VERSION)
@ShortNames("awsip")
@AdditionalPrinterColumn(
    name = "Ready",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Reason",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(
    name = "Age",
    type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
@SchemaCustomizer(
    value = SchemaMergePatch.class,
    input = "{\"required\":[\"spec\"],\"properties\":{\"status\":{\"default\":{\"observedGeneration\":-1}}}}")
public class AwsIntegrationPolicy extends CustomResource<AwsIntegrationPolicySpec, AwsIntegrationPolicyStatus> {}
