import { describe, expect, it } from 'vitest';
import { freePorts } from './ports.js';
import { servicesEnvFile } from './services.js';
import { waitFor } from './wait.js';

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : 0), { interval: 1 })).resolves.toBe(3);
  });

  it('treats throwing predicates as not yet and names the last error on timeout', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { timeout: 30, interval: 5, description: 'the broker' },
      ),
    ).rejects.toThrow(
      /timed out after 30 ms waiting for the broker \(last error: connection refused\)/,
    );
  });

  it('gives up early when abort reports a reason', async () => {
    await expect(
      waitFor(() => false, { abort: () => 'the process exited (code 1)', description: 'Kafka' }),
    ).rejects.toThrow('gave up waiting for Kafka: the process exited (code 1)');
  });
});

describe('freePorts', () => {
  it('returns distinct ports', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const p of ports) expect(p).toBeGreaterThan(0);
  });
});

describe('servicesEnvFile', () => {
  it('exports the three variables', () => {
    expect(
      servicesEnvFile({
        pgUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
        kafkaBrokers: ['127.0.0.1:9092'],
        kafka39Brokers: ['127.0.0.1:9093', '127.0.0.1:9094'],
      }),
    ).toBe(
      "export PG_URL='postgres://postgres@127.0.0.1:5432/postgres'\n" +
        "export KAFKA_BROKERS='127.0.0.1:9092'\n" +
        "export KAFKA_BROKERS_39='127.0.0.1:9093,127.0.0.1:9094'\n",
    );
  });
});
