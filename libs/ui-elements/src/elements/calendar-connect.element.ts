import { createConnectorApiClient } from '@connector-service/api-client';
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { problemOf, userMessageFor } from '../lib/api-problem';
import { BackoffPoller, CONSENT_POLL_SCHEDULE, type BackoffSchedule } from '../lib/backoff-poller';
import { GoogleCalendarConnection, type ConnectionState, type ConnectionStatus } from '../lib/connector-status';
import { hasToken, tokenProvider, type TokenInput } from '../lib/token-source';
import { themeStyles } from './theme.styles';

/** `calendar-connect-change`'s detail: the connection as database-api now reports it. */
export interface CalendarConnectChangeDetail extends ConnectionState {
  readonly status: ConnectionStatus;
  readonly subaccountId: string;
}

/** What the element is doing, apart from the connection's own status. */
type Activity =
  | 'unconfigured'
  | 'loading'
  /** handlegooglecalendar is running. */
  | 'starting'
  /** The consent window is open; the status is polled until the callback landed. */
  | 'awaiting_consent'
  | 'disconnecting'
  | 'idle';

interface ConnectView {
  readonly activity: Activity;
  /** Unknown until the first load answered. */
  readonly connection?: ConnectionState;
  /** What went wrong last, in words for the person. */
  readonly problem?: string;
  /** A status line beside the connection's own (e.g. where the link was e-mailed). */
  readonly notice?: string;
  /** The consent page, offered as a link when the browser blocked the new window. */
  readonly consentLinkFallback?: string;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * `<calendar-connect>`: a subaccount's Google Calendar connection. Shows its status, adds the
 * google-calendar connector when missing, and offers "Connect Google Calendar" (consent page in
 * a new window; the status turns "Connected" once the callback landed, found by polling),
 * "Reconnect" when access was lost and "Disconnect" when connected. The calls live in
 * GoogleCalendarConnection; this class renders and sequences them.
 *
 * @fires calendar-connect-change - `detail: CalendarConnectChangeDetail`, when the status (or account) changes.
 */
export class CalendarConnectElement extends LitElement {
  static override styles = themeStyles;

  static override properties = {
    apiBaseUrl: { type: String, attribute: 'api-base-url' },
    subaccountId: { type: String, attribute: 'subaccount-id' },
    userEmail: { type: String, attribute: 'user-email' },
    token: { attribute: false },
    view: { state: true },
  };

  /** database-api's base URL, e.g. `http://localhost:3002`. */
  declare apiBaseUrl: string;
  declare subaccountId: string;
  /**
   * Where webhook-api e-mails the consent link (also Google's login hint). Without it the
   * element asks for it in a labelled field.
   */
  declare userEmail: string;
  /** The user's JWT, or a function answering it. A property only, never an attribute. */
  declare token: TokenInput | undefined;
  declare private view: ConnectView;

  /** Tests (and a patient SPA) may shorten or lengthen the wait for the consent callback. */
  pollSchedule: BackoffSchedule = CONSENT_POLL_SCHEDULE;

  private connection: GoogleCalendarConnection | undefined;
  private poller: BackoffPoller | undefined;
  /** Answers of an older configuration (or a detached element) are dropped by comparing this. */
  private generation = 0;
  private emailDraft = '';
  private focusWasInside = false;

  constructor() {
    super();
    this.apiBaseUrl = '';
    this.subaccountId = '';
    this.userEmail = '';
    this.token = undefined;
    this.view = { activity: 'unconfigured' };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('focus', this.onWindowFocus);
    // Moved in the DOM (detached, then attached again): start over from the current state.
    if (this.hasUpdated) this.configure();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('focus', this.onWindowFocus);
    this.stopPolling();
    this.generation++;
  }

  protected override willUpdate(changed: PropertyValues): void {
    this.focusWasInside = this.shadowRoot?.activeElement != null;
    if (changed.has('apiBaseUrl') || changed.has('subaccountId') || changed.has('token')) this.configure();
  }

  protected override updated(): void {
    // The focused button was replaced (Connect became Disconnect, ...): give focus to the new
    // action rather than dropping it on the page's body.
    if (this.focusWasInside && this.shadowRoot?.activeElement == null) {
      this.shadowRoot?.querySelector<HTMLElement>('[data-primary-action]')?.focus();
    }
  }

