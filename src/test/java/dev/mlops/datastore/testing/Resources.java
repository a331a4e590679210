package dev.mlops.datastore.testing;

import dev.mlops.datastore.api.v1alpha1.AccessKeyAuth;
import dev.mlops.datastore.api.v1alpha1.Auth;
import dev.mlops.datastore.api.v1alpha1.AwsIntegration;
import dev.mlops.datastore.api.v1alpha1.AwsIntegrationSpec;
import dev.mlops.datastore.api.v1alpha1.Dataset;
import dev.mlops.datastore.api.v1alpha1.DatasetSpec;
import dev.mlops.datastore.api.v1alpha1.IntegrationRef;
import dev.mlops.datastore.api.v1alpha1.IrsaAuth;
import dev.mlops.datastore.api.v1alpha1.Platform;
import dev.mlops.datastore.api.v1alpha1.SecretRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import java.util.List;
import java.util.Map;

/** Valid resources, built in one place; tests change only what their behaviour is about. */
public final class Resources {
  public static final String NAMESPACE = "ml";
  public static final String ROLE_ARN = "arn:aws:iam::111122223333:role/rime-s3";

  public static final String PROVIDER_ARN =
      "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

  private Resources() {}

  /** A trust policy for the test cluster's provider admitting every service account of NAMESPACE. */
  public static String trustPolicyForNamespace(String namespace) {
    String p = PROVIDER_ARN.substring(PROVIDER_ARN.indexOf("oidc-provider/") + 14);
    return """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "%s"}, "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {"StringEquals": {"%s:aud": "sts.amazonaws.com"},
                        "StringLike": {"%s:sub": "system:serviceaccount:%s:*"}}}]}"""
        .formatted(PROVIDER_ARN, p, p, namespace);
  }

  public static final String ACCOUNT = "111122223333";
  public static final String BUCKET = "rime-blob-integration";

  /**
   * The world most tests start from: this cluster's OIDC provider, the role every test
   * integration uses (trusting, and admitting at STS, every service account of NAMESPACE), and the
   * bucket it may read.
   */
  public static void knownRole(MockCluster cluster) {
    var world = cluster.aws().world();
    world.provider(PROVIDER_ARN, MockCluster.ISSUER, cluster.tokens().publicKey(), "sts.amazonaws.com");
    world.role(ROLE_ARN, trustPolicyForNamespace(NAMESPACE), List.of("system:serviceaccount:" + NAMESPACE + ":*"));
    if (world.bucketNames().contains(BUCKET)) {
      return;
    }
    cluster.aws().bucket(BUCKET, ACCOUNT, "us-east-1");
    world.grant(ROLE_ARN, BUCKET, "", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject");
    cluster.aws().s3().putObject(BUCKET, "data/fraud_ref.csv", "id,amount,label\n1,9.5,0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public static AwsIntegration irsaIntegration(String name, Platform platform, String... extraSas) {
    IrsaAuth irsa = new IrsaAuth();
    irsa.setRoleArn(ROLE_ARN);
    irsa.setAudience("sts.amazonaws.com");
    irsa.setStsRegionalEndpoints(true);
    Auth auth = new Auth();
    auth.setIrsa(irsa);
    return integration(name, platform, auth, extraSas);
  }

  public static AwsIntegration accessKeyIntegration(String name, Platform platform) {
    SecretRef ref = new SecretRef();
    ref.setName("aws-creds");
    AccessKeyAuth key = new AccessKeyAuth();
    key.setSecretRef(ref);
    Auth auth = new Auth();
    auth.setAccessKey(key);
    return integration(name, platform, auth);
  }

  private static AwsIntegration integration(
      String name, Platform platform, Auth auth, String... extraSas) {
    AwsIntegrationSpec spec = new AwsIntegrationSpec();
    spec.setPlatform(platform);
    spec.setServiceAccounts(List.of(extraSas));
    spec.setBucket("rime-blob-integration");
    spec.setAuth(auth);
    spec.setCheckInterval("10m");
    AwsIntegration ai = new AwsIntegration();
    ai.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    ai.setSpec(spec);
    return ai;
  }

  public static Dataset dataset(String name, String integration) {
    IntegrationRef ref = new IntegrationRef();
    ref.setName(integration);
    DatasetSpec spec = new DatasetSpec();
    spec.setIntegrationRef(ref);
    spec.setPath("s3://rime-blob-integration/data/fraud_ref.csv");
    spec.setDataParams(Map.of("label_col", "label"));
    Dataset ds = new Dataset();
    ds.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    ds.setSpec(spec);
    return ds;
  }

  public static ServiceAccount serviceAccount(String name) {
    return serviceAccount(name, Map.of());
  }

  public static ServiceAccount serviceAccount(String name, Map<String, String> annotations) {
    return new ServiceAccountBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NAMESPACE)
        .withAnnotations(annotations)
        .endMetadata()
        .build();
  }
}
