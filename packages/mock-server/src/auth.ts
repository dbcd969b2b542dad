/**
 * Who an agent token belongs to (docs/decisions.md D31): a static token from the config (the demo
 * agents), or a JWT from the team's own sign-in, verified with `jose` against a JWKS URL or a
 * static public key, with issuer, audience and expiry checks and a configurable claim mapping.
 * An expired JWT is told apart from a bad one, because the client can fix it by fetching a new
 * token (close 4100); a bad one it cannot (close 4001).
 */
import { createRemoteJWKSet, errors, importJWK, importSPKI, jwtVerify, type JWK, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Agent, AgentRole } from '@handoff/sdk/protocol';

export interface StaticAgent extends Agent {
  token: string;
  /** Default `supervisor`, as the demo agents had every right before roles existed. */
  role?: AgentRole;
}

export interface JwtConfig {
  /** Where the signing keys are published (fetched, cached and refreshed by `jose`). */
  jwksUrl?: string;
  /** Or one key: a PEM `-----BEGIN PUBLIC KEY-----` (SPKI) or a public JWK as JSON. */
  publicKey?: string;
  /** Accepted algorithms. Default RS256, ES256, EdDSA. */
  algorithms?: string[];
  issuer: string;
  audience: string;
  /** Claim names (dotted paths allowed, e.g. `realm_access.roles`). Defaults: sub, name, role. */
  claims?: { id?: string; name?: string; role?: string };
  /** Values of the role claim (a string or a list) that make a supervisor. Default ["supervisor"]. */
  supervisorValues?: string[];
  /** Allowed clock skew. Default 30 s. */
  clockToleranceSec?: number;
}

export interface Identity {
  agent: Agent;
  role: AgentRole;
  /** When the token stops being valid (ms since the epoch); the session is closed then (4100). */
  expiresAt?: number;
}

/** `unavailable`: the keys could not be fetched; the client should retry later, not give up. */
export type AuthResult = { ok: true; identity: Identity } | { ok: false; reason: 'unknown' | 'expired' | 'invalid' | 'unavailable'; message: string };

const DEFAULT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
/** A JWT has three base64url parts; a static token need not look like one. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

export class Authenticator {
  private readonly key: JWTVerifyGetKey | undefined;

  constructor(
    private readonly agents: readonly StaticAgent[],
    private readonly jwt?: JwtConfig,
  ) {
    if (jwt?.jwksUrl) this.key = createRemoteJWKSet(new URL(jwt.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    else if (jwt && !jwt.publicKey) throw new Error('JWT sign-in needs jwksUrl or publicKey.');
  }

  /** Static keys are imported once, lazily (importing is async). */
  private staticKey: Promise<JWTVerifyGetKey> | undefined;

  async authenticate(token: string): Promise<AuthResult> {
    const known = this.agents.find((a) => a.token === token);
    if (known) return { ok: true, identity: { agent: { id: known.id, name: known.name }, role: known.role ?? 'supervisor' } };
    if (!this.jwt || !JWT_SHAPE.test(token)) return { ok: false, reason: 'unknown', message: 'Unknown token.' };
    const jwt = this.jwt;
    try {
      const key = this.key ?? (await (this.staticKey ??= importStatic(jwt)));
      const { payload } = await jwtVerify(token, key, {
        issuer: jwt.issuer,
        audience: jwt.audience,
        algorithms: jwt.algorithms ?? DEFAULT_ALGORITHMS,
        clockTolerance: jwt.clockToleranceSec ?? 30,
        requiredClaims: ['exp'],
      });
      return { ok: true, identity: identityFrom(payload, jwt) };
    } catch (err) {
      if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError || err instanceof ClaimError)) {
        return { ok: false, reason: 'unavailable', message: 'The sign-in keys could not be fetched; try again shortly.' };
      }
      if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired', message: 'The token has expired: get a new one and reconnect.' };
      if (err instanceof errors.JOSEError) return { ok: false, reason: 'invalid', message: `The token was refused: ${describe(err)}.` };
      return { ok: false, reason: 'invalid', message: (err as Error).message };
    }
  }
}

class ClaimError extends Error {}

function identityFrom(payload: JWTPayload, jwt: JwtConfig): Identity {
  const id = claim(payload, jwt.claims?.id ?? 'sub');
  if (typeof id !== 'string' || !id || id.length > 128) throw new ClaimError(`The token has no usable agent id claim (${jwt.claims?.id ?? 'sub'}).`);
  const name = claim(payload, jwt.claims?.name ?? 'name');
  const roles = claim(payload, jwt.claims?.role ?? 'role');
  const values = Array.isArray(roles) ? roles : [roles];
  const supervisor = values.some((r) => typeof r === 'string' && (jwt.supervisorValues ?? ['supervisor']).includes(r));
  return {
    agent: { id, name: typeof name === 'string' && name ? name : id },
    role: supervisor ? 'supervisor' : 'agent',
    // The same tolerance as at sign-in, so a reconnect with this token is not accepted and then cut at once.
    expiresAt: (payload.exp! + (jwt.clockToleranceSec ?? 30)) * 1000,
  };
}

function claim(payload: JWTPayload, dotted: string): unknown {
  let value: unknown = payload;
  for (const part of dotted.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

async function importStatic(jwt: JwtConfig): Promise<JWTVerifyGetKey> {
  const text = jwt.publicKey!.trim();
  const algorithms = jwt.algorithms ?? DEFAULT_ALGORITHMS;
  if (text.startsWith('{')) {
    const jwk = JSON.parse(text) as JWK;
    const key = await importJWK(jwk, jwk.alg ?? algorithms[0]);
    return async () => key;
  }
  // A PEM key is tied to one algorithm in WebCrypto: import it for each accepted one.
  const keys = new Map<string, CryptoKey>();
  for (const alg of algorithms) {
    try {
      keys.set(alg, (await importSPKI(text, alg)) as CryptoKey);
    } catch {
      // not a key of this algorithm's type
    }
  }
  if (!keys.size) throw new Error('JWT publicKey is not a public key for any of the accepted algorithms.');
  return async (header) => {
    const key = keys.get(header.alg);
    if (!key) throw new errors.JOSEAlgNotAllowed(`alg ${header.alg} does not match the configured key`);
    return key;
  };
}

function describe(err: errors.JOSEError): string {
  if (err instanceof errors.JWTClaimValidationFailed) return `claim "${err.claim}" ${err.reason === 'check_failed' ? 'has the wrong value' : 'is missing'}`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  return err.code;
}
