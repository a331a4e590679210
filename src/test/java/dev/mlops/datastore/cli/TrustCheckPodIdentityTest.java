package dev.mlops.datastore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trust-check --mode pod-identity}: the same output and exit codes, judged as EKS Pod Identity. */
class TrustCheckPodIdentityTest {
  private static final String ROLE = "arn:aws:iam::111122223333:role/ml-s3";
  private static final String CLUSTER_ARN = "arn:aws:eks:us-east-1:111122223333:cluster/prod";
  private static final String SCOPED =
      """
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "ml",
          "aws:RequestTag/kubernetes-service-account": "trainer", "aws:RequestTag/eks-cluster-arn": "%s"}}}]}"""
          .formatted(CLUSTER_ARN);
  private static final String IRSA =
      """
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:ml:trainer"}}}]}""";

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String policy, String... args) throws IOException {
    out.reset();
    err.reset();
    Path file = Files.writeString(Files.createTempFile(dir, "policy", ".json"), policy);
    List<String> all = new ArrayList<>(List.of("trust-check", "--mode", "pod-identity", "--policy", file.toString(), "--role-arn", ROLE));
    all.addAll(List.of(args));
    return Main.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private List<JsonNode> lines() throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      nodes.add(new ObjectMapper().readTree(line));
    }
    return nodes;
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldAllowTheScopedServiceAccountAndDenyAnotherByItsSessionTag() throws IOException {
    int code = run(SCOPED, "--cluster", "prod", "--cluster-arn", CLUSTER_ARN, "--service-account", "ml:trainer", "--service-account", "ml:notebook");

    assertThat(code).isEqualTo(1);
    assertThat(lines()).extracting(n -> n.path("verdict").asText()).containsExactly("ALLOWED", "DENIED");
    assertThat(lines().get(0).path("serviceAccount").asText()).isEqualTo("ml:trainer");
    assertThat(lines().get(1).path("reasons").get(0).asText()).isEqualTo("ConditionNotMatched");
    assertThat(lines().get(1).path("explanation").asText()).contains("kubernetes-service-account=notebook");
    assertThat(err()).isEmpty();
  }

  @Test
  void shouldExitZeroWhenEveryServiceAccountIsAllowed() throws IOException {
    assertThat(run(SCOPED, "--cluster", "prod", "--cluster-arn", CLUSTER_ARN, "--service-account", "ml:trainer")).isZero();
  }

  @Test
  void shouldLeaveAClusterArnConditionUndeterminedWithoutTheArn() throws IOException {
    assertThat(run(SCOPED, "--cluster", "prod", "--service-account", "ml:trainer")).isEqualTo(1);

    assertThat(lines().get(0).path("verdict").asText()).isEqualTo("UNDETERMINED");
  }

  @Test
  void shouldSayAnIrsaPolicyIsNotAPodIdentityPolicy() throws IOException {
    assertThat(run(IRSA, "--cluster", "prod", "--service-account", "ml:trainer")).isEqualTo(1);

    assertThat(lines().get(0).path("reasons").get(0).asText()).isEqualTo("IrsaTrustPolicy");
  }

  @Test
  void shouldJudgeTheSamePolicyAsIrsaByDefault() throws IOException {
    Path file = Files.writeString(dir.resolve("irsa.json"), IRSA);
    int code = Main.run(new String[] {"trust-check", "--policy", file.toString(), "--role-arn", ROLE,
        "--issuer", "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE", "--service-account", "ml:trainer"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).isZero();
  }

  @Test
  void shouldPrintTheTableOnRequest() throws IOException {
    run(SCOPED, "--cluster", "prod", "--cluster-arn", CLUSTER_ARN, "--service-account", "ml:trainer", "--output", "text");

    assertThat(out.toString(StandardCharsets.UTF_8).lines().toList().get(1)).matches("ml:trainer +ALLOWED +Allowed +-");
  }

  @Test
  void shouldRefuseWithOneLineNamingTheField() throws IOException {
    String[][] cases = {
      {"--cluster", "--service-account", "ml:trainer"},
      {"--cluster", "--cluster", "-bad", "--service-account", "ml:trainer"},
      {"--cluster-arn", "--cluster", "dev", "--cluster-arn", CLUSTER_ARN, "--service-account", "ml:trainer"},
      {"--cluster-arn", "--cluster", "prod", "--cluster-arn", "arn:aws:iam::111122223333:role/x", "--service-account", "ml:trainer"},
      {"--issuer", "--cluster", "prod", "--issuer", "https://oidc.example.com", "--service-account", "ml:trainer"},
      {"--audience", "--cluster", "prod", "--audience", "sts.amazonaws.com", "--service-account", "ml:trainer"},
      {"--mode", "--cluster", "prod", "--service-account", "ml:trainer", "--mode", "eks"},
    };
    for (String[] c : cases) {
      assertThat(run(SCOPED, List.of(c).subList(1, c.length).toArray(String[]::new))).as(String.join(" ", c)).isEqualTo(2);
      assertThat(err()).as(String.join(" ", c)).startsWith("error: " + c[0] + ": ");
      assertThat(err().strip()).doesNotContain("\n");
      assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
  }

  @Test
  void shouldRefuseTheClusterFlagsInIrsaMode() throws IOException {
    Path file = Files.writeString(dir.resolve("irsa.json"), IRSA);
    int code = Main.run(new String[] {"trust-check", "--policy", file.toString(), "--role-arn", ROLE, "--cluster", "prod",
        "--issuer", "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE", "--service-account", "ml:trainer"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(2);
    assertThat(err()).startsWith("error: --cluster: is for --mode pod-identity");
  }

  @Test
  void shouldPrintAVerifiedPodIdentityFixThatAdmitsExactlyTheServiceAccounts() throws IOException {
    String unscoped = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
          "Action": "sts:AssumeRole"}]}""";

    int code = run(unscoped, "--cluster", "prod", "--cluster-arn", CLUSTER_ARN, "--service-account", "ml:trainer",
        "--service-account", "ml:notebook", "--fix");

    assertThat(code).isEqualTo(1); // the policy as it is lacks sts:TagSession
    JsonNode fix = lines().get(2);
    assertThat(fix.path("suggestedPolicy").isObject()).isTrue();
    assertThat(fix.path("unchanged").asBoolean()).isFalse();
    assertThat(fix.path("command").asText()).startsWith("aws iam update-assume-role-policy --role-name ml-s3 --policy-document '{");
    String fixed = fix.path("suggestedPolicy").toString();
    assertThat(run(fixed, "--cluster", "prod", "--cluster-arn", CLUSTER_ARN, "--service-account", "ml:trainer", "--service-account", "ml:notebook"))
        .isZero();
    assertThat(run(fixed, "--cluster", "prod", "--cluster-arn", CLUSTER_ARN, "--service-account", "ml:other")).isEqualTo(1);
    assertThat(run(fixed, "--cluster", "prod", "--cluster-arn", CLUSTER_ARN, "--service-account", "other:trainer")).isEqualTo(1);
  }
}
