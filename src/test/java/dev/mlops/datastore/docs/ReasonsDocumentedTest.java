package dev.mlops.datastore.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.reconciler.Failure;
import dev.mlops.datastore.reconciler.awsintegration.AwsIntegrationStatusFactory;
import dev.mlops.datastore.reconciler.awsintegration.LiveChecker;
import dev.mlops.datastore.reconciler.awsintegration.TrustChecker;
import dev.mlops.datastore.reconciler.dataset.DatasetStatusFactory;
import dev.mlops.datastore.model.ModelProblem;
import dev.mlops.datastore.reconciler.modelartifact.ModelArtifactStatusFactory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every reason and condition type the operator can write is explained in docs/conditions.md: the
 * constants of the classes that build statuses, every reason a reader reports as a problem, and
 * every reason in the golden status files. A new reason without a line in the docs fails here.
 */
class ReasonsDocumentedTest {
  private static final Path DOC = Path.of("docs/conditions.md");
  private static final Pattern CAMEL = Pattern.compile("^[A-Z][A-Za-z0-9]+$");
  private static final Pattern PROBLEM = Pattern.compile("Problem\\.(?:readable|format|schema)\\(\\s*\"([A-Za-z0-9]+)\"");
  private static final Pattern GOLDEN_REASON = Pattern.compile("(?m)^\\s*reason: \"([A-Za-z0-9]+)\"$");

  @Test
  void shouldDocumentEveryReasonConstant() throws IOException {
    Set<String> reasons = new TreeSet<>();
    for (Class<?> type : new Class<?>[] {Failure.class, AwsIntegrationStatusFactory.class, DatasetStatusFactory.class, LiveChecker.class,
        TrustChecker.class, ModelArtifactStatusFactory.class, ModelProblem.class,
        dev.mlops.datastore.reconciler.policy.PolicyGate.class, dev.mlops.datastore.reconciler.policy.AwsIntegrationPolicyReconciler.class,

        dev.mlops.datastore.reconciler.awsintegration.PodIdentityChecker.class}) {
      reasons.addAll(constants(type));
    }
    assertThat(reasons).contains("InvalidSpec", "InternalError", "AwsThrottled", "IntegrationNotFound");
    assertDocumented(reasons);
  }

  @Test
  void shouldDocumentEveryProblemTheReadersReport() throws IOException {
    Set<String> reasons = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = PROBLEM.matcher(Files.readString(file));
        while (m.find()) {
          reasons.add(m.group(1));
        }
      }
    }
    assertThat(reasons).contains("ColumnNotFound");
    assertDocumented(reasons);
  }

  @Test
  void shouldDocumentEveryReasonOfTheGoldenStatuses() throws IOException {
    Set<String> reasons = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src/test/resources/golden"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        Matcher m = GOLDEN_REASON.matcher(Files.readString(file));
        while (m.find()) {
          reasons.add(m.group(1));
        }
      }
    }
    assertThat(reasons).isNotEmpty();
    assertDocumented(reasons);
  }

  private static void assertDocumented(Set<String> reasons) throws IOException {
    String doc = Files.readString(DOC);
    Set<String> missing = new TreeSet<>();
    for (String reason : reasons) {
      if (!doc.contains("`" + reason + "`")) {
        missing.add(reason);
      }
    }
    assertThat(missing).as("reasons missing from %s (each in backticks)", DOC).isEmpty();
  }

  private static Set<String> constants(Class<?> type) {
    Set<String> out = new TreeSet<>();
    for (Field f : type.getDeclaredFields()) {
      int m = f.getModifiers();
      if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == String.class) {
        try {
          f.setAccessible(true);
          String value = (String) f.get(null);
          if (value != null && CAMEL.matcher(value).matches()) {
            out.add(value);
          }
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }
}
