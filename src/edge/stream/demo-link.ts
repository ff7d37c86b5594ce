/**
 * The link that lets a person join the agent's call from Stream's Video demo app, and whether
 * this machine can open it in a browser.
 */
import type { EdgeCall } from '../edge.js';

export interface DemoLinkParts {
  baseUrl: string;
  call: EdgeCall;
  apiKey: string;
  /** A short-lived token of the demo user. */
  token: string;
  userName: string;
  chatChannelType: string;
}

/** `{base}/join/{callId}?api_key=…&token=…&skip_lobby=true&user_name=…&channel_type=…` */
export function demoUrl(parts: DemoLinkParts): string {
  const url = new URL(`join/${encodeURIComponent(parts.call.id)}`, parts.baseUrl.endsWith('/') ? parts.baseUrl : `${parts.baseUrl}/`);
  url.searchParams.set('api_key', parts.apiKey);
  url.searchParams.set('token', parts.token);
  url.searchParams.set('skip_lobby', 'true');
  url.searchParams.set('user_name', parts.userName);
  url.searchParams.set('channel_type', parts.chatChannelType);
  // The demo app assumes the `default` call type unless told otherwise.
  if (parts.call.type !== 'default') url.searchParams.set('type', parts.call.type);
  return url.toString();
}

/**
 * Whether to open a browser: wanted, not in CI, and a display to show it on (on Linux, an X11
 * or Wayland display; macOS and Windows always have one).
 */
export function canOpenBrowser(wanted: boolean, env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
  if (!wanted) return false;
  const ci = env.CI;
  if (ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
