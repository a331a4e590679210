package dev.mlops.datastore.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.PrinterColumns;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What {@code kubectl get} shows of our kinds: Ready, Reason, the bucket or path, Age, and the
 * Ready message with {@code -o wide}; {@code kubectl get datastore} lists all three kinds; and
 * {@code kubectl explain KIND} says what the kind is.
 */
class CrdPrinterColumnsTest {
  private static CustomResourceDefinition crd(String kind) {
    return MockCluster.generatedCrds().stream().filter(c -> c.getSpec().getNames().getKind().equals(kind)).findFirst().orElseThrow();
  }

  @ParameterizedTest
  @CsvSource({"AwsIntegration, Bucket", "Dataset, Path", "ModelArtifact, Path"})
  void shouldShowReadyReasonWhereAndAgeFirstAndTheMessageWhenWide(String kind, String where) {
    List<CustomResourceColumnDefinition> columns = crd(kind).getSpec().getVersions().get(0).getAdditionalPrinterColumns();

    assertThat(columns.stream().filter(c -> c.getPriority() == 0).map(CustomResourceColumnDefinition::getName))
        .containsExactly("Ready", "Reason", where, "Age");
    assertThat(columns.stream().filter(c -> c.getPriority() == 1).map(CustomResourceColumnDefinition::getName)).contains("Message");
    assertThat(columns).allSatisfy(c -> assertThat(c.getJsonPath()).as("the API server wants a simple JSONPath").startsWith("."));
  }

  @ParameterizedTest
  @CsvSource({"AwsIntegration, awsi", "Dataset, ds", "ModelArtifact, mla"})
  void shouldBeInTheDatastoreCategoryWithItsShortName(String kind, String shortName) {
    assertThat(crd(kind).getSpec().getNames().getCategories()).containsExactly("datastore");
    assertThat(crd(kind).getSpec().getNames().getShortNames()).containsExactly(shortName);
  }

  @ParameterizedTest
  @CsvSource({"AwsIntegration", "Dataset", "ModelArtifact"})
  void shouldDescribeTheKindAtTheTopOfItsSchema(String kind) {
    String description = crd(kind).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getDescription();

    assertThat(description).startsWith(kind + " ").hasSizeGreaterThan(80);
  }

  @Test
  void shouldSelectTheValuesThePlainPathsWould() throws Exception {
    // The column paths are written to sort in display order ("..spec.bucket", a space in a filter):
    // they must still pick the Ready condition's status and reason and the spec's bucket.
    var integration = Serialization.unmarshal("""
        apiVersion: datastore.mlops.dev/v1alpha1
        kind: AwsIntegration
        metadata: {name: data, namespace: team, creationTimestamp: "2026-01-01T00:00:00Z"}
        spec: {bucket: the-bucket, auth: {irsa: {roleArn: "arn:aws:iam::111122223333:role/r"}}}
        status:
          bucket: {region: us-east-1}
          conditions:
            - {type: CredentialsVerified, status: "True", reason: Verified, message: fine}
            - {type: Ready, status: "False", reason: TrustPolicyDenies, message: the trust policy denies}
        """, dev.mlops.datastore.api.v1alpha1.AwsIntegration.class);

    String table = PrinterColumns.table(crd("AwsIntegration"), List.of(integration));

    assertThat(table.lines().toList()).containsExactly("NAME   READY   REASON              BUCKET       AGE", "data   False   TrustPolicyDenies   the-bucket   1m");
  }
}
