import { readFileSync } from 'node:fs';
import { ConfigError, param } from '@opencdc-ts/sdk';
import type { ClientSettings, SaslMechanism } from '../client/types.js';

const SERVER = /^[^\s:,]+:\d{1,5}$/;

/** Parameters shared by the source and the destination (upstream names). */
export const commonParams = {
  servers: param.list({
    required: true,
    description: 'Kafka bootstrap servers, a comma-separated list of host:port.',
    regex: SERVER,
  }),
  clientID: param.string({
    default: 'opencdc-ts-kafka',
    description:
      'Client id sent to the brokers (shows up in broker logs and quotas). Differs from Conduit on purpose (conduit-connector-kafka): it names this runtime.',
  }),
  'tls.enabled': param.bool({
    default: false,
    description: 'Connect with TLS. Implied when caCert, clientCert or clientKey is set.',
  }),
  clientCert: param.string({
    description: 'Client certificate for mutual TLS: PEM text or a path to a PEM file.',
  }),
  clientKey: param.string({
    description: 'Private key of clientCert: PEM text or a path to a PEM file.',
  }),
  caCert: param.string({
    description:
      'CA certificate(s) to trust instead of the system roots: PEM text or a path to a PEM file.',
  }),
  insecureSkipVerify: param.bool({
    default: false,
    description: "Accept any broker certificate (don't verify it). For testing only.",
  }),
  saslMechanism: param.string({
    inclusion: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
    description: 'SASL mechanism; set together with saslUsername and saslPassword.',
  }),
  saslUsername: param.string({ description: 'SASL user name.' }),
  saslPassword: param.string({ description: 'SASL password.' }),
} as const;

export interface CommonConfig {
  servers: string[];
  clientID: string;
  'tls.enabled': boolean;
  clientCert?: string | undefined;
  clientKey?: string | undefined;
  caCert?: string | undefined;
  insecureSkipVerify: boolean;
  saslMechanism?: string | undefined;
  saslUsername?: string | undefined;
  saslPassword?: string | undefined;
}

/** PEM text as given, or the content of the file it names. */
function pem(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value.includes('-----BEGIN') ? value : readPem(name, value);
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text))
    throw new ConfigError({
      parameter: name,
      value: value.length > 60 ? `${value.slice(0, 60)}…` : value,
      rule: 'PEM text or a path to a PEM file',
      fix: 'give the PEM content (-----BEGIN ...-----) or the path of a PEM file',
    });
  return text;
}

function readPem(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      {
        parameter: name,
        value: path,
        rule: 'a readable PEM file',
        fix: `check the path (${(err as Error).message}) or give the PEM text itself`,
      },
      { cause: err },
    );
  }
}

/** Turns the common parameters into client settings; reads certificate files. */
export function clientSettings(c: CommonConfig): ClientSettings {
  const sasl = c.saslMechanism ?? (c.saslUsername ? 'PLAIN' : undefined);
  if (sasl && (!c.saslUsername || c.saslPassword === undefined))
    throw new ConfigError({
      parameter: c.saslUsername ? 'saslPassword' : 'saslUsername',
      value: undefined,
      rule: `required with saslMechanism ${sasl}`,
      fix: 'set saslUsername and saslPassword, or remove saslMechanism',
    });
  if ((c.clientCert === undefined) !== (c.clientKey === undefined))
    throw new ConfigError({
      parameter: c.clientCert === undefined ? 'clientCert' : 'clientKey',
      value: undefined,
      rule: 'clientCert and clientKey are set together',
      fix: 'set both (mutual TLS) or neither',
    });
  const tlsOn =
    c['tls.enabled'] ||
    c.caCert !== undefined ||
    c.clientCert !== undefined ||
    c.insecureSkipVerify;
  return {
    brokers: c.servers,
    clientId: c.clientID,
    tls: tlsOn
      ? {
          ca: pem('caCert', c.caCert),
          cert: pem('clientCert', c.clientCert),
          key: pem('clientKey', c.clientKey),
          insecureSkipVerify: c.insecureSkipVerify,
        }
      : undefined,
    sasl: sasl
      ? {
          mechanism: sasl as SaslMechanism,
          username: c.saslUsername ?? '',
          password: c.saslPassword ?? '',
        }
      : undefined,
  };
}
