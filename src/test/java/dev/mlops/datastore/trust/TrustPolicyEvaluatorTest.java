package dev.mlops.datastore.trust;

import static dev.mlops.datastore.trust.Policies.ACCOUNT;
import static dev.mlops.datastore.trust.Policies.P;
import static dev.mlops.datastore.trust.Policies.PROVIDER;
import static dev.mlops.datastore.trust.Policies.allowWith;
import static dev.mlops.datastore.trust.Policies.sa;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrustPolicyEvaluatorTest {
  private static TrustVerdict eval(String policy, TrustRequest request) {
    return TrustPolicyEvaluator.evaluate(policy, request);
  }

  @Nested
  class VendorPolicies {
    @Test
    void shouldAllowBothRobustIntelligenceAgentsAndWarnThatAudIsUnchecked() {
      String policy = Policies.robustIntelligence("rime");
      for (String name : new String[] {"rime-agent-model-tester", "rime-agent-rime-cross-plane-server"}) {
        TrustVerdict v = eval(policy, sa("rime", name));
        assertThat(v.verdict()).isEqualTo(Verdict.ALLOWED);
        assertThat(v.reasons()).containsExactly(TrustReason.Allowed);
        assertThat(v.warnings()).containsExactly(TrustWarning.MissingAudienceCondition);
      }
    }

    @Test
    void shouldDenyAnotherServiceAccountUnderTheRobustIntelligencePolicy() {
      TrustVerdict v = eval(Policies.robustIntelligence("rime"), sa("rime", "notebook"));

      assertThat(v.verdict()).isEqualTo(Verdict.DENIED);
      assertThat(v.reasons()).containsExactly(TrustReason.SubjectNotMatched);
      assertThat(v.explanation()).contains("system:serviceaccount:rime:notebook");
    }

    @Test
    void shouldReportSubjectNotMatchedWhenNamespaceDiffers() {
      TrustVerdict v = eval(Policies.robustIntelligence("rime"), sa("ml", "rime-agent-model-tester"));

      assertThat(v.reasons()).containsExactly(TrustReason.SubjectNotMatched);
    }

    @Test
    void shouldAllowEveryServiceAccountOfTheClusterUnderDataRobotsClusterWidePattern() {
      String policy = allowWith("{\"StringLike\": {\"" + P + ":sub\": \"system:serviceaccount:*\"}}");

      for (TrustRequest r : new TrustRequest[] {sa("dr", "build-service"), sa("kube-system", "anything")}) {
        TrustVerdict v = eval(policy, r);
        assertThat(v.verdict()).isEqualTo(Verdict.ALLOWED);
        assertThat(v.warnings()).contains(TrustWarning.WildcardSubject, TrustWarning.MissingAudienceCondition);
      }
    }

    @Test
    void shouldLimitDataRobotsNamespacePatternToThatNamespace() {
      String policy = allowWith("{\"StringLike\": {\"" + P + ":sub\": \"system:serviceaccount:datarobot:*\"}}");

      assertThat(eval(policy, sa("datarobot", "dr-lrs-operator")).verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(eval(policy, sa("datarobot", "dr-lrs-operator")).warnings()).contains(TrustWarning.WildcardSubject);
      TrustVerdict other = eval(policy, sa("rime", "x"));
      assertThat(other.verdict()).isEqualTo(Verdict.DENIED);
      assertThat(other.reasons()).containsExactly(TrustReason.SubjectNotMatched);
    }

    @Test
    void shouldJudgeDataRobotsRepeatedSubKeysMalformedAndSayWhatLastWinsWouldAllow() {
      String policy = Policies.dataRobotDuplicateKeys("dr");

      TrustVerdict first = eval(policy, sa("dr", "datarobot-storage-access"));
      TrustVerdict last = eval(policy, sa("dr", "dr-lrs-operator"));

      for (TrustVerdict v : new TrustVerdict[] {first, last}) {
        assertThat(v.verdict()).isEqualTo(Verdict.DENIED);
        assertThat(v.reasons()).containsExactly(TrustReason.MalformedPolicy);
        assertThat(v.warnings()).contains(TrustWarning.DuplicateKey);
        assertThat(v.explanation()).contains("appears 4 times").contains("one key with an array of values");
      }
      assertThat(first.explanation()).contains("would be DENIED");
      assertThat(last.explanation()).contains("would be ALLOWED");
    }
  }

  @Nested
  class Generators {
    @Test
    void shouldAllowAnEksctlStylePolicyWithoutWarnings() {
      TrustVerdict v = eval(Policies.eksctlStyle("ml", "trainer"), sa("ml", "trainer"));

      assertThat(v.verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(v.warnings()).isEmpty();
    }

    @Test
    void shouldAllowATerraformModuleStylePolicyWithOneStatementPerProvider() {
      String other = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
      String policy =
          """
          {"Version": "2012-10-17", "Statement": [
            {"Sid": "c1", "Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::%1$s:oidc-provider/%2$s"},
             "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {"%2$s:aud": "sts.amazonaws.com"}, "StringLike": {"%2$s:sub": "system:serviceaccount:ml:trainer"}}},
            {"Sid": "c2", "Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::%1$s:oidc-provider/%3$s"},
             "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {"%3$s:aud": "sts.amazonaws.com"}, "StringLike": {"%3$s:sub": "system:serviceaccount:ml:trainer"}}}
          ]}"""
              .formatted(ACCOUNT, other, P);

      TrustVerdict v = eval(policy, sa("ml", "trainer"));

      assertThat(v.verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(v.explanation()).contains("statement 2 (c2)");
      assertThat(v.warnings()).isEmpty();
    }

    @Test
    void shouldRequireBothListsWhenStringEqualsAndStringLikeShareAStatement() {
      String policy = allowWith("""
          {"StringEquals": {"%1$s:sub": ["system:serviceaccount:ml:a"]},
           "StringLike": {"%1$s:sub": ["system:serviceaccount:ml:b*"]}}""".formatted(P));

      assertThat(eval(policy, sa("ml", "a")).verdict()).isEqualTo(Verdict.DENIED);
      assertThat(eval(policy, sa("ml", "b1")).verdict()).isEqualTo(Verdict.DENIED);
    }

    @Test
    void shouldAdmitNobodyWhenTwoClustersSubKeysShareOneOperator() {
      String policy = allowWith("""
          {"StringEquals": {"%1$s:sub": "system:serviceaccount:ml:a",
                            "oidc.eks.eu-west-1.amazonaws.com/id/OTHER:sub": "system:serviceaccount:ml:a"}}""".formatted(P));

      TrustVerdict v = eval(policy, sa("ml", "a"));

      assertThat(v.verdict()).isEqualTo(Verdict.DENIED);
      assertThat(v.reasons()).containsExactly(TrustReason.ConditionNotMatched);
      assertThat(v.warnings()).contains(TrustWarning.ConditionKeyForOtherProvider);
    }
  }

  @Nested
  class Deny {
    @Test
    void shouldLetAnExplicitDenyWinWhateverTheOrder() {
      String policy =
          """
          {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": {"Federated": "%1$s"}, "Action": "sts:*",
             "Condition": {"StringEquals": {"%2$s:sub": "system:serviceaccount:ml:intruder"}}},
            {"Effect": "Allow", "Principal": {"Federated": "%1$s"}, "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringLike": {"%2$s:sub": "system:serviceaccount:ml:*"}, "StringEquals": {"%2$s:aud": "sts.amazonaws.com"}}}
          ]}"""
              .formatted(PROVIDER, P);

      TrustVerdict denied = eval(policy, sa("ml", "intruder"));
      assertThat(denied.verdict()).isEqualTo(Verdict.DENIED);
      assertThat(denied.reasons()).containsExactly(TrustReason.ExplicitDeny);
      assertThat(eval(policy, sa("ml", "trainer")).verdict()).isEqualTo(Verdict.ALLOWED);
    }
  }

  @Nested
  class Providers {
    private String federated(String arn) {
      return """
          {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Federated": "%s"},
           "Action": "sts:AssumeRoleWithWebIdentity",
           "Condition": {"StringEquals": {"%s:sub": "system:serviceaccount:ml:a"}}}}""".formatted(arn, P);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0THERCLUSTER00000000000000000000|cluster ID",
          "arn:aws:iam::999988887777:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE|account 999988887777",
          "arn:aws-us-gov:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE|partition aws-us-gov",
          "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE|region us-west-2",
          "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE/|trailing slash",
          "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/exampled539d4633e53de1b71example|letter case",
          "arn:aws:iam::111122223333:oidc-provider/https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE|https://",
          "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE|issuer is given instead"
        })
    void shouldSayWhichPartOfANearlyRightProviderDiffers(String row) {
      String[] parts = row.split("\\|");

      TrustVerdict v = eval(federated(parts[0]), sa("ml", "a"));

      assertThat(v.verdict()).isEqualTo(Verdict.DENIED);
      assertThat(v.reasons()).containsExactly(TrustReason.NoStatementForProvider);
      assertThat(v.warnings()).contains(TrustWarning.ProviderMismatch);
      assertThat(v.explanation()).contains(parts[1]);
    }

    @Test
    void shouldNotCallAnUnrelatedIssuerANearMiss() {
      TrustVerdict v = eval(federated("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"), sa("ml", "a"));

      assertThat(v.reasons()).containsExactly(TrustReason.NoStatementForProvider);
      assertThat(v.warnings()).doesNotContain(TrustWarning.ProviderMismatch);
    }

    @Test
    void shouldMatchOneProviderOutOfAFederatedArray() {
      String policy = """
          {"Version": "2012-10-17", "Statement": {"Effect": "Allow",
           "Principal": {"Federated": ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", "%s"]},
           "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
           "Condition": {"StringEquals": {"%s:sub": "system:serviceaccount:ml:a"}}}}""".formatted(PROVIDER, P);

      assertThat(eval(policy, sa("ml", "a")).verdict()).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void shouldRecogniseAPodIdentityTrustPolicy() {
      String policy = """
          {"Version": "2012-10-17", "Statement": [{"Sid": "AllowEksAuthToAssumeRoleForPodIdentity", "Effect": "Allow",
           "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}""";

      TrustVerdict v = eval(policy, sa("ml", "a"));

      assertThat(v.verdict()).isEqualTo(Verdict.DENIED);
      assertThat(v.reasons()).containsExactly(TrustReason.NoStatementForProvider);
      assertThat(v.warnings()).containsExactly(TrustWarning.PodIdentityTrustPolicy);
    }

    @Test
    void shouldSeeHttpsInAConditionKeyAsAnotherProvidersKey() {
      TrustVerdict v = eval(allowWith("{\"StringEquals\": {\"https://" + P + ":sub\": \"system:serviceaccount:ml:a\"}}"), sa("ml", "a"));

      assertThat(v.verdict()).isEqualTo(Verdict.DENIED);
      assertThat(v.reasons()).containsExactly(TrustReason.ConditionNotMatched);
      assertThat(v.warnings()).contains(TrustWarning.ConditionKeyForOtherProvider);
      assertThat(v.explanation()).contains("includes https://");
    }

    @Test
    void shouldTreatConditionKeyNamesCaseInsensitively() {
      TrustVerdict v = eval(allowWith("{\"StringEquals\": {\"" + P.toUpperCase() + ":SUB\": \"system:serviceaccount:ml:a\"}}"), sa("ml", "a"));

      assertThat(v.verdict()).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void shouldAnswerUndeterminedForAWildcardPrincipal() {
      String policy = """
          {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity"}}""";

      TrustVerdict v = eval(policy, sa("ml", "a"));

      assertThat(v.verdict()).isEqualTo(Verdict.UNDETERMINED);
      assertThat(v.reasons()).containsExactly(TrustReason.Undetermined);
    }
  }

  @Nested
  class Actions {
    private String withAction(String action) {
      return """
          {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Federated": "%s"}, %s,
           "Condition": {"StringEquals": {"%s:sub": "system:serviceaccount:ml:a", "%s:aud": "sts.amazonaws.com"}}}}"""
          .formatted(PROVIDER, action, P, P);
    }

    @Test
    void shouldReportActionNotAllowedForPlainAssumeRole() {
      TrustVerdict v = eval(withAction("\"Action\": \"sts:AssumeRole\""), sa("ml", "a"));

      assertThat(v.reasons()).containsExactly(TrustReason.ActionNotAllowed);
    }

    @Test
    void shouldMatchActionNamesCaseInsensitivelyAndWithWildcards() {
      assertThat(eval(withAction("\"Action\": \"STS:assumerolewithwebidentity\""), sa("ml", "a")).verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(eval(withAction("\"Action\": \"sts:AssumeRole*\""), sa("ml", "a")).warnings()).isEmpty();
      assertThat(eval(withAction("\"Action\": \"sts:*\""), sa("ml", "a")).warnings()).containsExactly(TrustWarning.BroadAction);
      assertThat(eval(withAction("\"Action\": \"*\""), sa("ml", "a")).warnings()).containsExactly(TrustWarning.BroadAction);
    }

    @Test
    void shouldAllowThroughNotActionAndWarn() {
      TrustVerdict v = eval(withAction("\"NotAction\": \"sts:AssumeRole\""), sa("ml", "a"));

      assertThat(v.verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(v.warnings()).containsExactly(TrustWarning.NotActionAllow);
      assertThat(eval(withAction("\"NotAction\": \"sts:AssumeRoleWith*\""), sa("ml", "a")).reasons())
          .containsExactly(TrustReason.ActionNotAllowed);
    }
  }

  @Nested
  class ConditionOperators {
    @Test
    void shouldTreatAWildcardUnderStringEqualsAsLiteralAndSaySo() {
      TrustVerdict v = eval(allowWith("{\"StringEquals\": {\"" + P + ":sub\": \"system:serviceaccount:ml:*\"}}"), sa("ml", "rime-agent-model-tester"));

      assertThat(v.verdict()).isEqualTo(Verdict.DENIED);
      assertThat(v.reasons()).containsExactly(TrustReason.SubjectNotMatched);
      assertThat(v.warnings()).contains(TrustWarning.WildcardWithoutLikeOperator);
      assertThat(v.explanation())
          .contains("the role admits system:serviceaccount:ml:* under StringEquals, where * is literal; use StringLike or list ml:rime-agent-model-tester");
    }

    @Test
    void shouldReportAudienceNotMatchedForANonDefaultAudience() {
      TrustRequest r = new TrustRequest(Policies.ROLE, Policies.ISSUER, "ml", "a", "rime.example.com");

      TrustVerdict v = eval(Policies.eksctlStyle("ml", "a"), r);

      assertThat(v.reasons()).containsExactly(TrustReason.AudienceNotMatched);
      assertThat(v.warnings()).contains(TrustWarning.NonDefaultAudience);
    }

    @Test
    void shouldAdmitEveryUnlistedAccountUnderANegatedSubjectMatch() {
      String policy = allowWith("{\"StringNotEquals\": {\"" + P + ":sub\": [\"system:serviceaccount:ml:a\", \"system:serviceaccount:ml:b\"]}}");

      assertThat(eval(policy, sa("ml", "a")).reasons()).containsExactly(TrustReason.SubjectNotMatched);
      TrustVerdict other = eval(policy, sa("ml", "c"));
      assertThat(other.verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(other.warnings()).contains(TrustWarning.NegatedSubjectMatch);
    }

    @Test
    void shouldWarnAboutSetOperatorsAndIfExistsOnIdentityKeys() {
      TrustVerdict set = eval(allowWith("{\"ForAnyValue:StringEquals\": {\"" + P + ":sub\": \"system:serviceaccount:ml:a\"}}"), sa("ml", "a"));
      assertThat(set.verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(set.warnings()).contains(TrustWarning.UnsafeSetOperator);

      TrustVerdict ifExists = eval(allowWith("{\"StringEqualsIfExists\": {\"" + P + ":sub\": \"system:serviceaccount:ml:a\"}}"), sa("ml", "b"));
      assertThat(ifExists.verdict()).isEqualTo(Verdict.DENIED);
      assertThat(ifExists.warnings()).contains(TrustWarning.IfExistsOnIdentityKey);
    }

    @Test
    void shouldFollowIamsAbsentKeyTable() {
      String absent = "\"" + P + ":amr\": \"x\"";
      assertThat(eval(allowWith("{\"StringEquals\": {" + absent + "}}"), sa("ml", "a")).verdict()).isEqualTo(Verdict.DENIED);
      assertThat(eval(allowWith("{\"StringNotEquals\": {" + absent + "}}"), sa("ml", "a")).verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(eval(allowWith("{\"StringEqualsIfExists\": {" + absent + "}}"), sa("ml", "a")).verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(eval(allowWith("{\"ForAnyValue:StringEquals\": {" + absent + "}}"), sa("ml", "a")).verdict()).isEqualTo(Verdict.DENIED);
      assertThat(eval(allowWith("{\"ForAllValues:StringEquals\": {" + absent + "}}"), sa("ml", "a")).verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(eval(allowWith("{\"Null\": {\"" + P + ":amr\": \"true\"}}"), sa("ml", "a")).verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(eval(allowWith("{\"Null\": {\"" + P + ":sub\": false}}"), sa("ml", "a")).verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(eval(allowWith("{\"Null\": {\"" + P + ":aud\": \"true\"}}"), sa("ml", "a")).reasons())
          .containsExactly(TrustReason.AudienceNotMatched);
    }

    @Test
    void shouldImposeNothingWithAnEmptyConditionAndWarnThatAnyTokenWorks() {
      TrustVerdict v = eval(allowWith("{}"), sa("any", "one"));

      assertThat(v.verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(v.warnings()).contains(TrustWarning.MissingSubjectCondition, TrustWarning.MissingAudienceCondition);
    }

    @Test
    void shouldCompareIgnoringCaseOnlyUnderIgnoreCaseOperators() {
      String value = "\"" + P + ":sub\": \"SYSTEM:ServiceAccount:ML:A\"";
      assertThat(eval(allowWith("{\"StringEqualsIgnoreCase\": {" + value + "}}"), sa("ml", "a")).verdict()).isEqualTo(Verdict.ALLOWED);
      assertThat(eval(allowWith("{\"StringEquals\": {" + value + "}}"), sa("ml", "a")).verdict()).isEqualTo(Verdict.DENIED);
    }

    @Test
    void shouldBeUndeterminedOnAKeyOutsideTheToken() {
      String policy = allowWith("{\"StringEquals\": {\"" + P + ":sub\": \"system:serviceaccount:ml:a\"}, \"IpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}");

      assertThat(eval(policy, sa("ml", "a")).verdict()).isEqualTo(Verdict.UNDETERMINED);
      // ...unless a condition the token decides already fails.
      assertThat(eval(policy, sa("ml", "b")).reasons()).containsExactly(TrustReason.SubjectNotMatched);
    }
  }

  @Nested
  class PolicyVariables {
    @Test
    void shouldTreatDollarStarAsALiteralStar() {
      String policy = allowWith("{\"StringLike\": {\"" + P + ":sub\": \"system:serviceaccount:team-a:${*}\"}}");

      assertThat(eval(policy, sa("team-a", "x")).verdict()).isEqualTo(Verdict.DENIED);
      assertThat(eval(policy, sa("team-a", "*")).verdict()).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void shouldResolveTheTokensOwnClaimsAndDefaults() {
      String self = allowWith("{\"StringEquals\": {\"" + P + ":sub\": \"${" + P + ":sub}\"}}");
      assertThat(eval(self, sa("ml", "a")).verdict()).isEqualTo(Verdict.ALLOWED);

      String fallback = allowWith("{\"StringEquals\": {\"" + P + ":sub\": \"system:serviceaccount:${" + P + ":amr, 'ml'}:a\"}}");
      assertThat(eval(fallback, sa("ml", "a")).verdict()).isEqualTo(Verdict.ALLOWED);

      String unknown = allowWith("{\"StringEquals\": {\"" + P + ":sub\": \"system:serviceaccount:ml:${aws:username}\"}}");
      assertThat(eval(unknown, sa("ml", "a")).verdict()).isEqualTo(Verdict.UNDETERMINED);
    }

    @Test
    void shouldKeepVariablesLiteralWithoutVersion2012() {
      String policy = Policies.allowWith("{\"StringEquals\": {\"" + P + ":sub\": \"${" + P + ":sub}\"}}")
          .replace("\"Version\": \"2012-10-17\", ", "");

      assertThat(eval(policy, sa("ml", "a")).verdict()).isEqualTo(Verdict.DENIED);
    }
  }

  @Nested
  class Malformed {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "{not json",
          "[]",
          "{\"Version\": \"2012-10-18\", \"Statement\": []}",
          "{\"Statement\": {\"Effect\": \"allow\", \"Principal\": \"*\", \"Action\": \"*\"}}",
          "{\"Statement\": {\"Effect\": \"Allow\", \"NotPrincipal\": {\"AWS\": \"x\"}, \"Action\": \"*\"}}",
          "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Resource\": \"*\"}}",
          "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\"}}",
          "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Condition\": {\"StringEqual\": {\"a:b\": \"c\"}}}}",
          "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Condition\": {\"NullIfExists\": {\"a:b\": \"true\"}}}}",
          "{\"Statement\": [{\"Sid\": \"a\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\"}, {\"Sid\": \"a\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\"}]}",
          "{\"Statement\": {\"Effect\": \"Allow\", \"Principle\": \"*\", \"Action\": \"*\"}}",
          "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Condition\": {\"StringEquals\": {\"A:b\": \"c\", \"a:B\": \"c\"}}}}",
          ""
        })
    void shouldCallABrokenDocumentMalformedWithAReason(String policy) {
      TrustVerdict v = eval(policy, sa("ml", "a"));

      assertThat(v.verdict()).isEqualTo(Verdict.DENIED);
      assertThat(v.reasons()).containsExactly(TrustReason.MalformedPolicy);
      assertThat(v.explanation()).startsWith("the trust policy is not a valid IAM policy: ").doesNotContain("could not be evaluated");
    }
  }
}
