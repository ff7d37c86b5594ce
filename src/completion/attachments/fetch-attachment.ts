/**
 * Fetches a client-supplied attachment URL, safely.
 *
 * - http(s) only; every address the host resolves to must pass the address policy (public
 *   unicast by default, see address-policy.ts), and the connection is pinned to the checked
 *   address through `lookup`, so a second DNS answer (rebinding) cannot redirect it.
 * - Redirects are followed by hand (at most `maxRedirects`), each hop checked the same way.
 * - The size limit is enforced while streaming (and early from Content-Length): a large body is
 *   never buffered first. One timeout covers DNS, connect, redirects and body.
 * - Text (text/*, JSON, XML) is returned decoded and bounded; images and PDFs as base64 inline
 *   data; other types are refused. Every failure is an AttachmentError naming the URL.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import http from 'node:http';
import https from 'node:https';
import { AgentsError } from '../../core/errors.js';
import { publicAddressesOnly, type AddressPolicy } from './address-policy.js';

export type Attachment =
  | { url: string; kind: 'text'; mimeType: string; text: string; truncated: boolean }
  | { url: string; kind: 'inline'; mimeType: string; data: string };

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface AttachmentFetchOptions {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** For the whole fetch, redirects included. */
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Which resolved addresses may be contacted. The default refuses every non-public address;
   * tests inject a policy that also allows 127.0.0.1, since no public server is reachable
   * from a test machine, to prove the size limit, timeout and content handling.
   */
  isAddressAllowed?: AddressPolicy;
  /** Host name → addresses; default the system resolver (`dns.lookup`, all addresses). */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Default 3. */
  maxRedirects?: number;
  /** Characters of text kept; default 100 000. */
  maxTextChars?: number;
  /** Takes each arriving chunk's bytes from the node's budget; false fails the fetch (see AttachmentBudget). */
  reserve?: (bytes: number) => boolean;
}

/**
 * A failed attachment: `ATTACHMENT_REFUSED` when the address policy or scheme forbade it,
 * `ATTACHMENTS_BUSY` when the node holds its budget of attachment bytes (retry shortly),
 * `ATTACHMENT_FAILED` otherwise.
 */
export class AttachmentError extends AgentsError {
  readonly url: string;
  constructor(url: string, reason: string, options: { refused?: boolean; busy?: boolean; cause?: unknown } = {}) {
    const code = options.refused ? 'ATTACHMENT_REFUSED' : options.busy ? 'ATTACHMENTS_BUSY' : 'ATTACHMENT_FAILED';
    super(`Attachment ${url} ${reason}`, { code, retryable: options.busy === true, cause: options.cause });
    this.url = url;
  }
}

const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'application/pdf']);

function kindOf(mimeType: string): 'text' | 'inline' | undefined {
  if (INLINE_TYPES.has(mimeType)) return 'inline';
  if (mimeType.startsWith('text/')) return 'text';
  if (['application/json', 'application/xml', 'application/x-ndjson', 'application/yaml'].includes(mimeType)) return 'text';
  if (mimeType.endsWith('+json') || mimeType.endsWith('+xml')) return 'text';
  return undefined;
}

const systemResolve = async (hostname: string): Promise<ResolvedAddress[]> =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

