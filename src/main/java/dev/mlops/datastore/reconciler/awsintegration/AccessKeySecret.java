package dev.mlops.datastore.reconciler.awsintegration;

import dev.mlops.datastore.api.v1alpha1.AccessKeyAuth;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/**
 * The key pair an access-key integration names: which entries of its Secret hold it, and what
 * they hold. Values stay in memory; only entry names ever reach a message.
 */
final class AccessKeySecret {
  static final String DEFAULT_ID_KEY = "AWS_ACCESS_KEY_ID";
  static final String DEFAULT_SECRET_KEY = "AWS_SECRET_ACCESS_KEY";

  /** The key pair, or the names of the entries that are missing or empty. */
  record KeyPair(AwsCredentials credentials, List<String> missing) {}

  private AccessKeySecret() {}

  static String idKey(AccessKeyAuth auth) {
    return auth.getAccessKeyIdKey() == null ? DEFAULT_ID_KEY : auth.getAccessKeyIdKey();
  }

  static String secretKey(AccessKeyAuth auth) {
    return auth.getSecretAccessKeyKey() == null ? DEFAULT_SECRET_KEY : auth.getSecretAccessKeyKey();
  }

  static KeyPair read(Secret secret, AccessKeyAuth auth) {
    String id = value(secret, idKey(auth));
    String key = value(secret, secretKey(auth));
    if (id == null || key == null) {
      List<String> missing = new ArrayList<>();
      if (id == null) {
        missing.add(idKey(auth));
      }
      if (key == null) {
        missing.add(secretKey(auth));
      }
      return new KeyPair(null, List.copyOf(missing));
    }
    return new KeyPair(AwsBasicCredentials.create(id, key), List.of());
  }

  private static String value(Secret secret, String key) {
    if (secret.getData() != null && secret.getData().get(key) != null) {
      try {
        String v = new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8).strip();
        return v.isEmpty() ? null : v;
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
      String v = secret.getStringData().get(key).strip();
      return v.isEmpty() ? null : v;
    }
    return null;
  }
}
