// The one HTTP client every network source uses: polite (rate and connection limits, a named
// User-Agent), patient (retries with backoff that honour Retry-After) and defensive (size caps on
// the wire and after decompression, Content-Length checked, a total deadline per request, and a
// budget on the bytes of bodies a source run holds at once).
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, type ZlibOptions } from 'node:zlib';
import { Agent, interceptors, type Dispatcher, type RetryHandler } from 'undici';
import type { Logger } from '../core/effects.ts';
import type { HttpOptions } from './http-options.ts';

export type { HttpOptions };

const USER_AGENT = 'zhengce/0.1 (open-data pipeline of Chinese government policy posts; set source.http.user_agent to add a contact)';

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const RETRY_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** A request that ended without a usable body: a status other than 2xx/304, a transport error, or a size limit. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly url: string;
  /** The final HTTP status, or null when no response came. */
  readonly status: number | null;
  readonly attempts: number;
  /** Response headers of the final answer (for rate-limit hints); never request headers. */
  readonly headers: Readonly<Record<string, string>>;
  constructor(url: string, message: string, details: { status?: number | null; attempts: number; headers?: Record<string, string>; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.url = url;
    this.status = details.status ?? null;
    this.attempts = details.attempts;
    this.headers = details.headers ?? {};
  }
}

export interface HttpResponse {
  url: string;
  /** 2xx, or 304 when a conditional request found nothing new (then `bytes` is empty). */
  status: number;
  etag: string | null;
  lastModified: string | null;
  contentType: string | null;
  /** How the body travelled (gzip, br), or null; `bytes` is always decoded. */
  contentEncoding: string | null;
  bytes: Uint8Array;
  attempts: number;
}

export interface HttpClient {
  /** GETs a URL; throws HttpError unless the answer is 2xx or 304. */
  get(url: string, headers?: Record<string, string>): Promise<HttpResponse>;
  /** Closes the connections the client opened (not an injected dispatcher). */
  close(): Promise<void>;
}

export interface HttpClientDeps {
  logger: Logger;
  /** A dispatcher to use instead of the client's own keep-alive Agent (the caller then closes it). */
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
}

/** Spaces request starts per host at 1/rate s; a Retry-After holds back the whole host, not one request. */
class HostRateLimiter {
  readonly #intervalMs: number;
  readonly #nextStart = new Map<string, number>();
  constructor(ratePerSecond: number) {
    this.#intervalMs = 1000 / ratePerSecond;
  }
  async wait(host: string): Promise<void> {
    const now = Date.now();
    const start = Math.max(now, this.#nextStart.get(host) ?? 0);
    this.#nextStart.set(host, start + this.#intervalMs);
    if (start > now) await sleep(start - now);
  }
  holdUntil(host: string, time: number): void {
    this.#nextStart.set(host, Math.max(this.#nextStart.get(host) ?? 0, time));
  }
}

/** An interceptor placed under the retry one, so that every attempt, retries included, waits its turn. */
function rateLimitInterceptor(limiter: HostRateLimiter): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    void limiter.wait(new URL(String(opts.origin)).host).then(() => dispatch(opts, handler));
    return true;
  };
}

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

interface AttemptLog {
  attempts: number;
  /** Why retrying stopped early, when it was not for running out of retries. */
  gaveUp: string | null;
}

interface RetryErrorShape {
  statusCode?: number;
  code?: string;
  headers?: Record<string, string | string[]>;
}

