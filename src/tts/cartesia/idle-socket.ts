/**
 * The socket of a session that ended cleanly, kept open for the next session. Opening a socket
 * costs a TCP, a TLS and an HTTP round trip before the first text can go out, about as long as
 * Cartesia's own time to first audio; a socket takes any number of contexts one after another,
 * so a conversation pays it once. One socket is kept, for `idleMs`; a socket the server closed
 * meanwhile is forgotten. A session that was stopped or failed does not give its socket back.
 */
import WebSocket from 'ws';

export class IdleSocket {
  #socket: WebSocket | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly idleMs: number) {}

  /** Keeps `socket` (open, its session's listeners removed) for the next session, closing the one kept before. */
  put(socket: WebSocket): void {
    this.discard();
    socket.removeAllListeners();
    if (socket.readyState !== WebSocket.OPEN) {
      socket.terminate();
      return;
    }
    // Idle, the socket has nothing to say; an error or a close only means it is gone.
    socket.on('error', () => undefined);
    socket.on('close', () => this.#forget(socket));
    this.#socket = socket;
    this.#timer = setTimeout(() => this.discard(), this.idleMs);
    this.#timer.unref();
  }

  /** The kept socket, open and without listeners, or undefined. */
  take(): WebSocket | undefined {
    const socket = this.#socket;
    this.#forget(socket);
    if (socket === undefined) return undefined;
    socket.removeAllListeners();
    if (socket.readyState === WebSocket.OPEN) return socket;
    socket.terminate();
    return undefined;
  }

  /** Closes the kept socket, if any. */
  discard(): void {
    const socket = this.#socket;
    this.#forget(socket);
    socket?.close(1000);
  }

  #forget(socket: WebSocket | undefined): void {
    if (socket === undefined || socket !== this.#socket) return;
    this.#socket = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
