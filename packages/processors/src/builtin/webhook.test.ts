import { createRecord, type OpenCDCRecord } from '@opencdc-ts/commons';
import { ConfigErrors, type Logger } from '@opencdc-ts/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChain } from '../chain.js';
import { webhookHttp } from './webhook.js';
import { type ExampleServer, startExampleServer } from './webhook.test-helper.js';

const logs: unknown[][] = [];
const logger: Logger = {
  debug: (...a) => logs.push(a),
  info() {},
  warn() {},
  error() {},
};
const enc = new TextEncoder();
const dec = new TextDecoder();
let server: ExampleServer;

beforeAll(async () => {
  server = await startExampleServer();
});
afterAll(() => server.close());

const chainOf = (settings: { [k: string]: string }) =>
  createChain([{ id: 'hook', processor: webhookHttp, settings }], { logger });

const rec = (after: { [k: string]: unknown } | Uint8Array) =>
  createRecord({ position: enc.encode('p'), key: { id: 1 }, after: after as never });

describe('webhook.http', () => {
  it('sends method, headers and the rendered body; stores body bytes and status', async () => {
    server.requests.length = 0;
    const chain = await chainOf({
      'request.url': `${server.url}/`,
      'request.method': 'post',
      'request.body': '{{ .Payload.After.name }}',
      'headers.Authorization': 'Bearer k',
      'response.body': '.Payload.After.reply',
      'response.status': '.Metadata.status',
    });
    const [out] = (await chain.process([rec({ name: 'ada' })])) as OpenCDCRecord[];
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/', body: 'ada' });
    expect(server.requests[0]!.headers).toMatchObject({
      authorization: 'Bearer k',
      'content-type': 'application/json',
    });
    expect(dec.decode((out!.payload.after as { reply: Uint8Array }).reply)).toBe('hello, ada');
    expect(out!.metadata.get('status')).toBe('200');
  });

  it('sends the whole record with {{ toJson . }}', async () => {
    server.requests.length = 0;
    const chain = await chainOf({ 'request.url': server.url, 'request.body': '{{ toJson . }}' });
    await chain.process([rec({ name: 'ada' })]);
    expect(JSON.parse(server.requests[0]!.body)).toMatchObject({
      operation: 'create',
      key: { id: 1 },
      payload: { after: { name: 'ada' } },
    });
  });

  it('retries failures and 5xx with backoff min * factor^n, then succeeds', async () => {
    server.requests.length = 0;
    logs.length = 0;
    server.failNext.push(503, 500);
    const chain = await chainOf({
      'request.url': server.url,
      'backoffRetry.count': '2',
      'backoffRetry.min': '20ms',
      'backoffRetry.factor': '3',
    });
    const started = Date.now();
    const [out] = await chain.process([rec(enc.encode('x'))]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 60 - 5);
    expect(server.requests).toHaveLength(3);
    expect(dec.decode((out as OpenCDCRecord).payload.after as Uint8Array)).toBe('hello, ');
    expect(
      logs.map((l) => (l[1] as { 'backoffRetry.duration': number })['backoffRetry.duration']),
    ).toEqual([20, 60]);
  });

  it('a 4xx is a response, not a failure; running out of retries is a record error', async () => {
    server.failNext.push(404);
    const ok = await chainOf({ 'request.url': server.url, 'response.status': '.Metadata.s' });
    expect(((await ok.process([rec({})]))[0] as OpenCDCRecord).metadata.get('s')).toBe('404');
    server.failNext.push(500, 500);
    const failing = await chainOf({
      'request.url': server.url,
      'backoffRetry.count': '1',
      'backoffRetry.min': '1ms',
    });
    const [out] = await failing.process([rec({})]);
    expect('error' in out! && out.error.message).toMatch(
      /processor "hook" \(webhook.http\): error status code 500/,
    );
    const unreachable = await chainOf({ 'request.url': 'http://127.0.0.1:1/' });
    const [down] = await unreachable.process([rec({})]);
    expect('error' in down!).toBe(true);
  });

  it('refuses a content type given twice and one field for body and status', async () => {
    await expect(
      chainOf({
        'request.url': server.url,
        'request.contentType': 'text/plain',
        'headers.content-type': 'x',
      }),
    ).rejects.toThrow(ConfigErrors);
    await expect(
      chainOf({ 'request.url': server.url, 'response.status': '.Payload.After' }),
    ).rejects.toThrow(/same field/);
    await expect(chainOf({ 'request.url': 'not a url' })).rejects.toThrow(
      /processors.hook.settings.request.url/,
    );
  });
});
