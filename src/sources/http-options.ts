// The `http` block of a network source's options, declared once: the pipeline validates it and the HTTP layer reads it.
// Only zod here, so that a pipeline loads without the HTTP client (undici).
import { z } from 'zod';

const MB = 1024 * 1024;

/** The HTTP layer speaks only http(s): another scheme (file:, ftp:) would fail at run time, after the store was opened. */
export const httpUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' });

/** Politeness and robustness of every HTTP request a source makes. */
export const httpOptionsSchema = z
  .strictObject({
    // 1/rate seconds is a setTimeout delay, which overflows past 2^31-1 ms (24.8 days) and then fires at once; 0.001/s is one request per 17 minutes.
    rate_limit: z.number().min(0.001, 'at least 0.001 (one request per 1000 s)').default(4).describe('requests per second per host'),
    /** Requests in flight per host (connections per origin). */
    concurrency: z.number().int().positive().default(8).describe('requests in flight per host'),
    /** Largest body accepted, both as sent and once decompressed. */
    max_response_bytes: z
      .number()
      .int()
      .positive()
      .default(20 * MB),
    headers_timeout_ms: z.number().int().positive().default(30_000),
    body_timeout_ms: z.number().int().positive().default(60_000),
    /** A total deadline per request (headers and body of every attempt, and the waits between them), so a server dripping bytes cannot hold a run (and its lock) forever. */
    response_timeout_ms: z.number().int().positive().default(120_000),
    /** Bytes of post bodies held at once, from download to extraction (ByteBudget); a download counts max_response_bytes until its size is known. */
    max_bytes_in_flight: z
      .number()
      .int()
      .positive()
      .default(256 * MB),
    /** Retries after the first attempt. */
    retries: z.number().int().min(0).default(4),
    /** First backoff wait, doubled at each retry; tests shorten it. */
    min_retry_delay_ms: z.number().int().positive().default(500),
    /** Cap on one backoff wait; a Retry-After asking for longer makes the request fail instead. */
    max_retry_delay_ms: z.number().int().positive().default(30_000),
    /** Overrides the default User-Agent, e.g. to add an operator's contact address. */
    user_agent: z.string().min(1).optional(),
  })
  .refine((http) => http.max_bytes_in_flight >= http.max_response_bytes, {
    path: ['max_bytes_in_flight'],
    message: 'must be at least http.max_response_bytes: each download holds that much of the budget until its size is known',
  })
  .prefault({});

export type HttpOptions = z.infer<typeof httpOptionsSchema>;
