// Source `feed`: an RSS 2.0 or Atom feed (jekyll-feed's /feed.xml shape) whose items carry the post
// HTML. Each item becomes a Jekyll-like post (front matter from the item, its HTML as the body), so
// the parse stage reads title, date and categories the same way it reads a finews post.
import { XMLParser } from 'fast-xml-parser';
import { CharsetError, decodeBody } from '../core/charset.ts';
import type { Logger } from '../core/effects.ts';
import { PostError, SourceUnavailableError } from '../core/errors.ts';
import { sha256 } from '../core/hash.ts';
import type { Source, SourceContext, SourceEvent } from '../core/source.ts';
import { ByteBudget, conditionalHeaders, createHttpClient, fetchInOrder, HttpError, listingCursor, type HttpClient, type HttpResponse } from './http.ts';
import type { FeedSourceOptions } from './feed.ts';
import type { SourceDeps } from './source-type.ts';
import { openSnapshotStore, responseMeta, type SnapshotStore } from './raw.ts';

/** What the feed source uses of the command's deps: a dispatcher replacing the client's own keep-alive Agent (tests, a process-wide agent; the caller closes it). */
type FeedSourceDeps = Pick<SourceDeps, 'dispatcher'>;

/** One item or entry, reduced to what a post needs. */
export interface FeedItem {
  /** guid (RSS) or id (Atom), else the link; null when the item has neither. */
  id: string | null;
  /** Absolute link to the item's page, or null. */
  link: string | null;
  title: string;
  /** The item's HTML (content:encoded / description, or Atom content / summary), or null when it has none. */
  html: string | null;
  /** Publication date as written in the feed, or null. */
  date: string | null;
  categories: string[];
  /** Why the item's content cannot be used, when it is in a form this source does not read. */
  unreadable: string | null;
}

const SYNTHESIZED_TYPE = 'text/markdown; charset=utf-8';

const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  trimValues: false,
  // Numeric character references (&#8220;) are common in feeds; this decodes them along with the XML ones.
  htmlEntities: true,
  isArray: (name) => name === 'item' || name === 'entry' || name === 'category' || name === 'link',
});

type XmlNode = Record<string, unknown>;

function textOf(node: unknown): string {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object' && '#text' in node) return String((node as XmlNode)['#text']);
  return '';
}

function attr(node: unknown, name: string): string | null {
  const value = node && typeof node === 'object' ? (node as XmlNode)[`@_${name}`] : undefined;
  return typeof value === 'string' ? value : null;
}

function asArray(node: unknown): unknown[] {
  if (node === undefined || node === null) return [];
  return Array.isArray(node) ? node : [node];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Plain text (Atom type="text") as HTML paragraphs, one per blank-line-separated block. */
function textToHtml(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => `<p>${escapeHtml(block)}</p>`)
    .join('\n');
}

function resolveLink(href: string | null, base: string): string | null {
  if (!href?.trim()) return null;
  try {
    return new URL(href.trim(), base).href;
  } catch {
    return null;
  }
}

/** The HTML of an Atom <content> or <summary>, by its type attribute (text is the default). */
function atomHtml(node: unknown): { html: string | null; unreadable: string | null } {
  if (node === undefined) return { html: null, unreadable: null };
  const type = (attr(node, 'type') ?? 'text').toLowerCase();
  if (type === 'xhtml') return { html: null, unreadable: 'its content is type="xhtml", which this source does not read (html or text only)' };
  const text = textOf(node);
  if (!text.trim()) return { html: null, unreadable: null };
  return { html: type === 'html' || type === 'text/html' ? text : textToHtml(text), unreadable: null };
}

function rssItem(item: XmlNode, base: string): FeedItem {
  const link = resolveLink(textOf(asArray(item.link)[0]), base);
  const html = textOf(item['content:encoded']) || textOf(item.description);
  return {
    id: textOf(item.guid).trim() || link,
    link,
    title: textOf(item.title).trim(),
    html: html.trim() ? html : null,
    date: textOf(item.pubDate).trim() || textOf(item['dc:date']).trim() || null,
    categories: asArray(item.category)
      .map(textOf)
      .map((c) => c.trim())
      .filter(Boolean),
    unreadable: null,
  };
}

