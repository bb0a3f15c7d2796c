import { ConfigError, TransientError } from '@opencdc-ts/sdk';

/** kafkajs wraps errors in retry errors; walk the chain to the root causes. */
interface Cause {
  name: string;
  message: string;
  code?: string;
  type?: string;
}

function chain(err: unknown): Cause[] {
  const out: Cause[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 8 && cur instanceof Error; i++) {
    const code = (cur as { code?: unknown }).code;
    const type = (cur as { type?: unknown }).type;
    out.push({
      name: cur.name,
      message: cur.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof type === 'string' ? { type } : {}),
    });
    const next =
      (cur as { originalError?: unknown }).originalError ?? (cur as { cause?: unknown }).cause;
    cur = next;
  }
  return out;
}

const CERT_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_SSL|ERR_TLS|EPROTO|wrong version number/i;

/**
 * Turns a connection-time failure into one of the connector error kinds, naming the servers
 * and the likely fix: bad credentials and certificates are configuration errors (retrying does
 * not help); an unreachable broker is transient (it may come back).
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
        c.name === 'KafkaJSConnectionError' ||
        c.name === 'KafkaJSBrokerNotFound' ||
        c.name === 'KafkaJSRequestTimeoutError' ||
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
  return new TransientError(`Kafka at "${servers}" failed: ${detail}`, { cause: err });
}
