/**
 * Test-side instrumentation for "nothing survives close()": it records who created each
 * pending timer (by wrapping the global timer functions) and every RTCPeerConnection the
 * video client creates (by providing the global constructor before the edge installs wrtc's).
 * Install it before the first join; uninstall it at the end of the file.
 */
import wrtc from '@roamhq/wrtc';

export interface PendingTimer {
  kind: 'timeout' | 'interval';
  /** Where it was created (the first frames of its stack). */
  origin: string;
  /** For timeouts, `performance.now()` when it will fire. */
  dueAtMs: number;
}

export class ResourceTracker {
  readonly peerConnections: RTCPeerConnection[] = [];
  readonly #timers = new Map<unknown, PendingTimer>();
  readonly #restore: Array<() => void> = [];

  install(): void {
    const pcs = this.peerConnections;
    class TrackedPeerConnection extends wrtc.RTCPeerConnection {
      constructor(...args: ConstructorParameters<typeof wrtc.RTCPeerConnection>) {
        super(...args);
        pcs.push(this as unknown as RTCPeerConnection);
      }
    }
    const globals = globalThis as Record<string, unknown>;
    const previousPc = globals.RTCPeerConnection;
    globals.RTCPeerConnection = TrackedPeerConnection;
    this.#restore.push(() => (globals.RTCPeerConnection = previousPc));

    const timers = this.#timers;
    const originalSetTimeout = globalThis.setTimeout;
    const originalClearTimeout = globalThis.clearTimeout;
    const originalSetInterval = globalThis.setInterval;
    const originalClearInterval = globalThis.clearInterval;
    const origin = () => (new Error().stack ?? '').split('\n').slice(3, 9).join('\n');
    globals.setTimeout = (callback: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) => {
      const handle = originalSetTimeout(
        (...callArgs: unknown[]) => {
          timers.delete(handle);
          callback(...callArgs);
        },
        ms,
        ...args,
      );
      timers.set(handle, { kind: 'timeout', origin: origin(), dueAtMs: performance.now() + ms });
      return handle;
    };
    globals.clearTimeout = (handle: unknown) => {
      timers.delete(handle);
      originalClearTimeout(handle as NodeJS.Timeout);
    };
    globals.setInterval = (callback: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) => {
      const handle = originalSetInterval(callback, ms, ...args);
      timers.set(handle, { kind: 'interval', origin: origin(), dueAtMs: Number.POSITIVE_INFINITY });
      return handle;
    };
    globals.clearInterval = (handle: unknown) => {
      timers.delete(handle);
      originalClearInterval(handle as NodeJS.Timeout);
    };
    this.#restore.push(() => {
      globals.setTimeout = originalSetTimeout;
      globals.clearTimeout = originalClearTimeout;
      globals.setInterval = originalSetInterval;
      globals.clearInterval = originalClearInterval;
    });
  }

  /** Timers still pending whose creation stack passes through `pathPart`. */
  pendingTimers(pathPart: string): PendingTimer[] {
    return [...this.#timers.values()].filter((timer) => timer.origin.includes(pathPart));
  }

  uninstall(): void {
    for (const restore of this.#restore.splice(0).reverse()) restore();
  }
}

/** How many of each kind of libuv resource the process holds (sockets, servers, immediates...). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
