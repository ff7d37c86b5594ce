/**
 * docs/production.md documents every field the sessions API answers with, and each documented
 * field is one the API really sends: a new field fails here until it is documented.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.js';
import { startWorkerNode, type WorkerNode } from './worker-harness.js';

/** The field names in the first column of the table under "### The session in the answers". */
function documentedFields(): string[] {
  const docs = readFileSync(new URL('../../docs/production.md', import.meta.url), 'utf8');
  const section = docs.split('### The session in the answers')[1]?.split('\n#')[0] ?? '';
  const rows = section.split('\n').filter((line) => /^\| `/.test(line));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([\w.]+)`/g)].map((match) => match[1]!));
}

/** The keys of an answer, with `figures.*` for the figures' own keys. */
function fieldsOf(body: Record<string, unknown>): string[] {
  return Object.entries(body).flatMap(([key, value]) =>
    key === 'figures' ? Object.keys(value as object).map((inner) => `figures.${inner}`) : [key],
  );
}

let worker: WorkerNode | undefined;
afterEach(async () => {
  await worker?.close();
  worker = undefined;
});

describe('the sessions API as documented', () => {
  it('answers with documented fields only, and sends every documented field', async () => {
    const documented = documentedFields();
    expect(documented).toContain('sessionId');
    worker = await startWorkerNode();
    const path = '/calls/default/fields-call/sessions';
    const started = await (await worker.request('POST', path)).json();
    const session = `${path}/${started.sessionId}`;
    const answers: Record<string, Record<string, unknown>> = {
      started,
      read: await (await worker.request('GET', session)).json(),
      metrics: await (await worker.request('GET', `${session}/metrics`)).json(),
    };
    worker.agents.latest!.crash(new Error('the model socket closed'));
    await waitUntil(async () => (await (await worker!.request('GET', session)).json()).state === 'ended', 'the crashed session to end');
    answers.ended = await (await worker.request('GET', session)).json();
    expect(answers.ended).toMatchObject({ endReason: 'error', error: 'the model socket closed' });

    const sent = new Set<string>();
    for (const [name, answer] of Object.entries(answers)) {
      for (const field of fieldsOf(answer)) {
        expect(documented, `${name} answers "${field}"`).toContain(field);
        sent.add(field);
      }
    }
    expect(documented.filter((field) => !sent.has(field))).toEqual([]);
  });
});
