/**
 * The keys a JSON object's text repeats at its top level. JSON.parse keeps the last of a
 * repeated key silently, so a log line's text has to be read to see them.
 */
export function duplicateKeys(text: string): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') depth--;
    else if (char === '"') {
      const end = stringEnd(text, index);
      // A top-level key: a string in the outer object followed by a colon.
      if (depth === 1 && text[end + 1] === ':') {
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        if (seen.has(key)) repeated.push(key);
        seen.add(key);
      }
      index = end;
    }
  }
  return repeated;
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === '"') return index;
  }
  throw new Error(`an unterminated string in ${text}`);
}