  protected override render(): TemplateResult {
    const { activity, connection, problem, notice, consentLinkFallback } = this.view;
    return html`
      <section aria-labelledby="title" aria-busy=${activity === 'loading' ? 'true' : 'false'}>
        <h2 id="title">Google Calendar</h2>
        <p role="status" aria-live="polite" class=${connection?.status === 'connected' ? 'success' : ''}>
          ${this.statusText()}
        </p>
        ${notice ? html`<p class="muted">${notice}</p>` : nothing}
        ${problem ? html`<p role="alert" class="error">${problem}</p>` : nothing}
        ${consentLinkFallback
          ? html`<p>
              <a href=${consentLinkFallback} target="_blank" rel="noopener noreferrer">Open the Google consent page</a>
            </p>`
          : nothing}
        ${this.actions()}
      </section>
    `;
  }

  private statusText(): string {
    const { activity, connection } = this.view;
    if (activity === 'unconfigured') return 'Waiting for api-base-url, subaccount-id and token.';
    if (activity === 'loading' && !connection) return 'Checking Google Calendar…';
    if (activity === 'disconnecting') return 'Disconnecting…';
    if (activity === 'starting') return 'Opening the Google consent page…';
    if (activity === 'awaiting_consent') return 'Waiting for you to allow access in the Google window…';
    switch (connection?.status) {
      case 'connected':
        return connection.googleEmail ? `Connected as ${connection.googleEmail}` : 'Connected';
      case 'reauth_required':
        return connection.googleEmail
          ? `Access to Google Calendar (${connection.googleEmail}) was lost. Reconnect to continue.`
          : 'Access to Google Calendar was lost. Reconnect to continue.';
      case 'not_connected':
        return 'Not connected';
      default:
        return 'Google Calendar status unknown.';
    }
  }

  private actions(): TemplateResult | typeof nothing {
    const { activity, connection } = this.view;
    if (activity === 'unconfigured' || (activity === 'loading' && !connection)) return nothing;
    if (!connection) {
      return html`<button type="button" data-primary-action @click=${this.onRetryClick}>Try again</button>`;
    }
    const busy = activity === 'starting' || activity === 'disconnecting' || activity === 'loading';
    if (connection.status === 'connected' && activity !== 'awaiting_consent') {
      return html`<button
        type="button"
        data-primary-action
        aria-disabled=${busy ? 'true' : 'false'}
        @click=${this.onDisconnectClick}
      >
        Disconnect
      </button>`;
    }
    const label = connection.status === 'reauth_required' ? 'Reconnect' : 'Connect Google Calendar';
    return html`
      ${this.userEmail ? nothing : this.emailField()}
      <button
        type="button"
        class="primary"
        data-primary-action
        aria-disabled=${busy ? 'true' : 'false'}
        @click=${this.onConnectClick}
      >
        ${label}
      </button>
    `;
  }

  private emailField(): TemplateResult {
    return html`<div class="field">
      <label for="user-email">Your e-mail address</label>
      <input
        id="user-email"
        type="email"
        autocomplete="email"
        required
        aria-describedby="user-email-hint"
        .value=${this.emailDraft}
        @input=${(event: Event) => (this.emailDraft = (event.target as HTMLInputElement).value)}
      />
      <span id="user-email-hint" class="muted">Google's consent link is also e-mailed there.</span>
    </div>`;
  }

  /**
   * Opens the new window synchronously, inside the click, so popup blockers let it through;
   * its address is set once handlegooglecalendar answered the consent URL.
   */
  private onConnectClick(): void {
    if (this.isBusy()) return;
    const email = (this.userEmail || this.emailDraft).trim();
    if (!EMAIL_PATTERN.test(email)) {
      this.patch({ problem: 'Enter your e-mail address: Google’s consent link is also sent there.' });
      void this.updateComplete.then(() => this.shadowRoot?.querySelector<HTMLInputElement>('#user-email')?.focus());
      return;
    }
    const consentWindow = window.open('', '_blank');
    void this.startConsent(email, consentWindow);
  }

  private async startConsent(email: string, consentWindow: Window | null): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    const generation = this.generation;
    showPlaceholder(consentWindow);
    this.patch({ activity: 'starting', problem: undefined, notice: undefined, consentLinkFallback: undefined });
    try {
      const result = await connection.startConsent(email);
      if (generation !== this.generation) {
        consentWindow?.close();
        return;
      }
      const opened = consentWindow !== null && !consentWindow.closed;
      if (opened) {
        // The consent page must not reach back into the SPA through window.opener.
        consentWindow.opener = null;
        consentWindow.location.href = result.authUrl;
      }
      this.patch({
        activity: 'awaiting_consent',
        notice: result.emailSent
          ? `The consent link was also e-mailed to ${result.userEmail}.`
          : 'The consent link could not be e-mailed; use the window that opened.',
        consentLinkFallback: opened ? undefined : result.authUrl,
      });
      await this.awaitConsent(connection, generation);
    } catch (error) {
      consentWindow?.close();
      if (generation === this.generation) this.patch({ activity: 'idle', problem: userMessageFor(problemOf(error)) });
    }
  }

