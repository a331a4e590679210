package dev.mlops.datastore.reconciler.awsintegration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.datastore.aws.AwsCallException;
import dev.mlops.datastore.aws.IamRoleReader;
import dev.mlops.datastore.testing.MovableClock;
import dev.mlops.datastore.aws.RoleFacts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoleFactsCacheTest {
  private static final String ROLE = "arn:aws:iam::111122223333:role/r";
  private static final String PROVIDER = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com";
  private static final Duration INTERVAL = Duration.ofMinutes(10);

  /** Answers from a script, counting calls. */
  private static final class ScriptedReader implements IamRoleReader {
    final Deque<Object> answers = new ArrayDeque<>();
    int calls;

    @Override
    public RoleFacts read(String roleArn, String providerArn, boolean withAttachedPolicies) {
      calls++;
      Object next = answers.isEmpty() ? facts() : answers.pop();
      if (next instanceof AwsCallException e) {
        throw e;
      }
      return (RoleFacts) next;
    }
  }

  private static RoleFacts facts() {
    return new RoleFacts("{}", new RoleFacts.Found(List.of("sts.amazonaws.com")), null);
  }

  private final MovableClock clock = new MovableClock(Instant.parse("2026-11-22T10:00:00Z"));
  private final ScriptedReader reader = new ScriptedReader();
  private final RoleFactsCache cache = new RoleFactsCache(reader, clock);

  @Test
  void shouldAskIamOncePerIntervalUnlessRefreshed() {
    cache.get(ROLE, PROVIDER, false, INTERVAL, false);
    clock.advance(Duration.ofMinutes(9));
    cache.get(ROLE, PROVIDER, false, INTERVAL, false);
    assertThat(reader.calls).isEqualTo(1);

    clock.advance(Duration.ofMinutes(1));
    cache.get(ROLE, PROVIDER, false, INTERVAL, false);
    assertThat(reader.calls).isEqualTo(2);

    cache.get(ROLE, PROVIDER, false, INTERVAL, true);
    assertThat(reader.calls).isEqualTo(3);
  }

  @Test
  void shouldKeepALastingFailureButRethrowATransientOne() {
    reader.answers.push(new AwsCallException(AwsCallException.Kind.ACCESS_DENIED, "iam:GetRole", "AccessDenied", "no", null));
    RoleFactsCache.Entry denied = cache.get(ROLE, PROVIDER, false, INTERVAL, false);
    assertThat(denied.failure().kind()).isEqualTo(AwsCallException.Kind.ACCESS_DENIED);
    assertThat(cache.get(ROLE, PROVIDER, false, INTERVAL, false)).isSameAs(denied);

    reader.answers.push(new AwsCallException(AwsCallException.Kind.TRANSIENT, "iam:GetRole", "Throttling", "slow down", null));
    assertThatThrownBy(() -> cache.get(ROLE, PROVIDER, false, INTERVAL, true)).isInstanceOf(AwsCallException.class);
    assertThat(cache.get(ROLE, PROVIDER, false, INTERVAL, true).facts()).isNotNull();
  }

  @Test
  void shouldKeepRolesApart() {
    cache.get(ROLE, PROVIDER, false, INTERVAL, false);
    cache.get(ROLE + "2", PROVIDER, false, INTERVAL, false);
    cache.get(ROLE, PROVIDER, true, INTERVAL, false);

    assertThat(reader.calls).isEqualTo(3);
  }

  @Test
  void shouldDropAnswersPastTheirIntervalAndThoseOfAForgottenRole() {
    cache.get(ROLE, PROVIDER, false, INTERVAL, false);
    cache.get(ROLE, PROVIDER, true, INTERVAL, false);
    cache.get(ROLE + "2", PROVIDER, false, Duration.ofMinutes(30), false);
    assertThat(cache.size()).isEqualTo(3);

    cache.forget(ROLE);
    assertThat(cache.size()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(31));
    cache.get(ROLE + "3", PROVIDER, false, INTERVAL, false);
    assertThat(cache.size()).isEqualTo(1); // only the one just read
  }
}
