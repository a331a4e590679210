package dev.mlops.datastore.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every trust reason and warning code has a table row in docs/trust-policy.md. */
class TrustCodesDocumentedTest {
  @Test
  void shouldDocumentEveryReasonAndWarningCode() throws IOException {
    String doc = Files.readString(Path.of("docs/trust-policy.md"));
    List<String> missing = new ArrayList<>();
    for (TrustReason code : TrustReason.values()) {
      if (!doc.contains("| `" + code.name() + "` |")) {
        missing.add(code.name());
      }
    }
    for (TrustWarning code : TrustWarning.values()) {
      if (!doc.contains("| `" + code.name() + "` |")) {
        missing.add(code.name());
      }
    }
    assertThat(missing).as("codes without a table row in docs/trust-policy.md").isEmpty();
  }
}
