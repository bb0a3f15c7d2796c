/**
 * `webhook.http`: one HTTP request per record (URL and body are Go templates over the record);
 * the response body (and optionally the status) is stored in the record. A failed request or a
 * status of 500 or more is retried `backoffRetry.count` times, waiting min * factor^attempt
 * (at most max) between attempts, as Conduit's processor does.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { type FieldReference, type ProcessedRecord, param } from '@opencdc-ts/sdk';
import { builtin, invalid, REFERENCE_DOC, reference, template } from './define.js';

interface Response {
  status: number;
  body: Uint8Array;
}

/** node:http rather than fetch: Conduit sends bodies with GET too, which fetch refuses. */
function send(
  method: string,
  url: string,
  headers: { [k: string]: string },
  body: string | undefined,
  signal?: AbortSignal,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    // A GET body needs an explicit length (Node does not chunk GET requests).
    const all =
      body === undefined
        ? headers
        : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      { method, headers: all, ...(signal ? { signal } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: new Uint8Array(Buffer.concat(chunks)) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

export const webhookHttp = builtin({
  name: 'webhook.http',
  summary: 'Trigger an HTTP request for every record.',
  description:
    'Sends an HTTP request per record and stores the response body (and, optionally, the status) in the record. A request that fails, or answers with a status of 500 or more, is retried per backoffRetry.*; when retries run out the record fails (dead letter per the pipeline).',
  params: {
    'backoffRetry.count': param.float({
      default: 0,
      greaterThan: -1,
      description: 'How many times a failed request is retried (0: not retried).',
    }),
    'backoffRetry.factor': param.float({
      default: 2,
      greaterThan: 0,
      description: 'The wait grows by this factor after each retry.',
    }),
    'backoffRetry.max': param.duration({
      default: '5s',
      description: 'The longest wait between retries.',
    }),
    'backoffRetry.min': param.duration({
      default: '100ms',
      description: 'The wait before the first retry.',
    }),
    'headers.*': param.string({
      description:
        'Request headers, e.g. `headers.Authorization: "Bearer key"`. Content-Type defaults to application/json.',
    }),
    'request.body': param.string({
      description:
        'The request body: a Go template over the record (default: empty). `{{ toJson . }}` sends the whole record as OpenCDC JSON.',
    }),
    'request.contentType': param.string({
      description: 'Deprecated: use `headers.Content-Type` instead.',
    }),
    'request.method': param.string({ default: 'GET', description: 'The HTTP method.' }),
    'request.url': param.string({
      required: true,
      description:
        'The URL: a Go template over the record, e.g. `https://api.example.com/users/{{ .Key.id }}`.',
    }),
    'response.body': param.string({
      default: '.Payload.After',
      description: `The field the response body (bytes) is stored in. ${REFERENCE_DOC}`,
    }),
    'response.status': param.string({
      description: `The field the response status is stored in (as text); not stored when empty. ${REFERENCE_DOC}`,
    }),
  },
  create(config, ctx) {
    const headers: { [k: string]: string } = {};
    for (const h of config['headers.*']) headers[h.wildcards[0]!] = h.value;
    const hasContentType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
    const contentType = config['request.contentType'];
    if (hasContentType && contentType)
      invalid(
        'request.contentType',
        contentType,
        'cannot provide both "request.contentType" and "headers.Content-Type"',
        'use headers.Content-Type only',
      );
    if (!hasContentType) headers['Content-Type'] = contentType || 'application/json';
    const bodyRef = config['response.body'];
    const statusRef = config['response.status'];
    if (bodyRef === statusRef)
      invalid(
        'response.status',
        statusRef ?? '',
        'response.body and response.status set to the same field',
        'store them in different fields',
      );
    const responseBody = reference('response.body', bodyRef);
    const responseStatus: FieldReference | undefined = statusRef
      ? reference('response.status', statusRef)
      : undefined;
    const bodyText = config['request.body'];
    const renderBody = bodyText?.includes('{{')
      ? template('request.body', bodyText)
      : () => bodyText || undefined;
    const urlText = config['request.url'];
    const renderUrl = urlText.includes('{{') ? template('request.url', urlText) : () => urlText;
    if (!urlText.includes('{{')) {
      try {
        new URL(urlText);
      } catch {
        invalid(
          'request.url',
          urlText,
          'a URL',
          'write an absolute URL such as http://localhost:8080/hook',
        );
      }
    }
    const method = config['request.method'].toUpperCase();
    const retries = config['backoffRetry.count'];
    const {
      'backoffRetry.factor': factor,
      'backoffRetry.min': min,
      'backoffRetry.max': max,
    } = config;

    async function once(r: OpenCDCRecord, signal?: AbortSignal): Promise<OpenCDCRecord> {
      let url: string;
      let body: string | undefined;
      try {
        body = renderBody(r);
        url = renderUrl(r);
      } catch (e) {
        throw new Error(`cannot create HTTP request: ${(e as Error).message}`);
      }
      const res = await send(method, url, headers, body, signal);
      if (res.status >= 500)
        throw new Error(
          `error status code ${res.status} (body: ${JSON.stringify(Buffer.from(res.body).toString())})`,
        );
      let out = responseBody.set(r, res.body);
      if (responseStatus) out = responseStatus.set(out, String(res.status));
      return out;
    }

    async function withRetries(r: OpenCDCRecord, signal?: AbortSignal): Promise<ProcessedRecord> {
      for (let attempt = 0; ; attempt++) {
        try {
          return await once(r, signal);
        } catch (e) {
          if (signal?.aborted) throw e;
          if (attempt >= retries) return { error: e instanceof Error ? e : new Error(String(e)) };
          const wait = Math.min(max, min * factor ** attempt);
          ctx.logger.debug('retrying HTTP request', {
            attempt,
            'backoffRetry.count': retries,
            'backoffRetry.duration': wait,
            error: (e as Error).message,
          });
          await sleep(wait, signal);
        }
      }
    }

    return {
      // Records of a batch go one after another, as in Conduit; `workers` runs slices at once.
      async process(records, signal) {
        const out: ProcessedRecord[] = [];
        for (const r of records) out.push(await withRetries(r, signal));
        return out;
      },
    };
  },
});
