// HTTP/1.1 written byte for byte on a loopback socket: what `curl --path-as-is` sends, where fetch would normalise the path.
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends `requestLine` (e.g. `GET //[ HTTP/1.1`, or bytes) with `headers` and Connection: close to the server at `base`, and reads the whole answer. */
export function rawRequest(base: string, requestLine: string | Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  const head = Buffer.concat([
    typeof requestLine === 'string' ? Buffer.from(requestLine, 'latin1') : requestLine,
    Buffer.from(
      `\r\n${Object.entries({ host: `${hostname}:${port}`, ...headers, connection: 'close' })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n`,
      'latin1',
    ),
  ]);
  return new Promise((resolve, reject) => {
    // Written, not ended: a half-closed socket may be closed by the server before it answers; Connection: close ends it.
    const socket = connect(Number(port), hostname, () => socket.write(head));
    const chunks: Buffer[] = [];
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer within 15 s to ${JSON.stringify(String(requestLine).slice(0, 200))}`)));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(all.subarray(0, Math.max(end, 0)).toString('latin1'));
      if (end < 0 || !status)
        return reject(new Error(`no HTTP answer to ${JSON.stringify(String(requestLine).slice(0, 200))} (the server closed the connection: ${JSON.stringify(all.toString('latin1').slice(0, 200))})`));
      const headers: Record<string, string> = {};
      for (const line of all.subarray(0, end).toString('latin1').split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(status[1]), headers, body: all.subarray(end + 4) });
    });
  });
}

/** `GET path` with no normalisation of `path`. */
export const rawGet = (base: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> => rawRequest(base, `GET ${path} HTTP/1.1`, headers);
