import { ConfigError, causeChain, TransientError } from '@opencdc-ts/sdk';

/** One error of a kafkajs error's cause chain (kafkajs wraps errors in retry errors). */
interface Cause {
  name: string;
  message: string;
  code?: string;
  type?: string;
}

function chain(err: unknown): Cause[] {
  const out: Cause[] = [];
  for (const e of causeChain(err)) {
    if (!(e instanceof Error)) break;
    const { code, type } = e as { code?: unknown; type?: unknown };
    out.push({
      name: e.name,
      message: e.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof type === 'string' ? { type } : {}),
    });
  }
  return out;
}

/** The Kafka protocol error type (`MESSAGE_TOO_LARGE`, ...) in `err`'s cause chain, if any. */
export function kafkaErrorType(err: unknown): string | undefined {
  for (const c of chain(err)) if (c.type !== undefined) return c.type;
  return undefined;
}

const CERT_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_SSL|ERR_TLS|EPROTO|wrong version number/i;

/**
 * The Kafka client's boundary: turns a kafkajs failure (connecting, sending, committing) into one
 * of the sdk's error classes, naming the servers and the likely fix. Bad credentials and
 * certificates are `ConfigError`s (retrying does not help); an unreachable broker, a closed
 * connection, timeouts, retriable KafkaJS errors and anything else kafkajs gave up on (its own
 * retries exhausted) are `TransientError`s: the cluster may come back. The runtime decides by
 * these classes only.
 */
export function classifyConnectError(err: unknown, servers: string): Error {
  if (err instanceof ConfigError || err instanceof TransientError) return err;
  const causes = chain(err);
  const text = causes.map((c) => `${c.name}: ${c.message}${c.code ? ` (${c.code})` : ''}`);
  const detail = text.join(' <- ');
  if (causes.some((c) => c.name === 'KafkaJSSASLAuthenticationError')) {
    // The password is the usual culprit; it is never echoed (value stays unset).
    return new ConfigError(
      {
        parameter: 'saslPassword',
        value: undefined,
        rule: `SASL authentication accepted by ${servers}`,
        fix: `the broker refused the credentials: check saslUsername and saslPassword (and that saslMechanism is the one the user was created for) (broker said: ${detail})`,
      },
      { cause: err },
    );
  }
  if (
    causes.some((c) =>
      /SASL state|UNSUPPORTED_SASL_MECHANISM|ILLEGAL_SASL_STATE/.test(
        `${c.message} ${c.type ?? ''}`,
      ),
    )
  ) {
    return new ConfigError(
      {
        parameter: 'saslMechanism',
        value: undefined,
        rule: `a SASL mechanism the listener at ${servers} accepts`,
        fix: `check that this listener uses SASL and enables the mechanism, or remove the SASL settings (broker said: ${detail})`,
      },
      { cause: err },
    );
  }
  if (causes.some((c) => /before secure TLS connection was established/.test(c.message))) {
    return new ConfigError(
      {
        parameter: 'tls.enabled',
        value: 'true',
        rule: `a TLS listener at ${servers}`,
        fix: `the broker closed the TLS handshake: the listener is probably plaintext; set tls.enabled=false or use the TLS port (${detail})`,
      },
      { cause: err },
    );
  }
  if (causes.some((c) => CERT_CODES.test(c.code ?? '') || CERT_CODES.test(c.message))) {
    return new ConfigError(
      {
        parameter: 'caCert',
        value: undefined,
        rule: `TLS handshake with ${servers}`,
        fix: `check tls.enabled, caCert, clientCert and clientKey match the broker's listener (or set insecureSkipVerify for testing) (${detail})`,
      },
      { cause: err },
    );
  }
  if (
    causes.some(
      (c) =>
        /^KafkaJS(Connection|ConnectionClosed|RequestTimeout|NoBrokerAvailable)Error$/.test(
          c.name,
        ) ||
        c.name === 'KafkaJSBrokerNotFound' ||
        /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|Connection timeout/i.test(
          `${c.code ?? ''} ${c.message}`,
        ),
    )
  ) {
    return new TransientError(
      `cannot reach Kafka at servers "${servers}": ${detail}. Fix: check that the brokers run and that "servers" lists reachable host:port pairs (and tls.enabled matches the listener)`,
      { cause: err },
    );
  }
  // Retriable KafkaJS errors (a leader moved, a coordinator is loading) and whatever kafkajs
  // gave up on after its own retries: the cluster may recover, so retried with backoff.
  return new TransientError(`Kafka at "${servers}" failed: ${detail}`, { cause: err });
}
