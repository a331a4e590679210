package dev.mlops.datastore.reconciler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Globs read as IAM's StringLike reads them. */
class GlobsTest {
  @ParameterizedTest
  @CsvSource({
      "arn:aws:iam::111:role/team-a-*, arn:aws:iam::111:role/team-a-s3, true",
      "arn:aws:iam::111:role/team-a-*, arn:aws:iam::111:role/team-a-, true",
      "arn:aws:iam::111:role/team-a-*, arn:aws:iam::111:role/team-b-s3, false",
      "arn:aws:iam::111:role/*, arn:aws:iam::111:role/path/inside/x, true",
      "arn:aws:iam::*:role/x, arn:aws:iam::222:role/x, true",
      "arn:aws:iam::*:role/x, arn:aws:iam::222:role/xy, false",
      "arn:aws:iam::111:role/X, arn:aws:iam::111:role/x, false",
      "team-?, team-a, true",
      "team-?, team-ab, false",
      "*, anything, true",
      "a*b*c, aXbYbZc, true",
      "a*b*c, aXbYbZ, false",
      "'', '', true",
      "'', a, false",
  })
  void shouldMatchLikeStringLike(String glob, String value, boolean matches) {
    assertThat(Globs.matches(glob, value)).isEqualTo(matches);
  }
}