/** The retry decision for one request: which failures are transient, how long to wait, when to give up. */
function retryPolicy(options: HttpOptions, limiter: HostRateLimiter, logger: Logger, url: string, log: AttemptLog, signal: AbortSignal): RetryHandler.RetryCallback {
  const minDelay = options.min_retry_delay_ms;
  return (err, { state, opts }, callback) => {
    const { statusCode, code, headers } = err as RetryErrorShape;
    // undici wraps retryable statuses in UND_ERR_REQ_RETRY; then the status decides.
    const transient = statusCode !== undefined && code === 'UND_ERR_REQ_RETRY' ? RETRY_STATUSES.has(statusCode) : RETRY_ERROR_CODES.has(code ?? '');
    if (!transient || state.counter > options.retries || signal.aborted) return callback(err);
    const now = Date.now();
    const asked = parseRetryAfter(headerValue(headers?.['retry-after']), now);
    if (asked !== null && asked > options.max_retry_delay_ms) {
      log.gaveUp = `the server asked to retry after ${Math.ceil(asked / 1000)} s, longer than http.max_retry_delay_ms (${options.max_retry_delay_ms} ms)`;
      return callback(err);
    }
    const delay = asked ?? Math.min(minDelay * 2 ** (state.counter - 1), options.max_retry_delay_ms);
    if (asked !== null) limiter.holdUntil(new URL(String(opts.origin)).host, now + asked);
    logger.warn({ url, status: statusCode ?? null, code: code ?? null, attempt: state.counter, retry_in_ms: Math.round(delay) }, 'retrying request');
    // undici forwards an abort only to the attempt in progress, so a wait between attempts must end on it here.
    const stop = () => {
      clearTimeout(timer);
      callback(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      log.attempts = Math.max(log.attempts, state.counter + 1);
      callback(null);
    }, delay);
    signal.addEventListener('abort', stop, { once: true });
  };
}

const attemptsText = (n: number) => `${n} attempt${n === 1 ? '' : 's'}`;

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

/** What went wrong, in words, for a transport error that reached the caller. */
function describeFailure(err: unknown, maxBytes: number): string {
  const { statusCode, code } = err as RetryErrorShape;
  // A 2xx here means the body broke off and the server did not honour a Range request to resume it.
  if (statusCode !== undefined && statusCode < 300) return `the transfer broke off and could not be resumed (${(err as Error).message})`;
  if (statusCode !== undefined) return `HTTP ${statusCode}`;
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return `the body is larger than ${maxBytes} bytes (http.max_response_bytes)`;
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'no answer within http.headers_timeout_ms';
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'the body stalled longer than http.body_timeout_ms';
  if (code === 'UND_ERR_SOCKET') return `the connection broke (${(err as Error).message})`;
  return `${code ? `${code}: ` : ''}${(err as Error).message}`;
}

/** Reads a body while counting, so an oversized one stops early instead of filling memory. */
async function readCapped(body: Dispatcher.ResponseData['body'], limit: number, url: string, attempts: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      body.destroy();
      throw new HttpError(url, `GET ${url}: the body is larger than ${limit} bytes (http.max_response_bytes)`, { attempts });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

const DECOMPRESSORS: Record<string, (buf: Buffer, opts: ZlibOptions) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  br: promisify(brotliDecompress),
};

