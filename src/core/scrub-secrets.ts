/**
 * Removes credentials from free text (error messages) before it leaves the process in a trace.
 * Our own messages never carry a key, but an SDK's may quote a URL with `?key=…`, a bearer
 * header or a JWT; these are the shapes that matter.
 */
const SECRET_SHAPES: ReadonlyArray<[RegExp, string]> = [
  // JSON Web Tokens (Stream user and server tokens).
  [/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '[redacted token]'],
  // Google API keys.
  [/AIza[\w-]{30,}/g, '[redacted key]'],
  // Authorization header values.
  [/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, '$1 [redacted]'],
  // Credentials in query strings and key=value text.
  [/\b(key|api_key|apikey|api-key|token|access_token|secret|api_secret|password|signature)=[^&\s"']+/gi, '$1=[redacted]'],
];

export function scrubSecrets(text: string): string {
  let scrubbed = text;
  for (const [shape, replacement] of SECRET_SHAPES) scrubbed = scrubbed.replace(shape, replacement);
  return scrubbed;
}
