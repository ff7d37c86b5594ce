import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { embeddedIpv4, publicAddressesOnly } from '../../src/completion/attachments/address-policy.js';
import { AttachmentError, fetchAttachment, type AttachmentFetchOptions } from '../../src/completion/attachments/fetch-attachment.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');

let server: Server;
let port: number;
let origin: string;
const seenHosts: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenHosts.push(req.headers.host ?? '');
    switch (req.url) {
      case '/text':
        return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Opening hours: 9–17.');
      case '/json':
        return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      case '/image.png':
        return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      case '/declared-big':
        return res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5000' }).end('x'.repeat(5000));
      case '/streamed-big':
        // No Content-Length: the limit must be enforced while reading.
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 10; i++) res.write('y'.repeat(500));
        return res.end();
      case '/slow':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.write('partial');
      case '/binary':
        return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(10));
      case '/redirect-ok':
        return res.writeHead(302, { location: '/text' }).end();
      case '/redirect-private':
        return res.writeHead(302, { location: 'http://10.0.0.7/secret' }).end();
      case '/redirect-loop':
        return res.writeHead(302, { location: '/redirect-loop' }).end();
      default:
        return res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const base = { maxBytes: 2000, timeoutMs: 2000 } satisfies AttachmentFetchOptions;
// No public server is reachable from a test machine: these tests allow loopback explicitly.
const allowLoopback = { ...base, isAddressAllowed: (address: string) => address === '127.0.0.1' || publicAddressesOnly(address) };

async function refusal(url: string, options: AttachmentFetchOptions = base): Promise<AttachmentError> {
  const error = await fetchAttachment(url, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AttachmentError);
  expect((error as AttachmentError).message).toContain(url);
  return error as AttachmentError;
}

describe('address policy', () => {
  test.each([
    '127.0.0.1', '127.8.8.8', '0.0.0.0', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1',
    '169.254.169.254', '224.0.0.1', '255.255.255.255', '198.18.0.1', '::', '::1', 'fd00::1', 'fc00::1', 'fe80::1',
    'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:7f00:1::', '2001:db8::1', 'not-an-ip',
  ])('refuses %s', (address) => {
    expect(publicAddressesOnly(address)).toBe(false);
  });

  test.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001::200e'])('allows %s', (address) => {
    expect(publicAddressesOnly(address)).toBe(true);
  });

  test('finds IPv4 inside IPv6 forms', () => {
    expect(embeddedIpv4('::ffff:192.168.0.1')).toBe('192.168.0.1');
    expect(embeddedIpv4('64:ff9b::808:808')).toBe('8.8.8.8');
    expect(embeddedIpv4('2606:4700::1')).toBeUndefined();
  });
});

describe('fetchAttachment refuses what the server must not reach', () => {
  test.each([
    ['loopback IPv4', () => `${origin}/text`],
    ['loopback IPv6', () => `http://[::1]:${port}/text`],
    ['private 10/8', () => 'http://10.1.2.3/file.txt'],
    ['link-local metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['unique-local IPv6', () => 'http://[fd00::1]/file.txt'],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port}/text`],
    ['a host name resolving to loopback', () => `http://localhost:${port}/text`],
    ['a decimal-encoded loopback address', () => `http://2130706433:${port}/text`],
  ])('%s', async (_name, url) => {
    const error = await refusal(url());
    expect(error.code).toBe('ATTACHMENT_REFUSED');
  });

  test('a redirect to a private address', async () => {
    const error = await refusal(`${origin}/redirect-private`, allowLoopback);
    expect(error.code).toBe('ATTACHMENT_REFUSED');
    expect(error.message).toContain('10.0.0.7');
  });

  test('a host with one private address among public ones', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 as const },
      { address: '192.168.0.10', family: 4 as const },
    ];
    expect((await refusal('http://mixed.example/file', { ...base, resolve })).code).toBe('ATTACHMENT_REFUSED');
  });

  test('schemes other than http(s) and URLs with credentials', async () => {
    expect((await refusal('ftp://example.com/file')).code).toBe('ATTACHMENT_REFUSED');
    expect((await refusal('http://user:pass@example.com/file')).code).toBe('ATTACHMENT_REFUSED');
  });
});

describe('fetchAttachment reads what it may', () => {
  test('text is decoded and inlined', async () => {
    expect(await fetchAttachment(`${origin}/text`, allowLoopback)).toEqual({
      url: `${origin}/text`,
      kind: 'text',
      mimeType: 'text/plain',
      text: 'Opening hours: 9–17.',
      truncated: false,
    });
    expect(await fetchAttachment(`${origin}/json`, allowLoopback)).toMatchObject({ kind: 'text', text: '{"ok":true}' });
  });

  test('images become base64 inline data', async () => {
    expect(await fetchAttachment(`${origin}/image.png`, allowLoopback)).toEqual({
      url: `${origin}/image.png`,
      kind: 'inline',
      mimeType: 'image/png',
      data: PNG.toString('base64'),
    });
  });

  test('the connection goes to the checked address, with the original Host', async () => {
    const resolve = async () => [{ address: '127.0.0.1', family: 4 as const }];
    const attachment = await fetchAttachment(`http://files.example:${port}/text`, { ...allowLoopback, resolve });
    expect(attachment).toMatchObject({ kind: 'text', text: 'Opening hours: 9–17.' });
    expect(seenHosts.at(-1)).toBe(`files.example:${port}`);
  });

  test('redirects to allowed addresses are followed, loops are cut', async () => {
    expect(await fetchAttachment(`${origin}/redirect-ok`, allowLoopback)).toMatchObject({ kind: 'text', text: 'Opening hours: 9–17.' });
    expect((await refusal(`${origin}/redirect-loop`, allowLoopback)).message).toMatch(/redirects too many times/);
  });

  test('the size limit holds from Content-Length and while streaming', async () => {
    expect((await refusal(`${origin}/declared-big`, allowLoopback)).message).toMatch(/5000 bytes, over the 2000-byte limit/);
    expect((await refusal(`${origin}/streamed-big`, allowLoopback)).message).toMatch(/larger than the 2000-byte limit/);
  });

  test('a body that never finishes times out', async () => {
    expect((await refusal(`${origin}/slow`, { ...allowLoopback, timeoutMs: 200 })).message).toMatch(/took longer than 200 ms/);
  });

  test('unsupported types and HTTP errors name the URL', async () => {
    expect((await refusal(`${origin}/binary`, allowLoopback)).message).toMatch(/application\/octet-stream/);
    expect((await refusal(`${origin}/missing`, allowLoopback)).message).toMatch(/answered HTTP 404/);
  });
});
