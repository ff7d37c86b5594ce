/** Test helpers: deterministic shuffles and text splitting. */
export function splitText(text: string, parts: number): string[] {
  const size = Math.ceil(text.length / parts);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A markdown-ish reply of about `length` characters: paragraphs, a list and a code fence. */
export function markdownReply(length: number, seed = 1): string {
  const words = ['agent', 'stream', 'voice', 'gemini', 'call', 'latency', 'chunk', 'frame', 'token', 'turn'];
  let state = seed;
  const pick = () => words[(state = (state * 16807) % 2147483647) % words.length]!;
  let text = '';
  let block = 0;
  while (text.length < length) {
    block++;
    if (block % 5 === 0) text += '```ts\n' + Array.from({ length: 6 }, () => `const ${pick()} = '${pick()}';`).join('\n') + '\n```\n\n';
    else if (block % 3 === 0) text += Array.from({ length: 4 }, () => `- ${pick()} ${pick()} ${pick()}`).join('\n') + '\n\n';
    else text += Array.from({ length: 30 }, pick).join(' ') + '.\n\n';
  }
  return text.slice(0, length);
}
