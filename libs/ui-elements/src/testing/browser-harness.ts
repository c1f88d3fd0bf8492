import { launchChromium } from '@connector-service/testing';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page, type Route } from 'playwright-core';
import { buildUiElements } from '../../build';

export const SUBACCOUNT_ID = '68cf05f060d294db17c0685e';
export const JWT = 'header.payload.signature-of-a-test-jwt';

/** One call the element made to the (faked) database-api. */
export interface SeenRequest {
  readonly method: string;
  /** Path and query, e.g. `/api/connectors/68cf.../google-calendar`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** How the fake answers one call: a JSON answer, or `abort` for a network failure (no answer at all). */
export type FakeAnswer =
  | { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> }
  | 'abort';

export type FakeApiHandler = (request: SeenRequest) => FakeAnswer | Promise<FakeAnswer>;

/** The contract's success envelope. */
export function ok(data: unknown, status = 200, message?: string): FakeAnswer {
  return { status, body: { success: true, data, ...(message ? { message } : {}) } };
}

/** The contract's error envelope. */
export function fail(status: number, code: string, message: string, headers?: Record<string, string>): FakeAnswer {
  return { status, body: { success: false, message, error: { code, requestId: 'req-test' } }, headers };
}

/** A promise resolved from outside: lets a test hold an answer back to see the loading state. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * A page in Debian's Chromium with the bundled elements loaded from a tiny node:http server,
 * database-api faked through `context.route` with the contract's envelopes. The fake stands in
 * for the backend only: the elements, Lit, the typed client and fetch all run for real.
 */
export class ComponentPage {
  readonly seen: SeenRequest[] = [];
  /** Console errors and uncaught exceptions; a test ends with none. */
  readonly errors: string[] = [];
  handler: FakeApiHandler = (request) => fail(404, 'NOT_FOUND', `No fake answer for ${request.method} ${request.path}`);

  constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly origin: string,
  ) {}

  /** Creates the element with its attributes, sets `token` as a property (never an attribute), then attaches it. */
  async mount(tag: string, attributes: Record<string, string>, extra: Record<string, unknown> = {}): Promise<Locator> {
    await this.page.evaluate(
      ({ tag, attributes, jwt, extra }) => {
        const element = document.createElement(tag) as HTMLElement & Record<string, unknown>;
        for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
        // The SPA's way: a function answering the current token.
        element['token'] = async () => jwt;
        for (const [name, value] of Object.entries(extra)) element[name] = value;
        document.querySelector('main')?.append(element);
      },
      { tag, attributes, jwt: JWT, extra },
    );
    return this.page.locator(tag);
  }

  requests(method: string, pathPart: string): SeenRequest[] {
    return this.seen.filter((request) => request.method === method && request.path.includes(pathPart));
  }

