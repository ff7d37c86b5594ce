/** How the API names a field of a request body in its errors. */

/** `['messages', 2, 'type']` → `messages[2].type`; the whole body is `body`; a key too long to read is shortened. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const name = String(key).length > 64 ? `${String(key).slice(0, 64)}…` : String(key);
      out += out === '' ? name : `.${name}`;
    }
  }
  return out === '' ? 'body' : out;
}
