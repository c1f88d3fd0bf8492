import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from '../generated/database-api';

export interface ConnectorApiClientOptions {
  /** Where database-api is reached, e.g. `https://connectors.example.com` (the typed paths start with `/api`). */
  readonly baseUrl: string;
  /**
   * The user's JWT. Asked for on every request, not once, so that a token the SPA has
   * refreshed in the meantime is the one sent.
   */
  readonly token: () => string | Promise<string>;
  /** Defaults to the global `fetch`; pass one to add timeouts, retries or a test double. */
  readonly fetch?: (input: Request) => Promise<Response>;
}

/** Every database-api route, typed from its OpenAPI document: `GET`, `POST`, `DELETE`, ... */
export type ConnectorApiClient = Client<paths>;

/**
 * The SPA's client for database-api: an openapi-fetch client over the generated `paths`, so the
 * path, its parameters, the body and each status's answer are checked against the document.
 * Calls resolve to `{ data, error, response }`: `data` is the success envelope, `error` the
 * error envelope (`error.error.code`); a network failure rejects.
 */
export function createConnectorApiClient(options: ConnectorApiClientOptions): ConnectorApiClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch });
  client.use(bearerToken(options.token));
  return client;
}

function bearerToken(token: ConnectorApiClientOptions['token']): Middleware {
  return {
    async onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${await token()}`);
      return request;
    },
  };
}
