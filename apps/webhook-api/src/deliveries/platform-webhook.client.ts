import { Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { WebhookApiConfig } from '../config/webhook-api.config';

/** The contract's bound on one delivery attempt; OUTBOUND_TIMEOUT_MS when that is smaller. */
const DELIVERY_TIMEOUT_MS = 10_000;

/** What one attempt came to: the platform's status, or none (timeout, refused connection). */
export type DeliveryAttemptResult = { statusCode: number; error?: undefined } | { statusCode: null; error: string };

/**
 * The one way to the platform's webhook endpoint: POSTs a body signed under the Standard
 * Webhooks convention (`webhook-id`, `webhook-timestamp`, `webhook-signature`), with a timeout.
 */
@Injectable()
export class PlatformWebhookClient {
  readonly url: string | undefined;
  private readonly signer: Webhook | undefined;
  /** The longest one attempt takes. */
  readonly timeoutMs: number;

  constructor(config: WebhookApiConfig) {
    this.url = config.PLATFORM_WEBHOOK_URL;
    // Validation guarantees the secret whenever the URL is set.
    this.signer = config.PLATFORM_WEBHOOK_SECRET ? new Webhook(config.PLATFORM_WEBHOOK_SECRET) : undefined;
    this.timeoutMs = Math.min(DELIVERY_TIMEOUT_MS, config.OUTBOUND_TIMEOUT_MS);
  }

  get enabled(): boolean {
    return this.url !== undefined && this.signer !== undefined;
  }

  /** One attempt; never throws. `at` is the signed `webhook-timestamp`. */
  async send(id: string, body: string, at: Date): Promise<DeliveryAttemptResult> {
    if (!this.url || !this.signer) return { statusCode: null, error: 'PLATFORM_WEBHOOK_URL is not set' };
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'google-calendar-connector/webhook-api',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': this.signer.sign(id, at, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The answer's body means nothing to us; read it so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      return { statusCode: response.status };
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        return { statusCode: null, error: `no answer within ${this.timeoutMs} ms` };
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { statusCode: null, error: `no answer: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
    }
  }
}
