/**
 * What an agent process started by `dev` tells the process watching it, over Node's IPC
 * channel: the files to watch once the agent file is loaded, and that the agent joined.
 */
export type DevMessage = { type: 'watch'; files: string[] } | { type: 'joined' };

export function isDevMessage(value: unknown): value is DevMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'joined' || (type === 'watch' && Array.isArray((value as { files?: unknown }).files));
}

/** Sends `message` when this process was started with an IPC channel (by `dev`); otherwise nothing. */
export function tellSupervisor(message: DevMessage): void {
  if (process.send && process.connected) process.send(message);
}
