package dev.mlops.datastore.sandbox.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.datastore.sandbox.aws.SigV4Verifier.Outcome;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The verifier against requests from AWS's published SigV4 test suite (get-vanilla and friends). */
class SigV4VerifierTest {
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

  private static SigV4Verifier.Request get(String query, String signature) {
    return new SigV4Verifier.Request("GET", "/", query, Map.of(
        "host", List.of("example.amazonaws.com"),
        "x-amz-date", List.of("20150830T123600Z"),
        "authorization", List.of("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=" + signature)), new byte[0]);
  }

  private static Optional<String> secrets(String accessKey) {
    return accessKey.equals("AKIDEXAMPLE") ? Optional.of(SECRET) : Optional.empty();
  }

  @Test
  void shouldAcceptTheTestSuitesVanillaGet() {
    assertThat(SigV4Verifier.verify(get(null, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"), SigV4VerifierTest::secrets, false))
        .isEqualTo(Outcome.VALID);
  }

  @Test
  void shouldSortQueryParametersAsTheCanonicalRequestDoes() {
    assertThat(SigV4Verifier.verify(get("Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        SigV4VerifierTest::secrets, false)).isEqualTo(Outcome.VALID);
  }

  @Test
  void shouldRefuseASignatureMadeWithAnotherSecret() {
    assertThat(SigV4Verifier.verify(get(null, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        k -> Optional.of("another-secret"), false)).isEqualTo(Outcome.WRONG_SIGNATURE);
  }

  @Test
  void shouldRefuseARequestChangedAfterSigning() {
    assertThat(SigV4Verifier.verify(get("Param1=value1", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SigV4VerifierTest::secrets, false)).isEqualTo(Outcome.WRONG_SIGNATURE);
  }

  @Test
  void shouldTellAnUnknownKeyFromAMissingOrMalformedHeader() {
    assertThat(SigV4Verifier.verify(get(null, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"), k -> Optional.empty(), false))
        .isEqualTo(Outcome.UNKNOWN_KEY);
    assertThat(SigV4Verifier.verify(new SigV4Verifier.Request("GET", "/", null, Map.of("host", List.of("h")), new byte[0]),
        SigV4VerifierTest::secrets, false)).isEqualTo(Outcome.MISSING);
    assertThat(SigV4Verifier.verify(new SigV4Verifier.Request("GET", "/", null, Map.of("authorization", List.of("AWS AKID:sig")), new byte[0]),
        SigV4VerifierTest::secrets, false)).isEqualTo(Outcome.MALFORMED);
  }

  @Test
  void shouldEncodeAsSigV4SaysAndDoubleEncodeNonS3Paths() {
    assertThat(SigV4Verifier.encode("a b~c/*")).isEqualTo("a%20b~c%2F%2A");
    assertThat(SigV4Verifier.canonicalPath("/a%20b/c", false)).isEqualTo("/a%2520b/c");
    assertThat(SigV4Verifier.canonicalPath("/a%20b/c", true)).isEqualTo("/a%20b/c");
    assertThat(SigV4Verifier.canonicalQuery("b=2&a=x%2By&a=1&c")).isEqualTo("a=1&a=x%2By&b=2&c=");
  }
}
