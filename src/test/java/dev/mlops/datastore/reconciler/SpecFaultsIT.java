package dev.mlops.datastore.reconciler;

import static dev.mlops.datastore.testing.ConditionAssert.assertThatConditions;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.api.v1alpha1.AccessKeyAuth;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.api.v1alpha1.SecretRef;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import dev.mlops.datastore.testing.StatusAwait;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Specs the API server would have refused (admission bypassed, an older CRD, a mock server) or that
 * the schema cannot refuse: each is Stalled within one reconcile with a message naming the field
 * and the form it expects, costs no AWS call and no annotation, and is not retried until the spec
 * changes. Before, they retried forever ("IllegalArgumentException; retrying"), were classed as
 * "cannot reach S3", were silently rewritten, or were silently ignored.
 */
class SpecFaultsIT {
  private MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    Resources.knownRole(cluster);
    cluster.client().resource(Resources.serviceAccount("a")).create();
    cluster.startOperator(Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void shouldStallBothAuthModesBeforeAnyAnnotationOrAwsCallAndRecoverWhenFixed() {
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "a");
    AccessKeyAuth key = new AccessKeyAuth();
    SecretRef ref = new SecretRef();
    ref.setName("aws-creds");
    key.setSecretRef(ref);
    ai.getSpec().getAuth().setAccessKey(key);
    cluster.client().resource(ai).create();

    List<Condition> stalled = awaitStalled(() -> integration("fraud-data"));
    assertThatConditions(stalled).has("Stalled", "True", "InvalidSpec").has("Ready", "False", "InvalidSpec")
        .withMessageContaining("Stalled", "spec.auth: both accessKey and irsa are set");
    assertNothingAskedOfAws();
    ServiceAccount sa = cluster.client().serviceAccounts().inNamespace(NAMESPACE).withName("a").get();
    assertThat(sa.getMetadata().getAnnotations()).as("no annotation before the spec is usable").isNullOrEmpty();

    cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud-data")
        .edit(i -> { i.getSpec().getAuth().setAccessKey(null); return i; });
    await().atMost(Duration.ofSeconds(30)).until(() -> Conditions.isTrue(conditions(integration("fraud-data")), Conditions.READY));
    assertThatConditions(conditions(integration("fraud-data"))).lacks("Stalled");
  }

  @Test
  void shouldStallARoleArnTheCodeCannotUseNamingTheField() {
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "a");
    ai.getSpec().getAuth().getIrsa().setRoleArn("arn:aws:iam::1234:role/x");
    cluster.client().resource(ai).create();

