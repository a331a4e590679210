package dev.mlops.datastore.reconciler.awsintegration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.aws.EksGateway.Association;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ownership of associations, which roles an association grants, and which sessions are the role's. */
class PodIdentityCheckerTest {
  private static final String UID = "7d1f0c6e-0000-4000-8000-000000000003";

  private static AwsIntegration integration(String namespace, String name, String uid) {
    AwsIntegration ai = new AwsIntegration();
    ai.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withUid(uid).build());
    return ai;
  }

  private static Association tagged(String owner) {
    return new Association("a-1", null, "ml", "reader", "arn:aws:iam::111122223333:role/r", null, false,
        owner == null ? Map.of() : Map.of(PodIdentityChecker.OWNER_TAG, owner));
  }

  @Test
  void shouldOwnOnlyWhatThisVeryIntegrationTagged() {
    AwsIntegration ai = integration("ml", "fraud", UID);
    String owner = PodIdentityChecker.ownerValue(ai);

    assertThat(owner).isEqualTo("ml/fraud/" + UID);
    assertThat(PodIdentityChecker.ownedBy(tagged(owner), ai)).isTrue();
    assertThat(PodIdentityChecker.ownedBy(tagged(null), ai)).isFalse();
    // a namesake re-created after a deletion is another owner
    assertThat(PodIdentityChecker.ownedBy(tagged(owner), integration("ml", "fraud", "7d1f0c6e-0000-4000-8000-00000000ffff"))).isFalse();
    // the same UID claimed from another namespace's tag is not this integration's
    assertThat(PodIdentityChecker.ownedBy(tagged("other/fraud/" + UID), ai)).isFalse();
  }

  @Test
  void shouldKeepTheOwnerTagWithinWhatEksAcceptsForLongNames() {
    AwsIntegration ai = integration("ml", "n".repeat(253), UID);

    String owner = PodIdentityChecker.ownerValue(ai);

    assertThat(owner).hasSizeLessThanOrEqualTo(256).isEqualTo("ml/" + UID);
    assertThat(PodIdentityChecker.ownedBy(tagged(owner), ai)).isTrue();
  }

  @Test
  void shouldGrantTheTargetRoleWhenTheAssociationChains() {
    Association direct = new Association("a", null, "ml", "sa", "arn:aws:iam::111122223333:role/r", null, false, Map.of());
    Association chained = new Association("a", null, "ml", "sa", "arn:aws:iam::111122223333:role/r",
        "arn:aws:iam::444455556666:role/t", false, Map.of());

    assertThat(PodIdentityChecker.grants(direct, "arn:aws:iam::111122223333:role/r")).isTrue();
    assertThat(PodIdentityChecker.grants(chained, "arn:aws:iam::444455556666:role/t")).isTrue();
    // pods of a chained association end up with the target role, not the first one
    assertThat(PodIdentityChecker.grants(chained, "arn:aws:iam::111122223333:role/r")).isFalse();
  }

  @Test
  void shouldTellASessionOfTheRoleFromOneOfANamesakeElsewhere() {
    assertThat(LiveChecker.sameRole("arn:aws:sts::111122223333:assumed-role/reader/eks-ml-prod-x", "arn:aws:iam::111122223333:role/reader")).isTrue();
    assertThat(LiveChecker.sameRole("arn:aws:sts::111122223333:assumed-role/reader/eks-ml-prod-x", "arn:aws:iam::111122223333:role/team/reader")).isTrue();
    assertThat(LiveChecker.sameRole("arn:aws:sts::444455556666:assumed-role/reader/s", "arn:aws:iam::111122223333:role/reader")).isFalse();
    assertThat(LiveChecker.sameRole("arn:aws:sts::111122223333:assumed-role/reader2/s", "arn:aws:iam::111122223333:role/reader")).isFalse();
  }
}
