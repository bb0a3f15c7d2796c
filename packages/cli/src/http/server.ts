/**
 * The runtime's HTTP server (`opencdc run --http host:port`): health (`/healthz`, `/readyz`),
 * Prometheus metrics (`/metrics`), a read-only JSON API after Conduit's (`/v1/…`, `/info`) and
 * the page at `/` (static files shipped in `src/http/page/`, polling the JSON API). Node's own
 * `http`: a handful of GET routes need no framework.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppLogger } from '../log.js';
import { type ApiSource, apiGet } from './api.js';
import { readiness } from './health.js';
import { createMetrics } from './metrics.js';

export interface HttpServer {
  /** `http://host:port` as listening (the port chosen when `:0` was asked). */
  readonly url: string;
  close(): Promise<void>;
}

// `../../src/http/page/` is the same folder from `src/http/` (tests) and `dist/http/` (installed).
const PAGE_DIR = new URL('../../src/http/page/', import.meta.url);
const PAGE_FILES: { readonly [path: string]: { file: string; type: string } } = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
  '/page.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
};

/** `host:port`, `:port` or `port` → [host, port]; the default host is 127.0.0.1 (local only). */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]*):)?(\d+)$/.exec(listen.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535)
    throw new Error(`--http must be host:port (e.g. 127.0.0.1:8080), got "${listen}"`);
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '') || '127.0.0.1';
  return { host, port };
}

export async function startHttpServer(
  listen: string,
  src: ApiSource,
  logger: AppLogger,
): Promise<HttpServer> {
  const { host, port } = parseListen(listen);
  const stats = [...src.stats.values()];
  const metrics = createMetrics(stats, (pipeline, err) =>
    logger.debug('connector metrics left out of a scrape', {
      pipeline,
      error: (err as Error).message,
    }),
  );
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.warn('http request failed', { path: req.url, error: (err as Error).message });
      if (!res.headersSent) send(res, 500, { code: 13, message: 'server error', details: [] });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, { code: 12, message: 'only GET is served', details: [] });
    }
    const path = url.pathname.replace(/(.)\/+$/, '$1');
    if (path === '/healthz') return send(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const r = readiness(stats);
      return send(res, r.ready ? 200 : 503, r);
    }
    if (path === '/metrics') {
      const body = await metrics.scrape();
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const page = PAGE_FILES[path];
    if (page) {
      const body = await readFile(new URL(page.file, PAGE_DIR));
      res.writeHead(200, { 'content-type': page.type, 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const body = apiGet(src, path, url.searchParams);
    if (body === undefined)
      return send(res, 404, { code: 5, message: `${path}: not found`, details: [] });
    return send(res, 200, body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  return {
    url,
    async close() {
      metrics.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
