/**
 * The event in a frame that a Stream client (the video client's coordinator socket, the chat
 * client's) sends: its health check is an array with one event, its other messages an object.
 * Undefined for a frame that is not JSON.
 */
export function clientEvent(raw: unknown): Record<string, unknown> | undefined {
  let message: unknown;
  try {
    message = JSON.parse(String(raw));
  } catch {
    return undefined;
  }
  return (Array.isArray(message) ? message[0] : message) as Record<string, unknown> | undefined;
}
