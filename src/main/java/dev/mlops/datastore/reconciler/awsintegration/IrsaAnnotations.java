package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.IrsaAuth;
import java.util.LinkedHashMap;
import java.util.Map;

/** The annotations the EKS pod identity webhook reads, and the two the operator uses to own them. */
public final class IrsaAnnotations {
  public static final String ROLE_ARN = "eks.amazonaws.com/role-arn";
  public static final String AUDIENCE = "eks.amazonaws.com/audience";
  public static final String STS_REGIONAL_ENDPOINTS = "eks.amazonaws.com/sts-regional-endpoints";
  public static final String DEFAULT_AUDIENCE = "sts.amazonaws.com";

  /** Names the AwsIntegration (in the same namespace) that manages this service account. */
  public static final String OWNER = "datastore.mlops.dev/integration";

  /**
   * JSON map of the annotations the owner wrote and the values it wrote: only those are ever
   * changed or removed again, and only while they still hold the value written.
   */
  public static final String WRITTEN = "datastore.mlops.dev/written-annotations";

  private IrsaAnnotations() {}

  /** What an IRSA integration wants on each of its service accounts. */
  public static Map<String, String> desired(IrsaAuth irsa) {
    Map<String, String> wanted = new LinkedHashMap<>();
    wanted.put(ROLE_ARN, irsa.getRoleArn());
    String audience = irsa.getAudience();
    if (audience != null && !audience.equals(DEFAULT_AUDIENCE)) {
      wanted.put(AUDIENCE, audience);
    }
    if (!Boolean.FALSE.equals(irsa.getStsRegionalEndpoints())) {
      wanted.put(STS_REGIONAL_ENDPOINTS, "true");
    }
    return wanted;
  }
}
