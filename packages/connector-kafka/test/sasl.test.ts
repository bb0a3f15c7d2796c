import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecord } from '@opencdc-ts/commons';
import type { Destination, Source } from '@opencdc-ts/sdk';
import { KAFKA_VERSIONS, type KafkaService, selfSignedCa, startKafka } from '@opencdc-ts/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTopics, destination, readN, source, text, unique } from './helpers.js';

const alice = { username: 'alice', password: 'alice-secret-1' };

/** An unrelated self-signed CA: the broker's certificate does not verify against it. */
function otherCa(): string {
  const dir = mkdtempSync(join(tmpdir(), 'opencdc-other-ca-'));
  try {
    const file = join(dir, 'ca.pem');
    selfSignedCa(join(dir, 'ca.key'), file, 'not-the-broker-ca', 1);
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A dedicated broker per version with a SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256,
// SCRAM-SHA-512) and an SSL listener whose certificate a throwaway CA signed.
describe.each([KAFKA_VERSIONS.v4, KAFKA_VERSIONS.v3])(
  'authentication and TLS (dedicated Kafka %s)',
  (version) => {
    let service: KafkaService;
    const open: (Source | Destination)[] = [];
    beforeAll(async () => {
      service = await startKafka({
        version,
        sasl: { users: [alice] },
        tls: true,
        fastStartup: true,
      });
    });
    afterEach(async () => {
      for (const c of open.splice(0)) await c.teardown().catch(() => undefined);
    });
    afterAll(async () => {
      await service?.stop();
    });

    /** Writes three records through the destination and reads them back through the source. */
    async function roundTrip(settings: { [k: string]: string }): Promise<void> {
      const topic = unique('auth');
      await createTopics(service.brokers, [topic]);
      const dest = destination({ ...settings, topic, valueFormat: 'payload' });
      open.push(dest);
      await dest.open();
      const records = [1, 2, 3].map((i) =>
        createRecord({
          position: new Uint8Array(0),
          key: new TextEncoder().encode(`k${i}`),
          after: { i },
        }),
      );
      await dest.write(records);
      const src = source({ ...settings, topics: topic, readFromBeginning: 'true' });
      open.push(src);
      await src.open(undefined);
      const got = await readN(src, 3);
      expect(got.map((r) => text(r.payload.after))).toEqual(['{"i":1}', '{"i":2}', '{"i":3}']);
      await src.ack([got[2]!.position]);
    }

    it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])(
      'writes and reads with SASL %s',
      async (mechanism) => {
        await roundTrip({
          servers: service.saslBrokers!.join(','),
          saslMechanism: mechanism,
          saslUsername: alice.username,
          saslPassword: alice.password,
        });
      },
    );

    it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])(
      'a wrong SASL %s password is a ConfigError naming the credentials',
      async (mechanism) => {
        const settings = {
          servers: service.saslBrokers!.join(','),
          saslMechanism: mechanism,
          saslUsername: alice.username,
          saslPassword: 'wrong-password',
        };
        for (const c of [
          source({ ...settings, topics: 'anything' }),
          destination({ ...settings, topic: 'anything' }),
        ]) {
          open.push(c);
          const err = await c.open(undefined).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).toMatchObject({ name: 'ConfigError', parameter: 'saslPassword' });
          expect((err as Error).message).toMatch(/saslUsername/);
          expect((err as Error).message).not.toContain('wrong-password');
        }
      },
    );

    it('SASL settings against the plaintext listener are a ConfigError naming saslMechanism', async () => {
      const src = source({
        servers: service.brokers.join(','),
        topics: 'anything',
        saslMechanism: 'SCRAM-SHA-256',
        saslUsername: alice.username,
        saslPassword: alice.password,
      });
      open.push(src);
      await expect(src.open(undefined)).rejects.toMatchObject({ name: 'ConfigError' });
    });

    it('writes and reads over TLS, trusting the CA given as PEM text', async () => {
      await roundTrip({
        servers: service.tlsBrokers!.join(','),
        'tls.enabled': 'true',
        caCert: service.tlsCaCert!,
      });
    });

    it('a CA that did not sign the broker certificate is a ConfigError naming caCert', async () => {
      const settings = {
        servers: service.tlsBrokers!.join(','),
        'tls.enabled': 'true',
        caCert: otherCa(),
      };
      for (const c of [
        source({ ...settings, topics: 'anything' }),
        destination({ ...settings, topic: 'anything' }),
      ]) {
        open.push(c);
        await expect(c.open(undefined)).rejects.toMatchObject({
          name: 'ConfigError',
          parameter: 'caCert',
        });
      }
    });
  },
);
