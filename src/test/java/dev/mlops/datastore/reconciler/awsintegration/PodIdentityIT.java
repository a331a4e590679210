package dev.mlops.datastore.reconciler.awsintegration;

import static dev.mlops.datastore.testing.Resources.ACCOUNT;
import static dev.mlops.datastore.testing.Resources.BUCKET;
import static dev.mlops.datastore.testing.Resources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlops.datastore.OperatorConfig;
import dev.mlops.datastore.api.v1alpha1.Auth;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationSpec;
import dev.mlops.datastore.api.v1alpha1.Condition;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.PodIdentityAuth;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.api.v1alpha1.ServiceAccountStatus;
import dev.mlops.datastore.reconciler.Conditions;
import dev.mlops.datastore.sandbox.aws.AwsWorld;
import dev.mlops.datastore.testing.MockCluster;
import dev.mlops.datastore.testing.Resources;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * EKS Pod Identity end to end: the real operator; the mock API server minting TokenRequest tokens
 * signed by the cluster's key; the sandbox's EKS (associations, DescribeCluster) and EKS Auth
 * (AssumeRoleForPodIdentity, verifying the token and the role's trust policy with its own
 * matcher and the session tags); IAM for the trust policy; S3 behind the authorizing front. Calls
 * are counted at the emulators.
 */
class PodIdentityIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CLUSTER = "ml-prod";
  private static final String CLUSTER_ARN = "arn:aws:eks:us-east-1:" + ACCOUNT + ":cluster/" + CLUSTER;
  private static final String ROLE = "arn:aws:iam::" + ACCOUNT + ":role/rime-s3-pod";
  private static final String OTHER_ROLE = "arn:aws:iam::" + ACCOUNT + ":role/someone-else";
  private static final String TARGET_ROLE = "arn:aws:iam::444455556666:role/data-account-reader";

  private MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    world().eksCluster(CLUSTER, CLUSTER_ARN, cluster.tokens());
    cluster.aws().bucket(BUCKET, ACCOUNT, "us-east-1");
    cluster.aws().s3().putObject(BUCKET, "data/fraud_ref.csv", "id,amount,label\n1,9.5,0\n".getBytes(StandardCharsets.UTF_8));
    cluster.startOperator(Clock.systemUTC(), Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER,
        OperatorConfig.EKS_CLUSTER_NAME, CLUSTER));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private AwsWorld world() {
    return cluster.aws().world();
  }

  /** A Pod Identity trust policy, with these extra conditions (JSON members, may be empty). */
  private static String podIdentityPolicy(String conditions) {
    return """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]%s}]}"""
        .formatted(conditions.isEmpty() ? "" : ", \"Condition\": {" + conditions + "}");
  }

  private static final String NAMESPACE_SCOPED =
      "\"StringEquals\": {\"aws:RequestTag/kubernetes-namespace\": \"" + NAMESPACE + "\", \"aws:RequestTag/eks-cluster-arn\": \"" + CLUSTER_ARN + "\"}";

  private void role(String arn, String policy) {
    world().roleTrustedByPolicy(arn, policy);
    world().grant(arn, BUCKET, "", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
  }

  private void serviceAccounts(String... names) {
    for (String name : names) {
      cluster.client().resource(Resources.serviceAccount(name)).create();
    }
  }

  private static AwsIntegration integration(String name, boolean manage, String... serviceAccounts) {
    PodIdentityAuth pod = new PodIdentityAuth();
    pod.setRoleArn(ROLE);
    pod.setManageAssociations(manage);
    Auth auth = new Auth();
    auth.setPodIdentity(pod);
    AwsIntegrationSpec spec = new AwsIntegrationSpec();
    spec.setPlatform(Platform.Custom);
    spec.setServiceAccounts(List.of(serviceAccounts));
    spec.setBucket(BUCKET);
    spec.setAuth(auth);
    spec.setCheckInterval("10m");
    AwsIntegration ai = new AwsIntegration();
    ai.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    ai.setSpec(spec);
    return ai;
  }

  @Test
  void shouldProveAPodIdentityIntegrationEndToEndAndServeItsDatasets() {
    role(ROLE, podIdentityPolicy(NAMESPACE_SCOPED));
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "reader", ROLE);
    serviceAccounts("reader");

    cluster.client().resource(integration("fraud", false, "reader")).create();
    awaitCondition("fraud", Conditions.READY, c -> c.getStatus().equals("True"));
    AwsIntegration ai = get("fraud");

    assertThat(condition(ai, PodIdentityChecker.POD_IDENTITY_ASSOCIATED).getReason()).isEqualTo("Associated");
    assertThat(condition(ai, TrustChecker.TRUST_POLICY_VALID).getReason()).isEqualTo("TrustPolicyAllows");
    assertThat(condition(ai, LiveChecker.CREDENTIALS_VERIFIED).getMessage()).contains("EKS Auth");
    assertThat(condition(ai, AwsIntegrationStatusFactory.SERVICE_ACCOUNTS_ANNOTATED).getReason()).isEqualTo("NotRequired");
    assertThat(ai.getStatus().getIdentity().getArn()).startsWith("arn:aws:sts::" + ACCOUNT + ":assumed-role/rime-s3-pod/");
    assertThat(ai.getStatus().getEksClusterArn()).isEqualTo(CLUSTER_ARN);
    ServiceAccountStatus row = ai.getStatus().getServiceAccounts().get(0);
    assertThat(row.getAssociationId()).isNotBlank();
    assertThat(row.getAssociatedRoleArn()).isEqualTo(ROLE);
    assertThat(row.getTrust()).isEqualTo("Allowed");
    assertThat(row.getLive()).isEqualTo("Verified");
    assertThat(row.getAnnotated()).isNull();
    assertThat(cluster.client().serviceAccounts().inNamespace(NAMESPACE).withName("reader").get().getMetadata().getAnnotations())
        .doesNotContainKey(IrsaAnnotations.ROLE_ARN);
    assertThat(cluster.aws().eksCalls()).containsExactly("eks:DescribeCluster", "eks:ListPodIdentityAssociations",
        "eks:DescribePodIdentityAssociation", "eks-auth:AssumeRoleForPodIdentity");
    assertThat(cluster.aws().iamSts().calls()).containsExactly("iam:GetRole");

    // A Dataset reads with the Pod Identity session of its integration.
    cluster.client().resource(Resources.dataset("ref", "fraud")).create();
    await().atMost(WAIT).untilAsserted(() -> {
      Dataset ds = cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).withName("ref").get();
      assertThat(ds.getStatus()).isNotNull();
      assertThat(Conditions.isTrue(ds.getStatus().getConditions(), Conditions.READY)).as("Dataset Ready: %s", ds.getStatus().getConditions()).isTrue();
    });
    assertThat(cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).withName("ref").get().getStatus().getColumns())
        .containsExactly("id", "amount", "label");
  }

  @Test
  void shouldRenewADatasetsPodIdentitySessionThroughEksAuthAfterARestart() {
    role(ROLE, podIdentityPolicy(NAMESPACE_SCOPED));
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "reader", ROLE);
    serviceAccounts("reader");
    cluster.client().resource(integration("fraud", false, "reader")).create();
    awaitCondition("fraud", Conditions.READY, c -> c.getStatus().equals("True"));

    // A new process holds no session: the integration is not due, so its Datasets renew one.
    cluster.stopOperator();
    cluster.startOperator(Clock.systemUTC(), Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER, OperatorConfig.EKS_CLUSTER_NAME, CLUSTER));
    cluster.client().resource(Resources.dataset("ref", "fraud")).create();

    await().atMost(WAIT).untilAsserted(() -> {
      Dataset ds = cluster.client().resources(Dataset.class).inNamespace(NAMESPACE).withName("ref").get();
      assertThat(ds.getStatus()).isNotNull();
      assertThat(Conditions.isTrue(ds.getStatus().getConditions(), Conditions.READY)).as("Dataset Ready: %s", ds.getStatus().getConditions()).isTrue();
    });
    assertThat(cluster.aws().eksCalls()).filteredOn(c -> c.equals("eks-auth:AssumeRoleForPodIdentity")).hasSize(2);
    assertThat(cluster.aws().eksCalls()).filteredOn(c -> c.startsWith("eks:")).hasSize(3); // the first check only
  }

  @Test
  void shouldReportAMissingAssociationAndWhatEksAuthSays() {
    role(ROLE, podIdentityPolicy(NAMESPACE_SCOPED));
    serviceAccounts("reader");

    cluster.client().resource(integration("fraud", false, "reader")).create();
    Condition associated = awaitCondition("fraud", PodIdentityChecker.POD_IDENTITY_ASSOCIATED, c -> c.getStatus().equals("False"));
    assertThat(associated.getReason()).isEqualTo(PodIdentityChecker.ASSOCIATION_MISSING);
    assertThat(associated.getMessage()).contains("aws eks create-pod-identity-association --cluster-name ml-prod --namespace ml"
        + " --service-account reader --role-arn " + ROLE);
    AwsIntegration ai = awaitCondition("fraud", LiveChecker.CREDENTIALS_VERIFIED, c -> c.getStatus().equals("False")) == null ? null : get("fraud");
    assertThat(condition(ai, LiveChecker.CREDENTIALS_VERIFIED).getReason()).isEqualTo("PodIdentityAssociationNotFound");
    assertThat(condition(ai, Conditions.READY).getReason()).isEqualTo(PodIdentityChecker.ASSOCIATION_MISSING);
  }

  @Test
  void shouldReportAnAssociationToAnotherRole() {
    role(ROLE, podIdentityPolicy(NAMESPACE_SCOPED));
    role(OTHER_ROLE, podIdentityPolicy(""));
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "reader", OTHER_ROLE);
    serviceAccounts("reader");

    cluster.client().resource(integration("fraud", false, "reader")).create();
    Condition associated = awaitCondition("fraud", PodIdentityChecker.POD_IDENTITY_ASSOCIATED, c -> c.getStatus().equals("False"));
    assertThat(associated.getReason()).isEqualTo(PodIdentityChecker.ASSOCIATED_WITH_OTHER_ROLE);
    assertThat(associated.getMessage()).contains(OTHER_ROLE);
    AwsIntegration ai = await().atMost(WAIT).until(() -> get("fraud"),
        a -> condition(a, LiveChecker.CREDENTIALS_VERIFIED) != null && !condition(a, LiveChecker.CREDENTIALS_VERIFIED).getStatus().equals("Unknown"));
    assertThat(condition(ai, LiveChecker.CREDENTIALS_VERIFIED).getReason()).isEqualTo("PodIdentityOtherRole");
    assertThat(ai.getStatus().getServiceAccounts().get(0).getAssociatedRoleArn()).isEqualTo(OTHER_ROLE);
  }

  @Test
  void shouldAcceptACrossAccountAssociationWhoseTargetIsTheRole() {
    String first = "arn:aws:iam::" + ACCOUNT + ":role/pod-identity-hop";
    world().roleTrustedByPolicy(first, podIdentityPolicy(NAMESPACE_SCOPED));
    world().roleTrustedByPolicy(TARGET_ROLE, """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "%s"},
          "Action": ["sts:AssumeRole", "sts:TagSession"]}]}""".formatted(first));
    world().grant(TARGET_ROLE, BUCKET, "", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "reader", first, TARGET_ROLE, false, Map.of());
    serviceAccounts("reader");
    AwsIntegration spec = integration("fraud", false, "reader");
    spec.getSpec().getAuth().getPodIdentity().setRoleArn(TARGET_ROLE);

    cluster.client().resource(spec).create();
    awaitCondition("fraud", Conditions.READY, c -> c.getStatus().equals("True"));
    AwsIntegration ai = get("fraud");

    assertThat(condition(ai, PodIdentityChecker.POD_IDENTITY_ASSOCIATED).getMessage())
        .contains("across accounts through targetRoleArn").contains("proven live, not evaluated");
    assertThat(condition(ai, TrustChecker.TRUST_POLICY_VALID).getMessage()).contains(first);
    ServiceAccountStatus row = ai.getStatus().getServiceAccounts().get(0);
    assertThat(row.getAssociatedRoleArn()).isEqualTo(first);
    assertThat(row.getTargetRoleArn()).isEqualTo(TARGET_ROLE);
    assertThat(ai.getStatus().getIdentity().getArn()).startsWith("arn:aws:sts::444455556666:assumed-role/data-account-reader/");
  }

  @Test
  void shouldSayThatAnIrsaTrustPolicyDoesNotWorkForPodIdentity() {
    role(ROLE, Resources.trustPolicyForNamespace(NAMESPACE));
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "reader", ROLE);
    serviceAccounts("reader");

    cluster.client().resource(integration("fraud", false, "reader")).create();
    Condition trust = awaitCondition("fraud", TrustChecker.TRUST_POLICY_VALID, c -> c.getStatus().equals("False"));
    assertThat(trust.getReason()).isEqualTo(TrustChecker.IRSA_TRUST_POLICY);
    assertThat(trust.getMessage()).contains("written for IRSA").contains("pods.eks.amazonaws.com");
    assertThat(get("fraud").getStatus().getTrust().getSuggestedPolicy()).contains("pods.eks.amazonaws.com")
        .contains("aws:RequestTag/kubernetes-service-account");
    AwsIntegration ai = await().atMost(WAIT).until(() -> get("fraud"),
        a -> condition(a, LiveChecker.CREDENTIALS_VERIFIED) != null && condition(a, LiveChecker.CREDENTIALS_VERIFIED).getStatus().equals("False"));
    assertThat(condition(ai, LiveChecker.CREDENTIALS_VERIFIED).getReason()).isEqualTo("PodIdentityAccessDenied");
    assertThat(ai.getStatus().getServiceAccounts().get(0).getReasons()).contains("IrsaTrustPolicy");
  }

  @Test
  void shouldAdmitOnlyTheServiceAccountTheSessionTagConditionNames() {
    role(ROLE, podIdentityPolicy("\"StringEquals\": {\"aws:RequestTag/kubernetes-service-account\": \"reader\"}"));
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "reader", ROLE);
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "intruder", ROLE);
    serviceAccounts("reader", "intruder");

    cluster.client().resource(integration("fraud", false, "reader", "intruder")).create();
    Condition trust = awaitCondition("fraud", TrustChecker.TRUST_POLICY_VALID, c -> c.getStatus().equals("False"));
    assertThat(trust.getReason()).isEqualTo("TrustPolicyDenies");
    assertThat(trust.getMessage()).contains("intruder").doesNotContain("reader (role");
    AwsIntegration ai = await().atMost(WAIT).until(() -> get("fraud"),
        a -> condition(a, LiveChecker.CREDENTIALS_VERIFIED) != null && condition(a, LiveChecker.CREDENTIALS_VERIFIED).getStatus().equals("False"));
    Map<String, String> live = liveBySa(ai);
    assertThat(live).containsEntry("reader", "Verified").containsEntry("intruder", "Denied");
    assertThat(condition(ai, LiveChecker.CREDENTIALS_VERIFIED).getReason()).isEqualTo("PodIdentityAccessDenied");
  }

  @Test
  void shouldReportSessionTagsDisabledWhenTheTrustPolicyConditionsOnThem() {
    role(ROLE, podIdentityPolicy(NAMESPACE_SCOPED));
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "reader", ROLE, null, true, Map.of());
    serviceAccounts("reader");

    cluster.client().resource(integration("fraud", false, "reader")).create();
    Condition associated = awaitCondition("fraud", PodIdentityChecker.POD_IDENTITY_ASSOCIATED, c -> c.getStatus().equals("False"));
    assertThat(associated.getReason()).isEqualTo(PodIdentityChecker.SESSION_TAGS_DISABLED);
    assertThat(associated.getMessage()).contains("--no-disable-session-tags");
    assertThat(get("fraud").getStatus().getServiceAccounts().get(0).getDisableSessionTags()).isTrue();
  }

  @Test
  void shouldWarnThatTheIrsaAnnotationWinsWhenBothAreConfigured() {
    role(ROLE, podIdentityPolicy(NAMESPACE_SCOPED));
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "reader", ROLE);
    cluster.client().resource(Resources.serviceAccount("reader", Map.of(IrsaAnnotations.ROLE_ARN, OTHER_ROLE))).create();

    cluster.client().resource(integration("fraud", false, "reader")).create();
    awaitCondition("fraud", Conditions.READY, c -> c.getStatus().equals("True"));
    AwsIntegration ai = get("fraud");

    ServiceAccountStatus row = ai.getStatus().getServiceAccounts().get(0);
    assertThat(row.getWarnings()).contains(PodIdentityChecker.IRSA_TAKES_PRECEDENCE);
    assertThat(row.getMessage()).contains("web identity token (IRSA) before");
    assertThat(condition(ai, PodIdentityChecker.POD_IDENTITY_ASSOCIATED).getMessage()).contains("warning: reader also carries the IRSA annotation");
    // Not this integration's annotation: it is left alone.
    assertThat(cluster.client().serviceAccounts().inNamespace(NAMESPACE).withName("reader").get().getMetadata().getAnnotations())
        .containsEntry(IrsaAnnotations.ROLE_ARN, OTHER_ROLE);
  }

  @Test
  void shouldWarnAtOnceWhenAnIrsaAnnotationIsAddedLater() {
    role(ROLE, podIdentityPolicy(NAMESPACE_SCOPED));
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "reader", ROLE);
    serviceAccounts("reader");
    cluster.client().resource(integration("fraud", false, "reader")).create();
    awaitCondition("fraud", Conditions.READY, c -> c.getStatus().equals("True"));
    assertThat(get("fraud").getStatus().getServiceAccounts().get(0).getWarnings()).isNull();

    cluster.client().serviceAccounts().inNamespace(NAMESPACE).withName("reader")
        .edit(sa -> { sa.getMetadata().setAnnotations(Map.of(IrsaAnnotations.ROLE_ARN, OTHER_ROLE)); return sa; });

    await().atMost(WAIT).until(() -> get("fraud").getStatus().getServiceAccounts().get(0).getWarnings() != null);
    assertThat(get("fraud").getStatus().getServiceAccounts().get(0).getWarnings()).containsExactly(PodIdentityChecker.IRSA_TAKES_PRECEDENCE);
  }

  @Test
  void shouldCreateAndDeleteOnlyTheAssociationsItOwns() {
    role(ROLE, podIdentityPolicy(NAMESPACE_SCOPED));
    role(OTHER_ROLE, podIdentityPolicy(""));
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "theirs", OTHER_ROLE);
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "unrelated", OTHER_ROLE);
    serviceAccounts("reader", "writer", "theirs");

    cluster.client().resource(integration("fraud", true, "reader", "writer", "theirs")).create();
    Condition associated = awaitCondition("fraud", PodIdentityChecker.POD_IDENTITY_ASSOCIATED, c -> c.getStatus().equals("False"));
    assertThat(associated.getReason()).isEqualTo(PodIdentityChecker.ASSOCIATION_NOT_OWNED);
    assertThat(associated.getMessage()).contains("theirs").contains("left as is");
    AwsIntegration ai = get("fraud");
    assertThat(condition(ai, Conditions.STALLED).getReason()).isEqualTo(PodIdentityChecker.ASSOCIATION_NOT_OWNED);
    String owner = NAMESPACE + "/fraud/" + ai.getMetadata().getUid();
    assertThat(associationsOf("reader")).singleElement().satisfies(a -> {
      assertThat(a.roleArn()).isEqualTo(ROLE);
      assertThat(a.tags()).containsEntry(PodIdentityChecker.OWNER_TAG, owner);
    });
    assertThat(associationsOf("writer")).singleElement().satisfies(a -> assertThat(a.roleArn()).isEqualTo(ROLE));
    assertThat(associationsOf("theirs")).singleElement().satisfies(a -> assertThat(a.roleArn()).isEqualTo(OTHER_ROLE));
    assertThat(cluster.aws().eksCalls()).filteredOn(c -> c.equals("eks:CreatePodIdentityAssociation")).hasSize(2);
    assertThat(cluster.aws().eksCalls()).doesNotContain("eks:UpdatePodIdentityAssociation");

    // "writer" leaves the spec: its association goes; "theirs" leaves too, and its association stays.
    AwsIntegration edited = get("fraud");
    edited.getSpec().setServiceAccounts(List.of("reader"));
    cluster.client().resource(edited).update();
    await().atMost(WAIT).until(() -> associationsOf("writer").isEmpty());
    awaitCondition("fraud", Conditions.READY, c -> c.getStatus().equals("True"));
    assertThat(associationsOf("theirs")).hasSize(1);

    cluster.client().resource(get("fraud")).delete();
    await().atMost(WAIT).until(() -> associationsOf("reader").isEmpty());
    await().atMost(WAIT).until(() -> cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName("fraud").get() == null);
    assertThat(world().podIdentityAssociations()).extracting(AwsWorld.PodIdentityAssociation::serviceAccount)
        .containsExactlyInAnyOrder("theirs", "unrelated");
    assertThat(cluster.aws().eksCalls()).filteredOn(c -> c.equals("eks:DeletePodIdentityAssociation")).hasSize(2);
  }

  @Test
  void shouldDeleteItsAssociationsWhenItStopsManagingThem() {
    role(ROLE, podIdentityPolicy(NAMESPACE_SCOPED));
    serviceAccounts("reader");
    cluster.client().resource(integration("fraud", true, "reader")).create();
    awaitCondition("fraud", Conditions.READY, c -> c.getStatus().equals("True"));
    assertThat(get("fraud").getStatus().getServiceAccounts().get(0).getAssociationManaged()).isTrue();

    AwsIntegration edited = get("fraud");
    edited.getSpec().getAuth().getPodIdentity().setManageAssociations(false);
    cluster.client().resource(edited).update();

    await().atMost(WAIT).until(() -> associationsOf("reader").isEmpty());
    Condition associated = awaitCondition("fraud", PodIdentityChecker.POD_IDENTITY_ASSOCIATED,
        c -> Long.valueOf(2).equals(c.getObservedGeneration()));
    assertThat(associated.getReason()).isEqualTo(PodIdentityChecker.ASSOCIATION_MISSING);
  }

  @Test
  void shouldRetryAsThrottledWhileEksAuthThrottles() {
    role(ROLE, podIdentityPolicy(NAMESPACE_SCOPED));
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "reader", ROLE);
    serviceAccounts("reader");
    world().failNext("eks-auth", "AssumeRoleForPodIdentity", 2, 429, "ThrottlingException");

    cluster.client().resource(integration("fraud", false, "reader")).create();
    Condition reconciling = awaitCondition("fraud", Conditions.RECONCILING, c -> c.getStatus().equals("True"));
    assertThat(reconciling.getReason()).isEqualTo("AwsThrottled");
    assertThat(reconciling.getMessage()).contains("eks-auth:AssumeRoleForPodIdentity").contains("ThrottlingException");

    awaitCondition("fraud", Conditions.READY, c -> c.getStatus().equals("True"));
    assertThat(condition(get("fraud"), Conditions.RECONCILING)).isNull();
  }

  @Test
  void shouldReleaseItsIrsaAnnotationsWhenSwitchedToPodIdentity() {
    Resources.knownRole(cluster);
    role(ROLE, podIdentityPolicy(NAMESPACE_SCOPED));
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "reader", ROLE);
    serviceAccounts("reader");
    cluster.client().resource(Resources.irsaIntegration("fraud", Platform.Custom, "reader")).create();
    await().atMost(WAIT).until(() -> cluster.client().serviceAccounts().inNamespace(NAMESPACE).withName("reader").get()
        .getMetadata().getAnnotations().containsKey(IrsaAnnotations.ROLE_ARN));

    AwsIntegration switched = get("fraud");
    switched.getSpec().getAuth().setIrsa(null);
    switched.getSpec().getAuth().setPodIdentity(integration("x", false).getSpec().getAuth().getPodIdentity());
    cluster.client().resource(switched).update();

    await().atMost(WAIT).until(() -> !cluster.client().serviceAccounts().inNamespace(NAMESPACE).withName("reader").get()
        .getMetadata().getAnnotations().containsKey(IrsaAnnotations.ROLE_ARN));
    awaitCondition("fraud", Conditions.READY, c -> c.getStatus().equals("True") && Long.valueOf(2).equals(c.getObservedGeneration()));
    assertThat(get("fraud").getStatus().getServiceAccounts().get(0).getWarnings()).isNull();
  }

  @Test
  void shouldNameTheEksPermissionsTheOperatorLacksAndStillProveTheRest() {
    role(ROLE, podIdentityPolicy(NAMESPACE_SCOPED));
    world().podIdentityAssociation(CLUSTER, NAMESPACE, "reader", ROLE);
    world().denyEks("ListPodIdentityAssociations");
    serviceAccounts("reader");

    cluster.client().resource(integration("fraud", false, "reader")).create();
    Condition associated = awaitCondition("fraud", PodIdentityChecker.POD_IDENTITY_ASSOCIATED, c -> c.getStatus().equals("Unknown"));
    assertThat(associated.getReason()).isEqualTo(PodIdentityChecker.EKS_READ_DENIED);
    assertThat(associated.getMessage()).contains("eks:ListPodIdentityAssociations and eks:DescribePodIdentityAssociation");
    AwsIntegration ai = awaitCondition("fraud", Conditions.READY, c -> c.getStatus().equals("True")) == null ? null : get("fraud");
    assertThat(condition(ai, Conditions.READY).getMessage()).contains("not verified: PodIdentityAssociated (EksReadDenied)");
    assertThat(condition(ai, LiveChecker.CREDENTIALS_VERIFIED).getStatus()).isEqualTo("True");
  }

  @Test
  void shouldStallWhenNoClusterIsNamedAnywhere() {
    cluster.stopOperator();
    cluster.startOperator(Clock.systemUTC(), Map.of(OperatorConfig.OIDC_ISSUER, MockCluster.ISSUER));
    serviceAccounts("reader");

    cluster.client().resource(integration("fraud", false, "reader")).create();
    Condition stalled = awaitCondition("fraud", Conditions.STALLED, c -> c.getStatus().equals("True"));
    assertThat(stalled.getReason()).isEqualTo("InvalidSpec");
    assertThat(stalled.getMessage()).contains("spec.auth.podIdentity.clusterName").contains("eks.clusterName");
    assertThat(cluster.aws().eksCalls()).isEmpty();
  }

  private List<AwsWorld.PodIdentityAssociation> associationsOf(String serviceAccount) {
    return world().podIdentityAssociations().stream().filter(a -> a.serviceAccount().equals(serviceAccount)).toList();
  }

  private static Map<String, String> liveBySa(AwsIntegration ai) {
    return ai.getStatus().getServiceAccounts().stream().collect(java.util.stream.Collectors.toMap(ServiceAccountStatus::getName,
        s -> String.valueOf(s.getLive())));
  }

  private AwsIntegration get(String name) {
    return cluster.client().resources(AwsIntegration.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private static Condition condition(AwsIntegration ai, String type) {
    if (ai == null || ai.getStatus() == null) {
      return null;
    }
    return Conditions.find(ai.getStatus().getConditions(), type).orElse(null);
  }

  private Condition awaitCondition(String name, String type, Predicate<Condition> test) {
    return await().atMost(WAIT).until(() -> Optional.ofNullable(condition(get(name), type)).filter(test).orElse(null),
        c -> c != null);
  }
}
