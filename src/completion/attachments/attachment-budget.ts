/**
 * How many bytes of attachments the node holds at once, across all requests. One request may
 * fetch up to ten attachments of ATTACHMENT_MAX_BYTES, and holds them (as base64, and again in
 * the model request) until its reply ends; without a node-wide bound, a burst of such requests
 * from one key would exhaust the heap and take every call on the node down with it.
 *
 * Each request opens a lease; bytes are taken from the budget as they arrive and given back
 * when the request ends. A fetch that would go over the budget fails at once (the request is
 * answered 503, to retry shortly) rather than waiting with its memory half-held.
 */
export class AttachmentBudget {
  readonly capacityBytes: number;
  #heldBytes = 0;

  constructor(capacityBytes: number) {
    this.capacityBytes = capacityBytes;
  }

  /** Bytes held by all leases now. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** A lease for one request; call `release()` when the request ends. */
  open(): AttachmentLease {
    let taken = 0;
    return {
      take: (bytes) => {
        if (this.#heldBytes + bytes > this.capacityBytes) return false;
        this.#heldBytes += bytes;
        taken += bytes;
        return true;
      },
      release: () => {
        this.#heldBytes -= taken;
        taken = 0;
      },
    };
  }
}

export interface AttachmentLease {
  /** Takes `bytes` from the node's budget; false (and nothing taken) when they do not fit. */
  take(bytes: number): boolean;
  /** Gives back everything this lease took; idempotent. */
  release(): void;
}