function atomEntry(entry: XmlNode, base: string): FeedItem {
  const links = asArray(entry.link);
  const alternate = links.find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate');
  const link = resolveLink(attr(alternate, 'href'), base);
  const content = atomHtml(entry.content);
  const body = content.html === null && content.unreadable === null ? atomHtml(entry.summary) : content;
  return {
    id: textOf(entry.id).trim() || link,
    link,
    title: textOf(entry.title).trim(),
    html: body.html,
    date: textOf(entry.published).trim() || textOf(entry.updated).trim() || null,
    categories: asArray(entry.category)
      .map((c) => attr(c, 'term')?.trim() ?? '')
      .filter(Boolean),
    unreadable: body.unreadable,
  };
}

/** The items of an RSS 2.0 or Atom document, in feed order; throws when it is neither. */
export function parseFeed(xml: string, feedUrl: string): FeedItem[] {
  const doc = parser.parse(xml) as XmlNode;
  const rss = doc.rss as XmlNode | undefined;
  if (rss && typeof rss === 'object') {
    const channel = asArray(rss.channel)[0] as XmlNode | undefined;
    return asArray(channel?.item).map((item) => rssItem(item as XmlNode, feedUrl));
  }
  const atom = doc.feed as XmlNode | undefined;
  if (atom && typeof atom === 'object') return asArray(atom.entry).map((entry) => atomEntry(entry as XmlNode, feedUrl));
  throw new SourceUnavailableError(`${feedUrl} is neither an RSS 2.0 (<rss>) nor an Atom (<feed>) document`);
}

