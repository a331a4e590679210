package dev.mlops.datastore.aws;

import java.util.Locale;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** {@link StsGateway} over the AWS SDK, one client per region. */
public final class SdkStsGateway implements StsGateway {
  private final Function<String, StsClient> clientForRegion;

  public SdkStsGateway(Function<String, StsClient> clientForRegion) {
    this.clientForRegion = clientForRegion;
  }

  @Override
  public SessionCredentials assumeRoleWithWebIdentity(String roleArn, String token, String sessionName, String region) {
    try {
      AssumeRoleWithWebIdentityResponse r =
          clientForRegion.apply(region).assumeRoleWithWebIdentity(b -> b.roleArn(roleArn).webIdentityToken(token).roleSessionName(sessionName).durationSeconds(900));
      String arn = r.assumedRoleUser().arn();
      return new SessionCredentials(
          r.credentials().accessKeyId(), r.credentials().secretAccessKey(), r.credentials().sessionToken(),
          r.credentials().expiration(), new CallerIdentity(arn, arn.split(":")[4]));
    } catch (AwsServiceException e) {
      AwsCallException classified = AwsErrors.classify("sts:AssumeRoleWithWebIdentity", e);
      if (classified.kind() == AwsCallException.Kind.TRANSIENT) {
        throw classified;
      }
      throw new WebIdentityException(webIdentityReason(e), classified.getMessage());
    } catch (SdkException e) {
      throw AwsErrors.classify("sts:AssumeRoleWithWebIdentity", e);
    }
  }

  @Override
  public CallerIdentity callerIdentity(AwsCredentials credentials, String region) {
    try {
      GetCallerIdentityResponse r =
          clientForRegion.apply(region).getCallerIdentity(b -> b.overrideConfiguration(o -> o.credentialsProvider(StaticCredentialsProvider.create(credentials))));
      return new CallerIdentity(r.arn(), r.account());
    } catch (SdkException e) {
      throw AwsErrors.classify("sts:GetCallerIdentity", e);
    }
  }

  /** Maps STS's answer to the reason codes of docs/conditions.md. */
  static String webIdentityReason(AwsServiceException e) {
    String code = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
    String message = e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
        ? "" : e.awsErrorDetails().errorMessage().toLowerCase(Locale.ROOT);
    if (code.equals("InvalidIdentityToken")) {
      if (message.contains("no openidconnect provider")) {
        return "OidcProviderNotFound";
      }
      if (message.contains("audience")) {
        return "AudienceNotAccepted";
      }
      return "InvalidIdentityToken";
    }
    if (code.equals("ExpiredTokenException")) {
      return "TokenExpired";
    }
    if (code.equals("AccessDenied")) {
      return "SubjectNotAllowed";
    }
    if (code.equals("ValidationError") && message.contains("arn")) {
      return "InvalidRoleArn";
    }
    if (code.equals("IDPRejectedClaim")) {
      return "SubjectNotAllowed";
    }
    return "StsDenied";
  }
}
