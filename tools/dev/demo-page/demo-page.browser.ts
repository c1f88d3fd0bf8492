/// <reference lib="dom" />
/**
 * The demo page's script (bundled by tools/dev/demo-page.ts, runs in the browser after the
 * elements' bundle): puts the two elements on the page with the local JWT and subaccount (the
 * slot picker once the calendar is connected), and lists the webhooks the server streams (/events).
 */
import type { DemoDelivery, DemoPageConfig } from '../demo-page';

const config = JSON.parse(byId('demo-config').textContent ?? '{}') as DemoPageConfig;

for (const element of document.querySelectorAll<HTMLElement>('[data-config]')) {
  const key = element.dataset['config'] as keyof DemoPageConfig;
  element.textContent = String(config[key]);
}

type WithToken = HTMLElement & { token: string };

const connect = document.createElement('calendar-connect') as WithToken;
connect.setAttribute('api-base-url', config.databaseApiUrl);
connect.setAttribute('subaccount-id', config.subaccountId);
connect.token = config.token;

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
byId('time-zone-note').textContent =
  `Times are shown in your browser’s time zone, ${browserZone}; the picker’s “Time zone” list changes it (a booking is made in the zone shown).`;

byId('consent-note').textContent =
  config.google === 'real'
    ? 'The button opens Google’s consent page in a new window (the OAuth client of GOOGLE_CLIENT_ID); allow there, and the status here turns “Connected”. The consent link is also e-mailed to the address you give.'
    : 'The button opens the consent page in a new window: the Google sandbox’s, no Google account involved. Click Allow there, and the status here turns “Connected”. The consent link is also e-mailed (to the mail catcher).';

// The picker is shown while the calendar is connected: before that it has nothing to offer.
let picker: WithToken | undefined;
connect.addEventListener('calendar-connect-change', (event) => {
  const { status } = (event as CustomEvent<{ status: string }>).detail;
  if (status === 'connected' && picker === undefined) {
    picker = document.createElement('calendar-slot-picker') as WithToken;
    picker.setAttribute('api-base-url', config.databaseApiUrl);
    picker.setAttribute('subaccount-id', config.subaccountId);
    picker.setAttribute('time-zone', browserZone);
    picker.setAttribute('summary', 'Demo booking');
    picker.token = config.token;
    byId('picker-host').append(picker);
    byId('picker-waiting').hidden = true;
  } else if (status !== 'connected' && picker !== undefined) {
    picker.remove();
    picker = undefined;
    byId('picker-waiting').hidden = false;
  }
});

byId('connect-host').append(connect);
showWebhooks();

function showWebhooks(): void {
  const note = byId('webhooks-note');
  const state = byId('webhooks-state');
  const list = byId('webhooks') as HTMLOListElement;
  if (config.webhooksElsewhere !== null) {
    note.textContent = `Webhooks go elsewhere: PLATFORM_WEBHOOK_URL is set (${config.webhooksElsewhere}), so npm start runs no local receiver and this panel shows none. Unset it to see them here.`;
    return;
  }
  note.textContent =
    'What the local platform receiver got from webhook-api, each signature verified with standardwebhooks; newest first, as they arrive.';
  state.textContent = 'Connecting to the stream…';
  const seen = new Set<string>();
  const source = new EventSource('/events');
  source.addEventListener('open', () => {
    state.textContent = seen.size === 0 ? 'None yet: connect, then book a slot.' : '';
  });
  source.addEventListener('error', () => {
    state.textContent = 'Stream interrupted; reconnecting…';
  });
  source.addEventListener('delivery', (event) => {
    const delivery = JSON.parse((event as MessageEvent<string>).data) as DemoDelivery;
    // Nothing twice: a reconnect resumes after the last one seen (Last-Event-ID). A retried
    // delivery (same webhook-id, new stream position) is shown again: the receiver took it again.
    const key = `${delivery.stream}:${delivery.seq}`;
    if (seen.has(key)) return;
    seen.add(key);
    state.textContent = '';
    list.prepend(renderDelivery(delivery));
  });
}

function renderDelivery(delivery: DemoDelivery): HTMLLIElement {
  const item = el('li', { class: 'fresh' });
  item.dataset['type'] = delivery.type;
  if (delivery.webhookId !== null) item.dataset['webhookId'] = delivery.webhookId;
  if (delivery.calendarId !== null) item.dataset['calendarId'] = delivery.calendarId;

  const received = new Date(delivery.receivedAt);
  const time = el('time', {}, received.toLocaleTimeString());
  time.setAttribute('datetime', delivery.receivedAt);
  item.append(el('p', { class: 'delivery-head' }, el('span', { class: 'delivery-type' }, delivery.type), time));

  const facts: string[] = [];
  if (delivery.calendarId !== null) facts.push(`calendar ${delivery.calendarId}`);
  if (delivery.googleCalendarId !== null) facts.push(`Google calendar ${delivery.googleCalendarId}`);
  if (delivery.sequence !== null) facts.push(`sequence ${delivery.sequence}`);
  if (delivery.status !== null) facts.push(`status ${delivery.status} (was ${delivery.previousStatus ?? 'none'})`);
  if (delivery.reason !== null) facts.push(`reason ${delivery.reason}`);
  if (delivery.webhookId !== null) facts.push(`webhook-id ${delivery.webhookId}`);
  item.append(el('p', { class: 'delivery-facts' }, facts.join(' · ')));

  if (delivery.type === 'calendar.events.changed') {
    const events = el('ul', { class: 'delivery-events' });
    for (const event of delivery.events) {
      const when = event.start === null ? '' : `, ${formatStart(event.start)}`;
      events.append(
        el('li', {}, `${event.summary === null ? '(no title)' : `“${event.summary}”`} ${event.status}${when}`),
      );
    }
    if (delivery.moreEvents > 0) events.append(el('li', {}, `and ${delivery.moreEvents} more`));
    if (delivery.events.length === 0) events.append(el('li', {}, 'no events'));
    item.append(events);
  }
  return item;
}

function formatStart(start: string): string {
  // An all-day event's start is a date; anything else is an RFC 3339 time.
  if (/^\d{4}-\d{2}-\d{2}$/.test(start)) return start;
  const date = new Date(start);
  return Number.isNaN(date.getTime())
    ? start
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string>,
  ...children: Array<string | Node>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element;
}
