/** TLS for the throwaway Kafka: a throwaway CA, the broker's certificate and the SSL listener. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ListenerSecurity } from './kafka-config.js';

/** A self-signed CA certificate (`pemFile`, PEM) and its key, for `days` days. */
export function selfSignedCa(keyFile: string, pemFile: string, cn: string, days: number): void {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', pemFile].concat([
      '-days',
      String(days),
      '-subj',
      `/CN=${cn}`,
    ]),
    { stdio: 'pipe' },
  );
}

/** A throwaway CA and a broker certificate (127.0.0.1, localhost) it signed, as a PKCS12 keystore. */
export function makeCertificates(
  dir: string,
  password: string,
): { keystore: string; caPem: string } {
  const tlsDir = join(dir, 'tls');
  mkdirSync(tlsDir);
  const f = (name: string) => join(tlsDir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const days = ['-days', '7'];
  selfSignedCa(f('ca.key'), f('ca.pem'), 'opencdc-test-ca', 7);
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('broker.key'),
    '-out',
    f('broker.csr'),
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    f('broker.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('broker.pem'),
    ...days,
    '-extfile',
    f('ext.cnf'),
  );
  openssl(
    'pkcs12',
    '-export',
    '-in',
    f('broker.pem'),
    '-inkey',
    f('broker.key'),
    '-certfile',
    f('ca.pem'),
    '-name',
    'broker',
    '-out',
    f('broker.p12'),
    '-passout',
    `pass:${password}`,
  );
  return { keystore: f('broker.p12'), caPem: readFileSync(f('ca.pem'), 'utf8') };
}

/** The SSL listener's properties (no client authentication). */
export function tlsListener(port: number, keystore: string, password: string): ListenerSecurity {
  const l = 'listener.name.ssl';
  return {
    listeners: [`SSL://127.0.0.1:${port}`],
    protocols: ['SSL:SSL'],
    props: {
      [`${l}.ssl.keystore.type`]: 'PKCS12',
      [`${l}.ssl.keystore.location`]: keystore,
      [`${l}.ssl.keystore.password`]: password,
      [`${l}.ssl.key.password`]: password,
      [`${l}.ssl.client.auth`]: 'none',
    },
  };
}
