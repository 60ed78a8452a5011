// zhengce serve: an output folder over HTTP on the loopback, with the range requests DuckDB-WASM and download managers use.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';

/** The store, raw snapshots and the run lock are not part of the published site. */
const PRIVATE = /^\/(store\.duckdb|raw\/|run\.lock|status\.json)/;

export interface SiteServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1:`port` (0: any free port); `/` leads to the latest release. */
export async function serveSite(dir: string, port: number): Promise<SiteServer> {
  // dev: files are looked up per request, so a release published while serving appears.
  const files = sirv(dir, { dev: true, etag: true, dotfiles: false });
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (path === '/') {
      res.writeHead(302, { location: '/latest/' }).end();
      return;
    }
    if (PRIVATE.test(path)) {
      res.writeHead(404).end('not published');
      return;
    }
    files(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { server, url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
