import { describe, expect, it } from 'vitest';
import { canOpenBrowser, demoUrl } from '../../src/edge/stream/index.js';

const parts = {
  baseUrl: 'https://pronto.getstream.io',
  call: { type: 'default', id: 'call-1', cid: 'default:call-1' },
  apiKey: 'key',
  token: 'a.b.c',
  userName: 'Demo User',
  chatChannelType: 'messaging',
};

describe('demoUrl', () => {
  it('links to the call in the demo app with the demo user, straight past the lobby', () => {
    expect(demoUrl(parts)).toBe(
      'https://pronto.getstream.io/join/call-1?api_key=key&token=a.b.c&skip_lobby=true&user_name=Demo+User&channel_type=messaging',
    );
  });

  it('keeps a base path and names a call type other than default', () => {
    const url = new URL(demoUrl({ ...parts, baseUrl: 'http://localhost:3000/video/', call: { type: 'livestream', id: 'x', cid: 'livestream:x' } }));
    expect(url.pathname).toBe('/video/join/x');
    expect(url.searchParams.get('type')).toBe('livestream');
  });
});

describe('canOpenBrowser', () => {
  it('opens only when wanted, outside CI, with a display', () => {
    expect(canOpenBrowser(true, { DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(canOpenBrowser(true, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(canOpenBrowser(false, { DISPLAY: ':0' }, 'linux')).toBe(false);
    expect(canOpenBrowser(true, { DISPLAY: ':0', CI: 'true' }, 'linux')).toBe(false);
    expect(canOpenBrowser(true, {}, 'linux')).toBe(false);
    expect(canOpenBrowser(true, {}, 'darwin')).toBe(true);
    expect(canOpenBrowser(true, { CI: '1' }, 'darwin')).toBe(false);
    expect(canOpenBrowser(true, { CI: 'false' }, 'win32')).toBe(true);
  });
});