export async function fetchAttachment(url: string, options: AttachmentFetchOptions): Promise<Attachment> {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new AttachmentError(url, `took longer than ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  try {
    return await fetchFollowingRedirects(url, new URL(url), options, signal, options.maxRedirects ?? 3);
  } catch (thrown) {
    if (thrown instanceof AttachmentError) throw thrown;
    if (signal.aborted && signal.reason instanceof AttachmentError) throw signal.reason;
    if (signal.aborted) throw new AttachmentError(url, 'was aborted', { cause: signal.reason });
    throw new AttachmentError(url, `could not be fetched: ${(thrown as Error).message}`, { cause: thrown });
  } finally {
    clearTimeout(timer);
  }
}

async function fetchFollowingRedirects(
  original: string,
  target: URL,
  options: AttachmentFetchOptions,
  signal: AbortSignal,
  redirectsLeft: number,
): Promise<Attachment> {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new AttachmentError(original, `uses ${target.protocol.replace(':', '')}; only http and https are fetched`, { refused: true });
  }
  if (target.username || target.password) {
    throw new AttachmentError(original, 'carries credentials; they are not sent', { refused: true });
  }
  const pinned = await checkedAddress(original, target, options);
  const response = await request(target, pinned, signal);
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400 && response.headers.location) {
    response.destroy();
    if (redirectsLeft <= 0) throw new AttachmentError(original, 'redirects too many times');
    const next = new URL(response.headers.location, target);
    return fetchFollowingRedirects(original, next, options, signal, redirectsLeft - 1);
  }
  if (status < 200 || status >= 300) {
    response.destroy();
    throw new AttachmentError(original, `answered HTTP ${status}`);
  }
  const mimeType = (response.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
  const kind = kindOf(mimeType);
  if (!kind) {
    response.destroy();
    throw new AttachmentError(original, `has type ${mimeType}; text, JSON, images and PDF are supported`);
  }
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    response.destroy();
    throw new AttachmentError(original, `is ${declared} bytes, over the ${options.maxBytes}-byte limit`);
  }
  const body = await readLimited(original, response, options.maxBytes, options.reserve);
  if (kind === 'inline') return { url: original, kind, mimeType, data: body.toString('base64') };
  const maxTextChars = options.maxTextChars ?? 100_000;
  const text = decodeText(body, response.headers['content-type']);
  const truncated = text.length > maxTextChars;
  return { url: original, kind, mimeType, text: truncated ? text.slice(0, maxTextChars) : text, truncated };
}

/** Resolves the host, checks every address, and returns the one to connect to. */
async function checkedAddress(original: string, target: URL, options: AttachmentFetchOptions): Promise<ResolvedAddress> {
  const hostname = target.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(hostname);
  let addresses: ResolvedAddress[];
  if (literal) addresses = [{ address: hostname, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await (options.resolve ?? systemResolve)(hostname);
    } catch (thrown) {
      throw new AttachmentError(original, `has a host that does not resolve (${hostname})`, { cause: thrown });
    }
  }
  if (addresses.length === 0) throw new AttachmentError(original, `has a host that does not resolve (${hostname})`);
  const allowed = options.isAddressAllowed ?? publicAddressesOnly;
  // Every answer must be acceptable: otherwise a host could mix a public and a private address.
  const refused = addresses.find(({ address }) => !allowed(address));
  if (refused) {
    throw new AttachmentError(original, `points to a non-public address (${refused.address}); it is not fetched`, { refused: true });
  }
  return addresses[0]!;
}

function request(target: URL, pinned: ResolvedAddress, signal: AbortSignal): Promise<http.IncomingMessage> {
  // The connection goes to the address we checked, whatever the resolver says now. Node calls
  // lookup with {all: true} when it races address families, with a single answer otherwise.
  const lookup = ((_hostname: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (lookupOptions?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = client.request(
      target,
      {
        method: 'GET',
        lookup,
        signal,
        // No pooled sockets: each fetch connects to the address it checked.
        agent: false,
        headers: { accept: 'text/*, application/json, image/*, application/pdf;q=0.9, */*;q=0.1', 'user-agent': 'stream-gemini-agents' },
      },
      resolve,
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function readLimited(
  original: string,
  response: http.IncomingMessage,
  maxBytes: number,
  reserve: ((bytes: number) => boolean) | undefined,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.destroy();
      throw new AttachmentError(original, `is larger than the ${maxBytes}-byte limit`);
    }
    if (reserve && !reserve(chunk.length)) {
      response.destroy();
      throw new AttachmentError(original, 'cannot be held now: this server holds its limit of attachment data for other requests; retry shortly', { busy: true });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function decodeText(body: Buffer, contentType: string | undefined): string {
  const charset = /charset=([^;]+)/i.exec(contentType ?? '')?.[1]?.trim().replace(/^"|"$/g, '') ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}
