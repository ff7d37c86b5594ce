/**
 * The response mode, from the Accept header, as the protocol defines it: `application/json`
 * (or no header, or a wildcard) → one JSON object; `application/jsonl` → one event per line;
 * `text/event-stream` → server-sent events. Quality values are honoured; when nothing the
 * client accepts is offered the answer is a 400.
 */
export type ResponseMode = 'json' | 'jsonl' | 'sse';

// A Map, so that a media type such as `constructor` finds nothing inherited.
const MEDIA_TYPES: ReadonlyMap<string, ResponseMode> = new Map([
  ['application/json', 'json'],
  ['application/jsonl', 'jsonl'],
  ['text/event-stream', 'sse'],
  // Wildcards take the default (JSON), or the one streaming type in their range.
  ['*/*', 'json'],
  ['application/*', 'json'],
  ['text/*', 'sse'],
]);

/** The mode for an Accept header, or undefined when it accepts none of the three. */
export function responseModeFor(accept: string | undefined): ResponseMode | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  let best: { mode: ResponseMode; quality: number; exact: boolean } | undefined;
  for (const range of accept.split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const mode = MEDIA_TYPES.get(type);
    if (!mode) continue;
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    if (!(quality > 0)) continue;
    const exact = !type.includes('*');
    // Higher quality wins; on a tie an exact type beats a wildcard, then the first listed wins.
    if (!best || quality > best.quality || (quality === best.quality && exact && !best.exact)) best = { mode, quality, exact };
  }
  return best?.mode;
}

export const CONTENT_TYPES: Record<ResponseMode, string> = {
  json: 'application/json; charset=utf-8',
  jsonl: 'application/jsonl; charset=utf-8',
  sse: 'text/event-stream; charset=utf-8',
};
