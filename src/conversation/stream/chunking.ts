/**
 * Splits a long message into chat-sized chunks, markdown-aware. The split points of earlier
 * chunks depend only on the text before them, so as a streamed message grows, chunks that are
 * already full keep their text and only the last one changes.
 *
 * Preference for each split, within the `maxChars` window:
 *   1. a paragraph break outside a code fence, in the second half of the window (an earlier
 *      one would leave a needlessly small chunk),
 *   2. the last line break outside a code fence,
 *   3. any line break (inside a fence: unavoidable),
 *   4. whitespace,
 *   5. a hard cut at `maxChars`.
 * The separator stays at the end of the earlier chunk, so the chunks concatenate back to the
 * exact original text.
 */
export const DEFAULT_CHUNK_CHARS = 1000;

export function splitIntoChunks(text: string, maxChars = DEFAULT_CHUNK_CHARS): string[] {
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new RangeError(`maxChars must be a positive integer; got ${maxChars}`);
  if (text.length <= maxChars) return [text];
  const chunks: string[] = [];
  let start = 0;
  let inFence = false;
  while (text.length - start > maxChars) {
    const end = splitPoint(text, start, maxChars, inFence);
    const chunk = text.slice(start, end);
    inFence = fenceStateAfter(chunk, inFence);
    chunks.push(chunk);
    start = end;
  }
  chunks.push(text.slice(start));
  return chunks;
}

/** The end (exclusive) of the chunk starting at `start`. */
function splitPoint(text: string, start: number, maxChars: number, inFenceAtStart: boolean): number {
  const windowEnd = start + maxChars;
  let paragraphOutside = -1;
  let lineOutside = -1;
  let anyLine = -1;
  let space = -1;
  let inFence = inFenceAtStart;
  let lineStart = start;
  // Walk the window once, line by line, tracking whether each line break lies inside a fence.
  for (let i = start; i < windowEnd; i++) {
    const char = text.charCodeAt(i);
    if (char === 10 /* \n */) {
      if (text.startsWith('```', skipIndent(text, lineStart, i))) inFence = !inFence;
      const cut = i + 1;
      anyLine = cut;
      if (!inFence) {
        lineOutside = cut;
        if (i > start && text.charCodeAt(i - 1) === 10 && cut - start >= maxChars / 2) paragraphOutside = cut;
      }
      lineStart = cut;
    } else if (char === 32 || char === 9) {
      space = i + 1;
    }
  }
  for (const candidate of [paragraphOutside, lineOutside, anyLine, space]) {
    if (candidate > start) return candidate;
  }
  return safeHardCut(text, windowEnd);
}

function skipIndent(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i;
}

/** Never cut a UTF-16 surrogate pair in half. */
function safeHardCut(text: string, index: number): number {
  const code = text.charCodeAt(index - 1);
  return code >= 0xd800 && code <= 0xdbff ? index - 1 : index;
}

/** Whether a code fence is open at the end of `chunk`, given the state at its start. */
function fenceStateAfter(chunk: string, inFenceAtStart: boolean): boolean {
  let inFence = inFenceAtStart;
  for (const line of chunk.split('\n')) {
    if (line.trimStart().startsWith('```')) inFence = !inFence;
  }
  return inFence;
}