  /** Polls the status until the callback landed (connected), the schedule ran out, or the element left. */
  private async awaitConsent(connection: GoogleCalendarConnection, generation: number): Promise<void> {
    this.stopPolling();
    const poller = new BackoffPoller(this.pollSchedule);
    this.poller = poller;
    const outcome = await poller.run(
      () => connection.status(),
      (state) => state.status === 'connected',
    );
    if (this.poller === poller) this.poller = undefined;
    if (generation !== this.generation || outcome.outcome === 'stopped') return;
    if (outcome.outcome === 'done') {
      this.patch({ activity: 'idle', notice: undefined, consentLinkFallback: undefined });
      this.applyConnection(outcome.value);
      return;
    }
    this.patch({
      activity: 'idle',
      notice: 'Stopped waiting for Google. If the consent window was closed, connect again.',
    });
    await this.refresh();
  }

  private onDisconnectClick(): void {
    void this.disconnect();
  }

  private async disconnect(): Promise<void> {
    const connection = this.connection;
    if (!connection || this.isBusy()) return;
    const generation = this.generation;
    this.patch({ activity: 'disconnecting', problem: undefined, notice: undefined });
    let problem: string | undefined;
    try {
      await connection.disconnect();
    } catch (error) {
      const found = problemOf(error);
      // Already disconnected (elsewhere, or a second click): the fresh status below says so.
      if (found.kind !== 'not_connected') problem = userMessageFor(found);
    }
    if (generation !== this.generation) return;
    this.patch({ activity: 'idle', problem });
    await this.refresh();
  }

  private onRetryClick(): void {
    this.configure();
  }

  private readonly onWindowFocus = (): void => {
    // The person came back from the consent window: look now rather than at the next backoff step.
    this.poller?.wake();
  };

  /** Builds the client for the current attributes and loads the status (adding the connector if missing). */
  private configure(): void {
    this.stopPolling();
    const generation = ++this.generation;
    if (!this.apiBaseUrl || !this.subaccountId || !hasToken(this.token)) {
      this.connection = undefined;
      this.patch({ activity: 'unconfigured', connection: undefined, problem: undefined });
      return;
    }
    const client = createConnectorApiClient({ baseUrl: this.apiBaseUrl, token: tokenProvider(this.token) });
    const connection = new GoogleCalendarConnection(client, this.subaccountId);
    this.connection = connection;
    this.patch({ activity: 'loading', connection: undefined, problem: undefined, notice: undefined });
    connection.load().then(
      (state) => {
        if (generation !== this.generation) return;
        this.patch({ activity: 'idle' });
        this.applyConnection(state);
      },
      (error: unknown) => {
        if (generation === this.generation) this.patch({ activity: 'idle', problem: userMessageFor(problemOf(error)) });
      },
    );
  }

  /** Reads the status again (no connector is added here); a failure keeps the last known one. */
  private async refresh(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    const generation = this.generation;
    try {
      const state = await connection.status();
      if (generation === this.generation) this.applyConnection(state);
    } catch (error) {
      if (generation === this.generation) this.patch({ problem: userMessageFor(problemOf(error)) });
    }
  }

  private applyConnection(state: ConnectionState): void {
    const previous = this.view.connection;
    this.patch({ connection: state });
    if (previous?.status === state.status && previous.googleEmail === state.googleEmail) return;
    const detail: CalendarConnectChangeDetail = { ...state, subaccountId: this.subaccountId };
    this.dispatchEvent(new CustomEvent('calendar-connect-change', { detail, bubbles: true, composed: true }));
  }

  private isBusy(): boolean {
    const { activity } = this.view;
    return activity === 'starting' || activity === 'disconnecting' || activity === 'loading';
  }

  private stopPolling(): void {
    this.poller?.stop();
    this.poller = undefined;
  }

  private patch(change: Partial<ConnectView>): void {
    this.view = { ...this.view, ...change };
  }
}

/** A word in the still-blank window while the consent URL is fetched (same-origin about:blank). */
function showPlaceholder(consentWindow: Window | null): void {
  try {
    if (consentWindow) consentWindow.document.title = 'Opening Google…';
  } catch {
    // A browser that isolates the new window: nothing to show, nothing lost.
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'calendar-connect': CalendarConnectElement;
  }
  interface HTMLElementEventMap {
    'calendar-connect-change': CustomEvent<CalendarConnectChangeDetail>;
  }
}
