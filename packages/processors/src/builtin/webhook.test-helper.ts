/** A local HTTP server answering like the server in Conduit's webhook.http examples. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExampleServer {
  url: string;
  /** Requests seen, in order. */
  requests: { method: string; path: string; body: string; headers: IncomingMessage['headers'] }[];
  /** Statuses to answer the next requests with (then 200). */
  failNext: number[];
  /** The settings with the examples' address replaced by this server's. */
  rewrite(settings: { [k: string]: string }): { [k: string]: string };
  close(): Promise<void>;
}

/** `/` answers `hello, <body>`; `/<name>` answers `hello, <name>!`. */
export async function startExampleServer(): Promise<ExampleServer> {
  const requests: ExampleServer['requests'] = [];
  const failNext: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? '', path, body, headers: req.headers });
      const fail = failNext.shift();
      if (fail !== undefined) {
        res.writeHead(fail).end('failed');
        return;
      }
      res.writeHead(200).end(path === '/' ? `hello, ${body}` : `hello, ${path.slice(1)}!`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    failNext,
    rewrite: (settings) =>
      Object.fromEntries(
        Object.entries(settings).map(([k, v]) => [k, v.replaceAll('http://127.0.0.1:54321', url)]),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
