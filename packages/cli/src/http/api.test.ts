import { describe, expect, it } from 'vitest';
import { maskSecrets } from './api.js';
import { parseListen } from './server.js';

describe('maskSecrets', () => {
  it('masks secret-looking keys and URL passwords, keeps the rest', () => {
    expect(
      maskSecrets({
        url: 'postgres://app:s3cr%40t@db:5432/shop?sslmode=require',
        saslPassword: 'pw',
        'tls.key': '-----BEGIN PRIVATE KEY-----',
        'headers.Authorization.token': 'abc',
        servers: 'k1:9092,k2:9092',
        tables: 'public.*',
        empty: '',
      }),
    ).toEqual({
      url: 'postgres://app:***@db:5432/shop?sslmode=require',
      saslPassword: '***',
      'tls.key': '***',
      'headers.Authorization.token': '***',
      servers: 'k1:9092,k2:9092',
      tables: 'public.*',
      empty: '',
    });
  });

  it('leaves a URL without a password as it is', () => {
    expect(maskSecrets({ url: 'postgres://app@db/shop' }).url).toBe('postgres://app@db/shop');
  });
});

describe('parseListen', () => {
  it('host:port, :port, port and [ipv6]:port; local by default', () => {
    expect(parseListen('0.0.0.0:8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseListen(':9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseListen('8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
  });

  it('refuses what is not host:port', () => {
    expect(() => parseListen('localhost')).toThrow(/host:port/);
    expect(() => parseListen('h:70000')).toThrow(/host:port/);
  });
});
