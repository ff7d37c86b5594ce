/**
 * The node-wide bound on attachment bytes: a request holds what it fetched until its reply
 * ends, and a request that would go over the bound is answered 503 at once, to retry.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { waitFor } from '../support/wait.js';
import { minimal, startHarness, type Harness } from './harness.js';

let harness: Harness;
let files: Server;
let filesOrigin: string;

beforeAll(async () => {
  files = createServer((req, res) => {
    const size = Number(/^\/(\d+)\.txt$/.exec(req.url ?? '')?.[1] ?? 0);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('z'.repeat(size));
  });
  files.listen(0, '127.0.0.1');
  await once(files, 'listening');
  filesOrigin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  harness = await startHarness({
    env: { ATTACHMENT_BUDGET_BYTES: '1000' },
    attachments: { isAddressAllowed: (address) => address === '127.0.0.1' },
  });
});

afterAll(async () => {
  await harness.close();
  files.closeAllConnections();
  await new Promise((resolve) => files.close(resolve));
});

const withAttachment = (bytes: number) => ({ ...minimal('Read it'), attachments: [{ url: `${filesOrigin}/${bytes}.txt` }] });

test('a request holds its attachments until its reply ends; one that would go over the bound is a 503 to retry', async () => {
  harness.fake.script({ text: 'Reading…', hold: true });
  const client = new AbortController();
  const holding = harness.complete(withAttachment(600), { accept: 'application/jsonl', signal: client.signal });
  await harness.fake.waitFor(() => harness.fake.openStreams === 1);

  const refused = await harness.complete(withAttachment(600));
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect((await refused.json()).error).toMatchObject({ code: 'SERVER_BUSY', path: 'attachments[0].url' });
  // What fits still goes through.
  harness.fake.script({ text: 'Read.' });
  expect((await harness.complete(withAttachment(300))).status).toBe(200);

  client.abort();
  await holding.then((response) => response.text()).catch(() => undefined);
  await harness.fake.waitFor(() => harness.fake.openStreams === 0);
  // Released once the first request has ended: the same attachment fits again.
  const status = await waitFor(async () => {
    const response = await harness.complete(withAttachment(600));
    await response.text();
    return response.status === 503 ? undefined : response.status;
  }, 'the first request\'s attachment to be released');
  expect(status).toBe(200);
});
