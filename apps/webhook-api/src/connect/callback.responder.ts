import { HttpStatus, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { WebhookApiConfig } from '../config/webhook-api.config';
import { CallbackOutcome, FAILURE_MESSAGES, failureStatus } from './callback-outcome';
import { callbackPage } from './callback-page';

/** Turns a callback outcome into what the browser gets: the configured redirect, or a page. */
@Injectable()
export class CallbackResponder {
  constructor(private readonly config: WebhookApiConfig) {}

  answer(response: Response, outcome: CallbackOutcome): void {
    response.setHeader('Cache-Control', 'no-store');
    if (outcome.connected) {
      const redirect = this.config.OAUTH_SUCCESS_REDIRECT_URL;
      if (redirect) {
        response.redirect(
          HttpStatus.FOUND,
          withParams(redirect, {
            status: 'connected',
            calendarId: outcome.calendarId,
            subaccountId: outcome.subaccountId,
          }),
        );
        return;
      }
      response
        .status(HttpStatus.OK)
        .type('html')
        .send(callbackPage('success', `Your Google Calendar (${outcome.googleEmail}) is now connected.`));
      return;
    }
    const redirect = this.config.OAUTH_FAILURE_REDIRECT_URL;
    if (redirect) {
      response.redirect(HttpStatus.FOUND, withParams(redirect, { status: 'failed', reason: outcome.reason }));
      return;
    }
    response
      .status(failureStatus(outcome.reason))
      .type('html')
      .send(callbackPage('failure', FAILURE_MESSAGES[outcome.reason], outcome.reason));
  }
}

function withParams(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}