    assertThatConditions(awaitStalled(() -> integration("fraud-data")))
        .withMessageContaining("Stalled", "spec.auth.irsa.roleArn: 'arn:aws:iam::1234:role/x' is not an IAM role ARN: the account '1234' is not 12 digits");
    assertNothingAskedOfAws();
  }

  @Test
  void shouldCheckEveryPartitionTheCrdAdmits() {
    AwsIntegration ai = Resources.irsaIntegration("sovereign", Platform.Custom, "a");
    ai.getSpec().getAuth().getIrsa().setRoleArn("arn:aws-eusc:iam::111122223333:role/x");
    cluster.client().resource(ai).create();

    await().atMost(Duration.ofSeconds(30)).until(() -> Conditions.find(conditions(integration("sovereign")), "TrustPolicyValid").isPresent());
    assertThatConditions(conditions(integration("sovereign"))).lacks("Stalled").lacks("Reconciling");
    assertThat(cluster.aws().iamSts().calls()).anyMatch(c -> c.startsWith("iam:GetRole"));
  }

  @Test
  void shouldStallAnUnparseableCheckIntervalRatherThanIgnoreIt() {
    AwsIntegration ai = Resources.irsaIntegration("fraud-data", Platform.Custom, "a");
    ai.getSpec().setCheckInterval("every day");
    cluster.client().resource(ai).create();

    assertThatConditions(awaitStalled(() -> integration("fraud-data")))
        .withMessageContaining("Stalled", "spec.checkInterval: 'every day' is not a duration such as 90s, 10m or 1h30m");
    assertNothingAskedOfAws();
  }

  @Test
  void shouldStallDatasetPathsThatNameNoObjectOrAreNotS3Urls() {
    cluster.client().resource(Resources.irsaIntegration("fraud-data", Platform.Custom, "a")).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> Conditions.isTrue(conditions(integration("fraud-data")), Conditions.READY));
    cluster.aws().s3().clearCalls();

    Dataset bucketOnly = Resources.dataset("bucket-only", "fraud-data");
    bucketOnly.getSpec().setPath("s3://rime-blob-integration");
    Dataset noScheme = Resources.dataset("no-scheme", "fraud-data");
    noScheme.getSpec().setPath("rime-data/data/x.csv");
    Dataset badInterval = Resources.dataset("bad-interval", "fraud-data");
    badInterval.getSpec().setCheckInterval("soon");
    cluster.client().resource(bucketOnly).create();
    cluster.client().resource(noScheme).create();
    cluster.client().resource(badInterval).create();

    assertThatConditions(awaitStalled(() -> dataset("bucket-only")))
        .withMessageContaining("Stalled", "spec.path: 's3://rime-blob-integration' names a bucket but no object");
    assertThatConditions(awaitStalled(() -> dataset("no-scheme")))
        .withMessageContaining("Stalled", "spec.path: 'rime-data/data/x.csv' is not an s3:// URL; write it as s3://BUCKET/KEY");
    assertThatConditions(awaitStalled(() -> dataset("bad-interval")))
        .withMessageContaining("Stalled", "spec.checkInterval: 'soon' is not a duration");
    assertThat(cluster.aws().s3().calls()).as("no S3 call for a spec that cannot work").isEmpty();
  }

  @Test
  void shouldStallASecretRefNameThatIsNotADnsNameBeforeReadingAnySecret() {
    AwsIntegration ai = Resources.accessKeyIntegration("keyed", Platform.Custom);
    ai.getSpec().getAuth().getAccessKey().getSecretRef().setName("../../kube-system/secrets/x");
    cluster.client().resource(ai).create();

    assertThatConditions(awaitStalled(() -> integration("keyed"))).has("Stalled", "True", "InvalidSpec")
        .withMessageContaining("Stalled", "spec.auth.accessKey.secretRef.name: the name '../../kube-system/secrets/x' is not a DNS-1123 name");
    assertNothingAskedOfAws();
    assertThat(cluster.dispatcher().requests()).noneMatch(r -> r.pathWithoutQuery().contains("/secrets"));
  }

  @Test
  void shouldStallAnIntegrationRefNameThatIsNotADnsName() {
    Dataset ds = Resources.dataset("odd-ref", "Fraud_Data");
    cluster.client().resource(ds).create();

    assertThatConditions(awaitStalled(() -> dataset("odd-ref"))).has("Stalled", "True", "InvalidSpec")
        .withMessageContaining("Stalled", "spec.integrationRef.name: the name 'Fraud_Data' is not a DNS-1123 name");
    assertNothingAskedOfAws();
  }

  private void assertNothingAskedOfAws() {
    assertThat(cluster.aws().iamSts().calls()).isEmpty();
    assertThat(cluster.aws().s3().calls()).isEmpty();
    assertThat(cluster.dispatcher().requests()).noneMatch(r -> r.pathWithoutQuery().contains("/serviceaccounts/") && !r.method().equals("GET"));
  }

  private static List<Condition> awaitStalled(Supplier<? extends HasMetadata> resource) {
    await().atMost(StatusAwait.WAIT).until(() -> Conditions.isTrue(conditions(resource.get()), Conditions.STALLED));
    return conditions(resource.get());
  }

  private static List<Condition> conditions(HasMetadata r) {
    return StatusAwait.conditions(r);
  }

  private AwsIntegration integration(String name) {
    return cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private Dataset dataset(String name) {
    return cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).withName(name).get();
  }
}