/** Undoes Content-Encoding with a cap on the output, so a small compressed bomb cannot expand past the limit. */
async function decompress(bytes: Buffer, encoding: string | null, limit: number, url: string, attempts: number): Promise<Buffer> {
  const codings = (encoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  let body = bytes;
  for (const coding of codings.reverse()) {
    const inflate = DECOMPRESSORS[coding];
    if (!inflate) throw new HttpError(url, `GET ${url}: unsupported Content-Encoding "${coding}"`, { attempts });
    try {
      body = await inflate(body, { maxOutputLength: limit });
    } catch (cause) {
      const tooBig = (cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      const what = tooBig ? `decompresses to more than ${limit} bytes (http.max_response_bytes)` : `is not valid ${coding} (${(cause as Error).message})`;
      throw new HttpError(url, `GET ${url}: the body ${what}`, { attempts, cause });
    }
  }
  return body;
}

/**
 * The HTTP client of one source run: a keep-alive Agent with bounded connections per origin,
 * undici's retry interceptor driven by our policy, and a per-host rate limiter under it.
 */
export function createHttpClient(options: HttpOptions, deps: HttpClientDeps): HttpClient {
  const ownAgent = deps.dispatcher
    ? null
    : new Agent({
        connections: options.concurrency,
        headersTimeout: options.headers_timeout_ms,
        bodyTimeout: options.body_timeout_ms,
        maxResponseSize: options.max_response_bytes,
      });
  const limiter = new HostRateLimiter(options.rate_limit);
  const dispatcher = (deps.dispatcher ?? ownAgent!).compose(rateLimitInterceptor(limiter), interceptors.retry({ statusCodes: [...RETRY_STATUSES] }));
  const userAgent = options.user_agent ?? USER_AGENT;
  const limit = options.max_response_bytes;

  /** One request within http.response_timeout_ms, all its attempts and waits included; past it, an HttpError saying so. */
  async function get(url: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const deadline = AbortSignal.timeout(options.response_timeout_ms);
    const signal = deps.signal ? AbortSignal.any([deps.signal, deadline]) : deadline;
    const log: AttemptLog = { attempts: 1, gaveUp: null };
    try {
      return await getWithRestarts(url, headers, log, signal);
    } catch (err) {
      if (!deadline.aborted || deps.signal?.aborted) throw err;
      const message = `GET ${url}: no complete answer within ${options.response_timeout_ms} ms (http.response_timeout_ms, which counts every attempt and the waits between them) after ${attemptsText(log.attempts)}; raise http.response_timeout_ms if the server is slow but answering`;
      throw new HttpError(url, message, { attempts: log.attempts, cause: err });
    }
  }

  async function getWithRestarts(url: string, headers: Record<string, string>, log: AttemptLog, signal: AbortSignal): Promise<HttpResponse> {
    for (;;) {
      try {
        return await getOnce(url, headers, log, signal);
      } catch (err) {
        // A body that broke off on a server without Range support cannot be resumed: start it over, within the same retry budget.
        const status = ((err as HttpError).cause as RetryErrorShape | undefined)?.statusCode;
        if (!(err instanceof HttpError) || status === undefined || status >= 300 || log.attempts > options.retries || signal.aborted) throw err;
        const delay = Math.min(options.min_retry_delay_ms * 2 ** (log.attempts - 1), options.max_retry_delay_ms);
        deps.logger.warn({ url, attempt: log.attempts, retry_in_ms: delay }, 'the transfer broke off and cannot be resumed: starting it over');
        log.attempts++;
        await sleep(delay, undefined, { signal });
      }
    }
  }

  async function getOnce(url: string, headers: Record<string, string>, log: AttemptLog, signal: AbortSignal): Promise<HttpResponse> {
    const target = new URL(url);
    const request: Dispatcher.RequestOptions & { retryOptions: RetryHandler.RetryOptions } = {
      origin: target.origin,
      path: target.pathname + target.search,
      method: 'GET',
      headers: { 'user-agent': userAgent, 'accept-encoding': 'gzip, br', ...headers },
      headersTimeout: options.headers_timeout_ms,
      bodyTimeout: options.body_timeout_ms,
      signal,
      retryOptions: { retry: retryPolicy(options, limiter, deps.logger, url, log, signal) },
    };
    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request(request);
    } catch (cause) {
      if (signal.aborted) throw cause;
      const reason = log.gaveUp ?? describeFailure(cause, limit);
      const status = (cause as RetryErrorShape).statusCode;
      const responseHeaders = flattenHeaders((cause as RetryErrorShape).headers ?? {});
      throw new HttpError(url, `GET ${url}: ${reason} after ${attemptsText(log.attempts)}`, { status, attempts: log.attempts, headers: responseHeaders, cause });
    }
    const { statusCode } = response;
    const responseHeaders = flattenHeaders(response.headers);
    const answer = (bytes: Uint8Array): HttpResponse => ({
      url,
      status: statusCode,
      etag: responseHeaders.etag ?? null,
      lastModified: responseHeaders['last-modified'] ?? null,
      contentType: responseHeaders['content-type'] ?? null,
      contentEncoding: responseHeaders['content-encoding'] ?? null,
      bytes,
      attempts: log.attempts,
    });
    if (statusCode === 304 || statusCode < 200 || statusCode >= 300) {
      await response.body.dump();
      if (statusCode === 304) return answer(new Uint8Array(0));
      throw new HttpError(url, `GET ${url}: HTTP ${statusCode}`, { status: statusCode, attempts: log.attempts, headers: responseHeaders });
    }
    const declared = responseHeaders['content-length'] === undefined ? null : Number(responseHeaders['content-length']);
    if (declared !== null && declared > limit) {
      response.body.destroy();
      throw new HttpError(url, `GET ${url}: the body is ${declared} bytes, over the limit of ${limit} (http.max_response_bytes)`, { status: statusCode, attempts: log.attempts });
    }
    let wire: Buffer;
    try {
      wire = await readCapped(response.body, limit, url, log.attempts);
    } catch (cause) {
      if (cause instanceof HttpError || signal.aborted) throw cause;
      throw new HttpError(url, `GET ${url}: ${log.gaveUp ?? describeFailure(cause, limit)} after ${attemptsText(log.attempts)}`, { status: statusCode, attempts: log.attempts, cause });
    }
    // A body shorter or longer than announced is a broken transfer, never a post.
    if (declared !== null && wire.length !== declared) {
      throw new HttpError(url, `GET ${url}: received ${wire.length} bytes but Content-Length said ${declared}`, { status: statusCode, attempts: log.attempts });
    }
    return answer(await decompress(wire, responseHeaders['content-encoding'] ?? null, limit, url, log.attempts));
  }

  return {
    get,
    close: async () => {
      await ownAgent?.close();
    },
  };
}

/** A share of a ByteBudget, held until released; releasing twice frees it once. */
export interface ByteReservation {
  /** Frees all but `bytes` of the share (a share never grows), e.g. once a body's real size is known. */
  shrink(bytes: number): void;
  release(): void;
}

/**
 * The bytes of bodies one source run holds at once (http.max_bytes_in_flight). Shares are granted
 * in the order they were asked for, so the post a source must yield next never waits behind later
 * ones; a share larger than the whole budget is cut to it, and so waits until it is alone.
 */
export class ByteBudget {
  readonly capacity: number;
  #held = 0;
  readonly #queue: { bytes: number; grant: (reservation: ByteReservation) => void }[] = [];

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  reserve(bytes: number): Promise<ByteReservation> {
    return new Promise((grant) => {
      this.#queue.push({ bytes: Math.min(bytes, this.capacity), grant });
      this.#grantWaiting();
    });
  }

  #grantWaiting(): void {
    while (this.#queue.length > 0 && this.#held + this.#queue[0].bytes <= this.capacity) {
      const { bytes, grant } = this.#queue.shift()!;
      this.#held += bytes;
      grant(this.#share(bytes));
    }
  }

  #share(bytes: number): ByteReservation {
    let share = bytes;
    const resize = (to: number) => {
      if (to >= share) return;
      this.#held -= share - to;
      share = to;
      this.#grantWaiting();
    };
    return { shrink: resize, release: () => resize(0) };
  }
}

