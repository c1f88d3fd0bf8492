import { HttpStatus, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { CallbackOutcome, FAILURE_MESSAGES, failureStatus } from './callback-outcome';
import { callbackPage } from './callback-page';

/** Turns a callback outcome into what the browser gets: the configured redirect, or a page. */
@Injectable()
export class CallbackResponder {
  constructor(private readonly config: WebhookApiConfig) {}

  answer(reply: FastifyReply, outcome: CallbackOutcome): void {
    void reply.header('Cache-Control', 'no-store');
    if (outcome.connected) {
      const redirect = this.config.OAUTH_SUCCESS_REDIRECT_URL;
      if (redirect) {
        const to = withParams(redirect, {
          status: 'connected',
          calendarId: outcome.calendarId,
          subaccountId: outcome.subaccountId,
        });
        void reply.redirect(to, HttpStatus.FOUND);
        return;
      }
      page(
        reply,
        HttpStatus.OK,
        callbackPage('success', `Your Google Calendar (${outcome.googleEmail}) is now connected.`),
      );
      return;
    }
    const redirect = this.config.OAUTH_FAILURE_REDIRECT_URL;
    if (redirect) {
      void reply.redirect(withParams(redirect, { status: 'failed', reason: outcome.reason }), HttpStatus.FOUND);
      return;
    }
    page(
      reply,
      failureStatus(outcome.reason),
      callbackPage('failure', FAILURE_MESSAGES[outcome.reason], outcome.reason),
    );
  }
}

function page(reply: FastifyReply, status: number, html: string): void {
  void reply.status(status).type('text/html; charset=utf-8').send(html);
}

function withParams(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}
