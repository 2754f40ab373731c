/**
 * What an app does with the CAP platform, end to end, against the generated types:
 *
 * 1. sign in with OAuth 2.0 authorization code + PKCE (S256), the endpoints read from the
 *    OpenID Connect discovery document (`/.well-known/openid-configuration`);
 * 2. page through a list (`{"data": [...], "next_cursor": ...}`, `?cursor=` for the next page);
 * 3. retry a write safely: the same `Idempotency-Key` on every attempt, the platform answering
 *    the first result again with `Idempotent-Replayed: true`.
 *
 * Type-checked by the suite (`tsc --noEmit`, tests/contract/test_clients.py): a change of the
 * contract that breaks this code fails the build. Runs in a browser or Node 20+ (fetch, Web
 * Crypto); opening the sign-in page and receiving the redirect is the app's part (`authorize`).
 */
import { createCapClient, type CapClient, type Problem, type components } from "../src/index.js";

// -- 1. sign-in: authorization code + PKCE ---------------------------------------------------

/** The part of the OpenID Connect discovery document a public client needs. */
interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint?: string;
  code_challenge_methods_supported?: string[];
}

interface Tokens {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** RFC 7636: a random verifier and its S256 challenge (the only method the platform accepts). */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomString(32); // 43 characters
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

export async function discover(baseUrl: string): Promise<Discovery> {
  const answer = await fetch(`${baseUrl}/.well-known/openid-configuration`);
  if (!answer.ok) throw new Error(`discovery failed: ${answer.status}`);
  const discovery = (await answer.json()) as Discovery;
  if (!discovery.code_challenge_methods_supported?.includes("S256")) {
    throw new Error("the platform does not offer PKCE with S256");
  }
  return discovery;
}

/**
 * Sign in: `authorize` opens the sign-in page at the given URL (a browser redirect, a system
 * browser tab for a mobile app) and resolves with the URL the platform redirected back to.
 */
export async function signIn(
  baseUrl: string,
  clientId: string,
  redirectUri: string,
  authorize: (url: URL) => Promise<URL>,
): Promise<Tokens> {
  const discovery = await discover(baseUrl);
  const { verifier, challenge } = await pkcePair();
  const state = randomString(16);
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: "openid profile email",
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  const back = await authorize(url);
  if (back.searchParams.get("state") !== state) throw new Error("state mismatch: not our sign-in");
  const error = back.searchParams.get("error");
  if (error) throw new Error(`sign-in refused: ${error}`);
  const code = back.searchParams.get("code");
  if (!code) throw new Error("no authorization code in the redirect");
  const answer = await fetch(discovery.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: verifier,
    }),
  });
  if (!answer.ok) {
    const problem = (await answer.json()) as { error?: string; detail?: string };
    throw new Error(`token exchange failed: ${problem.error ?? problem.detail ?? answer.status}`);
  }
  return (await answer.json()) as Tokens;
}

// -- 2. paging -------------------------------------------------------------------------------

type Organisation = components["schemas"]["OrganisationPublic"];

/** Every organisation the caller may see, one page (at most `limit` items) at a time. */
export async function* organisations(client: CapClient, limit = 50): AsyncGenerator<Organisation> {
  let cursor: string | null | undefined;
  do {
    const { data, error } = await client.GET("/v1/organisations", {
      params: { query: { limit, cursor } },
    });
    if (error) throw new ProblemError(error);
    yield* data.data;
    cursor = data.next_cursor;
  } while (cursor);
}

// -- 3. safe retries -------------------------------------------------------------------------

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

type DiagnosticCreate = components["schemas"]["DiagnosticCreate"];
type DiagnosticPublic = components["schemas"]["DiagnosticPublic"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Open a diagnostic, retrying on a lost connection or a 5xx/429 answer with the SAME key: the
 * platform creates it once and answers every retry with the first result
 * (`Idempotent-Replayed: true`); a 409 means the first attempt is still in flight.
 */
export async function openDiagnostic(
  client: CapClient,
  body: DiagnosticCreate,
  attempts = 4,
): Promise<{ diagnostic: DiagnosticPublic; replayed: boolean }> {
  const key = crypto.randomUUID();
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(2 ** attempt * 250);
    try {
      const { data, error, response } = await client.POST("/v1/diagnostics", {
        params: { header: { "Idempotency-Key": key } },
        body,
      });
      if (data) {
        return { diagnostic: data, replayed: response.headers.get("Idempotent-Replayed") === "true" };
      }
      const retryable = response.status === 409 || response.status === 429 || response.status >= 500;
      if (!retryable) throw new ProblemError(error);
      const retryAfter = Number(response.headers.get("Retry-After"));
      if (retryAfter > 0) await sleep(retryAfter * 1000);
      last = error;
    } catch (exc) {
      if (exc instanceof ProblemError) throw exc;
      last = exc; // the network: the request may or may not have arrived, the key covers both
    }
  }
  throw last instanceof Error ? last : new Error("gave up after retries");
}

// -- all together ----------------------------------------------------------------------------

export async function example(
  baseUrl: string,
  authorize: (url: URL) => Promise<URL>,
): Promise<void> {
  const tokens = await signIn(baseUrl, "cap-mobile", "fr.coorace.cap:/oauth/callback", authorize);
  const client = createCapClient({ baseUrl, accessToken: () => tokens.access_token, language: "fr" });
  let first: Organisation | undefined;
  for await (const organisation of organisations(client)) {
    first ??= organisation;
  }
  if (!first) return;
  const { diagnostic, replayed } = await openDiagnostic(client, { organisation_id: first.id });
  console.log(`diagnostic ${diagnostic.id}${replayed ? " (replayed)" : ""}`);
}
