/**
 * Bearer-key authentication. Keys come from WORKER_API_KEYS; WORKER_ADMIN_KEY is the trusted
 * key (it may send `extensions`). A presented key is compared with every configured key in
 * constant time over SHA-256 digests, so neither the comparison nor the key lengths leak
 * through timing, and the loop never stops early.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface Caller {
  /** A short, stable, non-secret id for the key: for logs, rate limits and contact scopes. */
  keyId: string;
  /** The admin key: `extensions` are honoured. */
  trusted: boolean;
}

const digest = (key: string) => createHash('sha256').update(key).digest();

export class ApiKeys {
  readonly #keys: Array<{ digest: Buffer; caller: Caller }>;

  constructor(apiKeys: readonly string[], adminKey?: string) {
    const entry = (key: string, trusted: boolean) => ({ digest: digest(key), caller: { keyId: keyIdOf(key), trusted } });
    this.#keys = [...apiKeys.map((key) => entry(key, false)), ...(adminKey ? [entry(adminKey, true)] : [])];
  }

  /** No key is configured: every request is refused. */
  get isEmpty(): boolean {
    return this.#keys.length === 0;
  }

  /** The caller for an `Authorization` header, or undefined when it carries no known key. */
  authenticate(authorization: string | undefined): Caller | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const presented = digest(match[1]!);
    let found: Caller | undefined;
    for (const key of this.#keys) {
      // No early exit: every key is compared whatever matched before. The admin key comes last,
      // so a key configured both ways is trusted.
      if (timingSafeEqual(presented, key.digest)) found = key.caller;
    }
    return found;
  }
}

export function keyIdOf(key: string): string {
  return `key_${digest(`key-id:${key}`).toString('hex').slice(0, 12)}`;
}
