/**
 * The CAP platform API client: `paths` and `components` are generated from the committed
 * contract (docs/api/openapi.json) by openapi-typescript (`make contract`); calls go through
 * openapi-fetch, typed by path, method, parameters, body and answer (errors included: every
 * error is an RFC 9457 `Problem`).
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, operations, paths, webhooks } from "./schema.js";

/** RFC 9457 problem details, the body of every error answer of the platform. */
export type Problem = components["schemas"]["Problem"];

export type CapClient = Client<paths>;

export interface ClientOptions {
  /** The platform's public base URL, e.g. `https://cap.example.org` (no trailing `/v1`). */
  baseUrl: string;
  /** The current access token (read before each request, so a refreshed one is used). */
  accessToken?: () => string | undefined;
  /** `fr` for French problem titles and details, `en` (the default) otherwise. */
  language?: "fr" | "en";
  fetch?: typeof globalThis.fetch;
}

/** A typed client of the whole API, bearer token and language on every request. */
export function createCapClient(options: ClientOptions): CapClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = options.accessToken?.();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      request.headers.set("Accept-Language", options.language ?? "en");
      return request;
    },
  };
  client.use(auth);
  return client;
}
