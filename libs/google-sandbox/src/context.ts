import { ServerResponse } from 'node:http';
import { SandboxHttpRequest } from './http-io';
import { IdTokenSigner } from './id-token';
import { PushChannels } from './push-channels';
import { SandboxStore } from './store';
import { SandboxConsentDecision, SandboxTokenFailure } from './types';

/** What the route handlers share with the sandbox. */
export interface SandboxContext {
  readonly store: SandboxStore;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly accessTokenTtlSeconds: number;
  readonly idTokens: IdTokenSigner;
  /** events.watch channels and the pushes they get. */
  readonly channels: PushChannels;
  autoConsent(): boolean;
  /** The decision set with setNextConsent, consumed by this call. */
  takeNextConsent(): SandboxConsentDecision | undefined;
  /** The next queued failTokenRequests answer, consumed by this call. */
  takeTokenFailure(): SandboxTokenFailure | undefined;
  tokenDelayMs(): number;
  /** Resolves after ms (at once for 0); pending sleeps are dropped when the sandbox stops. */
  sleep(ms: number): Promise<void>;
}

export type RouteHandler = (req: SandboxHttpRequest, res: ServerResponse, ctx: SandboxContext) => void | Promise<void>;
