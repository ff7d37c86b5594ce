/**
 * HS256 JSON Web Tokens, as Stream signs them: user tokens are signed with the app's API
 * secret (node-sdk's `generateUserToken`), SFU tokens with a secret of the fake's own.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface JwtClaims {
  user_id?: string;
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

const base64url = (input: string | Buffer) => Buffer.from(input).toString('base64url');

export function signJwt(claims: JwtClaims, secret: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The claims of a valid, unexpired token, or a reason it is not one. */
export function verifyJwt(token: string, secret: string): { claims: JwtClaims } | { error: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { error: 'not a JWT' };
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const actual = Buffer.from(signature, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { error: 'bad signature' };
  let claims: JwtClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JwtClaims;
  } catch {
    return { error: 'unreadable claims' };
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return { error: 'token expired' };
  return { claims };
}