/** A Content-Type that carries the XML declaration's encoding when the header names none. */
function xmlContentType(contentType: string | null, bytes: Uint8Array): string | null {
  if (contentType && /charset\s*=/i.test(contentType)) return contentType;
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const declared = head.match(/^\s*<\?xml[^>]*\sencoding\s*=\s*["']([\w.:-]+)["']/)?.[1];
  return declared ? `application/xml; charset=${declared}` : contentType;
}

/** A feed date as Jekyll writes it (`2022-01-06 15:04:39 +0800`), keeping the feed's own offset; null if unreadable. */
export function jekyllDate(text: string | null): string | null {
  if (!text) return null;
  const trimmed = text.trim();
  // An ISO time with no offset would otherwise be read in the machine's zone.
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(trimmed) ? `${trimmed}Z` : trimmed);
  if (Number.isNaN(time)) return null;
  const offset = trimmed.match(/([+-])(\d{2}):?(\d{2})$/);
  const minutes = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
  const local = new Date(time + minutes * 60_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 19)} ${offset ? `${offset[1]}${offset[2]}${offset[3]}` : '+0000'}`;
}

/** The item as a Jekyll post: JSON-quoted front matter (valid YAML), the HTML, then the `<link>` line finews posts end with. */
function synthesizePost(item: FeedItem & { html: string }): string {
  const date = jekyllDate(item.date);
  const front = ['---', 'layout: post', `title: ${JSON.stringify(item.title)}`, ...(date ? [`date: ${date}`] : []), `categories: ${JSON.stringify(item.categories)}`, 'tags: []', '---'];
  return `${front.join('\n')}\n${item.html.trim()}\n${item.link ? `\n<${item.link}>` : ''}`;
}

interface RunState {
  ctx: SourceContext;
  http: HttpClient;
  snapshots: SnapshotStore;
  source: string;
  feed: HttpResponse;
  feedSha: string;
  budget: ByteBudget;
  /** What a download holds of the budget until its size is known (http.max_response_bytes). */
  maxBodyBytes: number;
  /** Why a link may not be followed (linkFollowRule), or null when it may. */
  refuseLink: (link: URL) => string | null;
}

function failed(sourceId: string, message: string, url: string, attempts: number, cause?: unknown): SourceEvent {
  return { kind: 'failed', error: new PostError('fetch', sourceId, message, { cause }), url, attempts };
}

/** The post carried inside the feed item itself, held in the byte budget like a downloaded one. */
async function inlinePost(item: FeedItem & { id: string; html: string }, run: RunState): Promise<SourceEvent> {
  const bytes = new TextEncoder().encode(synthesizePost(item));
  const revision = sha256(bytes);
  if (run.ctx.previous.get(item.id) === revision) return { kind: 'unchanged', sourceId: item.id };
  const held = await run.budget.reserve(bytes.byteLength);
  try {
    const url = item.link ?? run.feed.url;
    const fetchedAt = run.ctx.clock.now().toISOString();
    await run.snapshots.saveBody(
      {
        url,
        source: run.source,
        source_id: item.id,
        fetched_at: fetchedAt,
        status: run.feed.status,
        etag: null,
        last_modified: null,
        content_type: SYNTHESIZED_TYPE,
        content_encoding: null,
        revision,
        derived_from: run.feedSha,
      },
      bytes,
    );
    return { kind: 'post', post: { source: run.source, sourceId: item.id, url, bytes, contentType: SYNTHESIZED_TYPE, revision, fetchedAt }, release: held.release };
  } catch (err) {
    held.release();
    throw err;
  }
}

/** The page an item without content links to, fetched only from an allowed origin, within the byte budget. */
async function linkedPost(item: FeedItem & { id: string }, link: URL, run: RunState): Promise<SourceEvent> {
  // Asked for before any await, so shares are granted in the order fetchInOrder yields the items.
  const held = await run.budget.reserve(run.maxBodyBytes);
  try {
    const response = await run.http.get(link.href);
    held.shrink(response.bytes.byteLength);
    const revision = sha256(response.bytes);
    if (run.ctx.previous.get(item.id) === revision) {
      held.release();
      return { kind: 'unchanged', sourceId: item.id };
    }
    const fetchedAt = run.ctx.clock.now().toISOString();
    await run.snapshots.saveBody(responseMeta(response, { url: link.href, source: run.source, source_id: item.id, fetched_at: fetchedAt, revision }), response.bytes);
    return { kind: 'post', post: { source: run.source, sourceId: item.id, url: link.href, bytes: response.bytes, contentType: response.contentType, revision, fetchedAt }, release: held.release };
  } catch (err) {
    held.release();
    if (!(err instanceof HttpError)) throw err;
    return failed(item.id, err.message, link.href, err.attempts, err);
  }
}

/** What one item yields: its own HTML, its linked page when it may be followed, or why neither. */
function itemEvent(item: FeedItem & { id: string }, run: RunState): Promise<SourceEvent> {
  if (item.unreadable) return Promise.resolve(failed(item.id, `feed item "${item.id}": ${item.unreadable}`, item.link ?? run.feed.url, 1));
  if (item.html !== null) return inlinePost({ ...item, html: item.html }, run);
  const link = item.link ? new URL(item.link) : null;
  if (!link) return Promise.resolve(failed(item.id, `feed item "${item.id}" has neither content nor a link`, run.feed.url, 1));
  const refused = run.refuseLink(link);
  if (refused) return Promise.resolve(failed(item.id, `feed item "${item.id}" has no content and ${refused}; not followed`, link.href, 0));
  return linkedPost(item, link, run);
}

/**
 * The link rule of an item without content: followed on the feed's own origin (scheme, host and
 * port), or on a host listed in `hosts` (`name:port` for a port other than the default) over https,
 * or over http when the feed itself is http. Returns why a link is refused, or null.
 */
function linkFollowRule(feedUrl: URL, hosts: readonly string[]): (link: URL) => string | null {
  const listed = new Set(hosts.map((h) => h.toLowerCase()));
  const schemes = feedUrl.protocol === 'http:' ? ['https:', 'http:'] : ['https:'];
  return (link) => {
    if (link.origin === feedUrl.origin) return null;
    if (!schemes.includes(link.protocol)) {
      return feedUrl.protocol === 'https:' && link.protocol === 'http:' ? `links to ${link.href} over plain http from an https feed` : `links to a ${link.protocol} URL`;
    }
    if (listed.has(link.host)) return null;
    return `links to ${link.origin}, which is neither the feed's origin (${feedUrl.origin}) nor a host in source.hosts (list "${link.host}" there to allow it)`;
  };
}

/**
 * Source `feed`: a conditional GET of the feed (ETag / Last-Modified → cursor; a 304 ends the run),
 * then one post per item keyed by guid/id. Items carrying HTML need no further request; an item
 * without content is fetched from its link only under linkFollowRule.
 */
