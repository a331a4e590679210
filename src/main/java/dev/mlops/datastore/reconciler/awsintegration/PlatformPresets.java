package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.AwsIntegrationSpec;
import dev.mlops.datastore.api.v1alpha1.Platform;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The service accounts each ML platform reads S3 as, plus the ones a spec adds. */
public final class PlatformPresets {
  public static final List<String> ROBUST_INTELLIGENCE =
      List.of("rime-agent-model-tester", "rime-agent-rime-cross-plane-server");
  public static final List<String> DATAROBOT =
      List.of(
          "datarobot-storage-access",
          "build-service",
          "build-service-image-builder",
          "dr-lrs-operator");

  private PlatformPresets() {}

  public static List<String> preset(Platform platform) {
    if (platform == null) {
      return List.of();
    }
    return switch (platform) {
      case RobustIntelligence -> ROBUST_INTELLIGENCE;
      case DataRobot -> DATAROBOT;
      case Custom -> List.of();
    };
  }

  /** The preset followed by the spec's own names, without duplicates, in that order. */
  public static List<String> serviceAccounts(AwsIntegrationSpec spec) {
    Set<String> names = new LinkedHashSet<>(preset(spec.getPlatform()));
    if (spec.getServiceAccounts() != null) {
      names.addAll(spec.getServiceAccounts());
    }
    return List.copyOf(names);
  }
}
