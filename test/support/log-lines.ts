/**
 * Reading a process's JSON log lines strictly: JSON.parse keeps the last of two equal keys
 * without a word, and a log line with a key twice is what these checks are for.
 */

/** The log lines among `output` (the lines that start with `{`), each parsed; throws on a key that appears twice in one object. */
export function jsonLogLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      const duplicate = duplicateKey(line);
      if (duplicate) throw new Error(`the key "${duplicate}" appears twice in the log line ${line}`);
      return JSON.parse(line) as Record<string, unknown>;
    });
}

/** The first key that an object of this JSON text has twice, or undefined. */
export function duplicateKey(json: string): string | undefined {
  let at = 0;
  const skipSpace = () => {
    while (/\s/.test(json[at] ?? '')) at++;
  };
  const readString = (): string => {
    const start = at;
    at++; // the opening quote
    while (json[at] !== '"') at += json[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(json.slice(start, at)) as string;
  };
  // Returns the duplicate found inside the value that starts at `at`, and moves past the value.
  const readValue = (): string | undefined => {
    skipSpace();
    const char = json[at];
    if (char === '"') {
      readString();
      return undefined;
    }
    if (char === '{' || char === '[') {
      const isObject = char === '{';
      const keys = new Set<string>();
      at++;
      skipSpace();
      let found: string | undefined;
      while (json[at] !== (isObject ? '}' : ']')) {
        if (isObject) {
          skipSpace();
          const key = readString();
          if (keys.has(key)) found ??= key;
          keys.add(key);
          skipSpace();
          at++; // the colon
        }
        const inner = readValue(); // read even when a duplicate was found: it moves past the value
        found ??= inner;
        skipSpace();
        if (json[at] === ',') at++;
        skipSpace();
      }
      at++;
      return found;
    }
    while (at < json.length && !/[,}\]\s]/.test(json[at]!)) at++; // a number, true, false or null
    return undefined;
  };
  JSON.parse(json); // invalid JSON fails here, with JSON's own message
  return readValue();
}