export function feedSource(options: FeedSourceOptions, deps: FeedSourceDeps = {}): Source {
  const feedUrl = new URL(options.url);
  const source = `feed:${feedUrl.host}`;
  const refuseLink = linkFollowRule(feedUrl, options.hosts);

  return async function* fetchFeed(ctx) {
    const logger = ctx.logger.child({ source });
    const http = createHttpClient(options.http, { logger, dispatcher: deps.dispatcher, signal: ctx.signal });
    const snapshots = openSnapshotStore(ctx.rawDir);
    try {
      let feed: HttpResponse;
      try {
        feed = await http.get(feedUrl.href, { accept: 'application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.1', ...conditionalHeaders(ctx.cursor, feedUrl.href) });
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        throw new SourceUnavailableError(`cannot read the feed ${feedUrl.href}: ${err.message}; check source.url in the pipeline or rerun later`, { cause: err });
      }
      if (feed.status === 304) {
        logger.info({ url: feedUrl.href }, 'feed unchanged since the last run');
        return { cursor: ctx.cursor, notModified: true };
      }
      const fetchedAt = ctx.clock.now().toISOString();
      const saved = await snapshots.saveBody(responseMeta(feed, { url: feedUrl.href, source, source_id: null, fetched_at: fetchedAt, revision: null }), feed.bytes);
      let items: FeedItem[];
      try {
        items = parseFeed(decodeBody(feed.bytes, xmlContentType(feed.contentType, feed.bytes)).text, feedUrl.href);
      } catch (cause) {
        const what = cause instanceof CharsetError ? `its text cannot be decoded (${cause.message})` : (cause as Error).message;
        throw new SourceUnavailableError(`cannot read the feed ${feedUrl.href}: ${what}; check source.url in the pipeline`, { cause });
      }

      const budget = new ByteBudget(options.http.max_bytes_in_flight);
      const run: RunState = { ctx, http, snapshots, source, feed, feedSha: saved.sha256, budget, maxBodyBytes: options.http.max_response_bytes, refuseLink };
      const keyed: (FeedItem & { id: string })[] = [];
      const seen = new Set<string>();
      for (const [index, item] of items.entries()) {
        if (item.id === null) {
          yield failed(`${feedUrl.href}#item-${index + 1}`, `feed item ${index + 1} ("${item.title}") has no guid, id or link to key it by`, feedUrl.href, 1);
        } else if (seen.has(item.id)) {
          yield failed(item.id, `feed item ${index + 1} repeats the id "${item.id}" of an earlier item; only the first is kept`, item.link ?? feedUrl.href, 1);
        } else {
          seen.add(item.id);
          keyed.push({ ...item, id: item.id });
        }
      }
      logger.info({ url: feedUrl.href, items: items.length }, 'read feed');
      let fetchFailures = 0;
      for await (const event of fetchInOrder(keyed, options.http.concurrency, (item) => itemEvent(item, run))) {
        if (event.kind === 'failed' && event.error.cause instanceof HttpError) fetchFailures++;
        yield event;
      }
      await snapshots.saveListing({ url: feedUrl.href, source, fetched_at: fetchedAt, source_ids: [...seen] });
      // Keep the validators only when nothing needs another try; otherwise the next run reads the feed again.
      return { cursor: fetchFailures > 0 ? null : listingCursor(feed), notModified: false };
    } finally {
      await http.close();
    }
  };
}

/** Whether the feed is unchanged since the last run (`cursor`): a conditional GET answered 304. Any doubt is `false`. */
export async function feedUnchanged(options: FeedSourceOptions, deps: FeedSourceDeps, cursor: string | null, logger: Logger, signal?: AbortSignal): Promise<boolean> {
  if (cursor === null) return false;
  const url = new URL(options.url).href;
  const http = createHttpClient({ ...options.http, retries: 0 }, { logger, dispatcher: deps.dispatcher, signal });
  try {
    return (await http.get(url, { accept: 'application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.1', ...conditionalHeaders(cursor, url) })).status === 304;
  } catch {
    return false;
  } finally {
    await http.close();
  }
}