  /** Waits until a condition on what the test (node) side saw holds; fails after `timeoutMs`. */
  async until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms: ${condition.toString()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Presses Tab (and only Tab) until the focused element's accessible name matches; fails after `max` presses. */
  async tabTo(name: RegExp, max = 40): Promise<void> {
    for (let presses = 0; presses < max; presses++) {
      await this.page.keyboard.press('Tab');
      if (name.test(await this.focusedName())) return;
    }
    throw new Error(`Tab never reached an element named ${name}; last focused: ${await this.focusedName()}`);
  }

  /** The accessible name of the deepest focused element (through shadow roots): aria-label, its label, or its text. */
  focusedName(): Promise<string> {
    return this.page.evaluate(() => {
      let active = document.activeElement;
      while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
      if (!active) return '';
      const label = active.getAttribute('aria-label');
      if (label) return label;
      const labelledBy = active.getAttribute('aria-labelledby');
      const root = active.getRootNode() as Document | ShadowRoot;
      if (labelledBy) return root.getElementById(labelledBy)?.textContent?.trim() ?? '';
      const wrappingLabel = active.closest('label');
      if (wrappingLabel) return wrappingLabel.textContent?.trim() ?? '';
      if (active.id) {
        const forLabel = root.querySelector(`label[for="${active.id}"]`);
        if (forLabel) return forLabel.textContent?.trim() ?? '';
      }
      return active.textContent?.trim().replace(/\s+/g, ' ') ?? '';
    });
  }

  /** Whether this locator's element is the deepest focused element. */
  isFocused(locator: Locator): Promise<boolean> {
    return locator.evaluate((element) => {
      let active = document.activeElement;
      while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
      return active === element;
    });
  }

  /** The details of every `type` CustomEvent dispatched on the document so far. */
  async events(type: string): Promise<unknown[]> {
    return this.page.evaluate((eventType) => {
      const seen = (window as unknown as { seenEvents?: Record<string, unknown[]> }).seenEvents ?? {};
      return seen[eventType] ?? [];
    }, type);
  }

  async route(route: Route): Promise<void> {
    const request = route.request();
    const url = new URL(request.url());
    const raw = request.postData();
    const seen: SeenRequest = {
      method: request.method(),
      path: `${url.pathname}${url.search}`,
      headers: await request.allHeaders(),
      body: raw ? (JSON.parse(raw) as unknown) : undefined,
    };
    this.seen.push(seen);
    const answer = await this.handler(seen);
    if (answer === 'abort') return route.abort('connectionrefused');
    return route.fulfill({
      status: answer.status,
      contentType: 'application/json',
      headers: answer.headers,
      body: JSON.stringify(answer.body),
    });
  }
}

/** The page the elements are mounted on: loads the bundle, records the events the tests look for. */
function hostPage(eventTypes: readonly string[]): string {
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>ui-elements component test</title></head>
  <body>
    <main></main>
    <script>
      window.seenEvents = {};
      for (const type of ${JSON.stringify(eventTypes)}) {
        window.seenEvents[type] = [];
        document.addEventListener(type, (event) => window.seenEvents[type].push(event.detail));
      }
    </script>
    <script type="module" src="/ui-elements.js"></script>
  </body>
</html>`;
}

/** One Chromium and one static server per spec file (launched in beforeAll); a fresh context per test. */
export class BrowserHarness {
  private constructor(
    private readonly browser: Browser,
    private readonly server: Server,
    private readonly bundleDir: string,
    readonly origin: string,
  ) {}

  static async start(eventTypes: readonly string[]): Promise<BrowserHarness> {
    const bundleDir = mkdtempSync(join(tmpdir(), 'ui-elements-'));
    const bundle = readFileSync(await buildUiElements(join(bundleDir, 'ui-elements.js')));
    const page = hostPage(eventTypes);
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (path === '/ui-elements.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      } else if (path === '/consent') {
        // Stands in for Google's consent page in the new window.
        response
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><title>Consent</title><p>Allow?</p>');
      } else if (path === '/') {
        response.writeHead(200, { 'content-type': 'text/html' }).end(page);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await launchChromium();
    return new BrowserHarness(browser, server, bundleDir, origin);
  }

  /** A fresh context (Berlin time zone, British English) with the elements loaded and database-api faked. */
  async newPage(): Promise<ComponentPage> {
    const context = await this.browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    context.setDefaultTimeout(10000);
    const page = await context.newPage();
    const component = new ComponentPage(context, page, this.origin);
    page.on('console', (message) => {
      // Chromium logs every non-2xx answer as "Failed to load resource"; the tests ask for those.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        component.errors.push(message.text());
      }
    });
    page.on('pageerror', (error) => component.errors.push(error.message));
    await context.route(`${this.origin}/api/**`, (route) => component.route(route));
    await page.goto(this.origin);
    await page.waitForFunction(() => customElements.get('calendar-slot-picker') !== undefined);
    return component;
  }

  async close(): Promise<void> {
    await this.browser.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.bundleDir, { recursive: true, force: true });
  }
}
