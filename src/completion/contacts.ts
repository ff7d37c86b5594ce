/**
 * Contacts: who a completion was for. A request's `contactId` (a string, or an object with a
 * `fingerprint`) resolves to a stable contact id, so the same person keeps one record across
 * requests; requests, messages and tokens are counted per contact. Contacts are scoped to the
 * API key that names them, so two clients with the same fingerprint never share a record.
 * Backed by a KeyValueStore: in memory on one node, shared when the store is.
 *
 * The id is derived from the key and the fingerprint, not stored, so a completion does not
 * need the store to know whom it is for: when the store is unavailable `resolve` still returns
 * the contact (as given in the request) and skips persisting it, with one warning per outage.
 */
import { createHash } from 'node:crypto';
import { withDeadline } from '../core/deadline.js';
import { createLogger, type Logger } from '../core/logger.js';
import { StoreOutage } from '../store/store-outage.js';
import type { KeyValueStore } from '../store/store.js';

export interface ContactProfile {
  name?: string;
  description?: string;
  email?: string;
  phone?: string;
  nick?: string;
  meta?: Record<string, unknown>;
}

export interface Contact extends ContactProfile {
  id: string;
  fingerprint: string;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface ContactUsage {
  requests: number;
  messages: number;
  tokens: number;
}

/** The request's `contactId`: a plain id, or a fingerprint with profile fields. */
export type ContactReference = string | ({ fingerprint: string } & ContactProfile);

const PROFILE_FIELDS = ['name', 'description', 'email', 'phone', 'nick', 'meta'] as const;

export class ContactStore {
  readonly #store: KeyValueStore;
  readonly #now: () => number;
  readonly #outage: StoreOutage;
  readonly #storeTimeoutMs: number;

  /** `storeTimeoutMs`: a store slower than this (default 500) is skipped for the request. */
  constructor(store: KeyValueStore, options: { now?: () => number; logger?: Logger; storeTimeoutMs?: number } = {}) {
    this.#store = store;
    this.#now = options.now ?? Date.now;
    this.#storeTimeoutMs = options.storeTimeoutMs ?? 500;
    this.#outage = new StoreOutage(options.logger ?? createLogger('server.contacts'), {
      down: 'contacts are not being stored: the store is unavailable (completions go on with the contact as given)',
      up: 'contacts are stored again',
    });
  }

  /** The stable id for `fingerprint` within `scope` (the caller's key id). */
  static idFor(scope: string, fingerprint: string): string {
    return `ct_${createHash('sha256').update(scope).update('\0').update(fingerprint).digest('hex').slice(0, 24)}`;
  }

  /**
   * Finds or creates the contact; profile fields given now replace stored ones. Without the
   * store (it fails, or is slower than `storeTimeoutMs`) it answers the contact as given in
   * the request, unsaved.
   */
  async resolve(reference: ContactReference, scope: string): Promise<Contact> {
    const fingerprint = typeof reference === 'string' ? reference : reference.fingerprint;
    const id = ContactStore.idFor(scope, fingerprint);
    const nowMs = this.#now();
    const profile = typeof reference === 'string' ? {} : pickProfile(reference);
    const fresh: Contact = { id, fingerprint, ...profile, createdAtMs: nowMs, updatedAtMs: nowMs };
    try {
      const contact = await withDeadline(this.#findOrCreate(fresh, profile, nowMs), this.#storeTimeoutMs, 'the store');
      this.#outage.answered();
      return contact;
    } catch (error) {
      this.#outage.failed(error);
      return fresh;
    }
  }

  async #findOrCreate(fresh: Contact, profile: ContactProfile, nowMs: number): Promise<Contact> {
    const key = `contact:${fresh.id}`;
    if (await this.#store.setIfAbsent(key, JSON.stringify(fresh))) return fresh;
    const stored = JSON.parse((await this.#store.get(key)) ?? JSON.stringify(fresh)) as Contact;
    const changed = PROFILE_FIELDS.some((field) => profile[field] !== undefined && JSON.stringify(profile[field]) !== JSON.stringify(stored[field]));
    if (!changed) return stored;
    const updated: Contact = { ...stored, ...profile, updatedAtMs: nowMs };
    await this.#store.set(key, JSON.stringify(updated));
    return updated;
  }

  async get(id: string): Promise<Contact | undefined> {
    const stored = await this.#store.get(`contact:${id}`);
    return stored === undefined ? undefined : (JSON.parse(stored) as Contact);
  }

  /** Adds to the contact's counters (atomic per counter, so concurrent requests add up). */
  async recordUsage(id: string, usage: Partial<ContactUsage>): Promise<void> {
    await Promise.all(
      (['requests', 'messages', 'tokens'] as const)
        .filter((counter) => (usage[counter] ?? 0) > 0)
        .map((counter) => this.#store.increment(`contact:${id}:${counter}`, usage[counter])),
    );
  }

  async usage(id: string): Promise<ContactUsage> {
    const [requests, messages, tokens] = await Promise.all(
      (['requests', 'messages', 'tokens'] as const).map(async (counter) => Number((await this.#store.get(`contact:${id}:${counter}`)) ?? 0)),
    );
    return { requests: requests!, messages: messages!, tokens: tokens! };
  }
}

function pickProfile(reference: ContactProfile): ContactProfile {
  const profile: ContactProfile = {};
  for (const field of PROFILE_FIELDS) {
    if (reference[field] !== undefined) (profile as Record<string, unknown>)[field] = reference[field];
  }
  return profile;
}