/**
 * Runs `fetchOne` over `items` with at most `concurrency` in flight and yields results in input
 * order, so a source's events stay in a stable order however the answers arrive.
 */
export async function* fetchInOrder<T, R>(items: readonly T[], concurrency: number, fetchOne: (item: T) => Promise<R>): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  let next = 0;
  while (next < items.length || inFlight.length > 0) {
    while (next < items.length && inFlight.length < concurrency) {
      const pending = fetchOne(items[next++]);
      pending.catch(() => {}); // awaited below in order; this only stops an early rejection counting as unhandled
      inFlight.push(pending);
    }
    yield await inFlight.shift()!;
  }
}

/** The validators of a listing URL kept between runs (SourceSummary.cursor), to ask "changed since?". */
interface ListingCursor {
  url: string;
  etag: string | null;
  last_modified: string | null;
}

/**
 * If-None-Match / If-Modified-Since for `url` from the last run's cursor. A cursor taken from
 * another URL (the pipeline's source was edited) or unreadable is ignored: the run lists in full.
 */
export function conditionalHeaders(cursor: string | null, url: string): Record<string, string> {
  let saved: Partial<ListingCursor> | null = null;
  try {
    saved = cursor ? (JSON.parse(cursor) as Partial<ListingCursor>) : null;
  } catch {
    return {};
  }
  if (!saved || saved.url !== url) return {};
  const headers: Record<string, string> = {};
  if (saved.etag) headers['if-none-match'] = saved.etag;
  if (saved.last_modified) headers['if-modified-since'] = saved.last_modified;
  return headers;
}

/** The cursor to hand to the next run for a listing answer, or null when it carried no validator. */
export function listingCursor(response: HttpResponse): string | null {
  if (!response.etag && !response.lastModified) return null;
  const cursor: ListingCursor = { url: response.url, etag: response.etag, last_modified: response.lastModified };
  return JSON.stringify(cursor);
}
