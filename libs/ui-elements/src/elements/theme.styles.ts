import { css } from 'lit';

/**
 * The elements' look, themed only through CSS custom properties (they cross the shadow
 * boundary; nothing else does, so no page CSS leaks in and none of ours leaks out).
 * Every property has a default; README.md lists them.
 */
export const themeStyles = css`
  :host {
    display: block;
    box-sizing: border-box;
    font-family: var(--calendar-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: var(--calendar-font-size, 1rem);
    line-height: 1.4;
    color: var(--calendar-text, #1f2328);
    background: var(--calendar-background, #ffffff);
    border: 1px solid var(--calendar-border, #d0d7de);
    border-radius: var(--calendar-radius, 8px);
    padding: var(--calendar-spacing, 1rem);
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  h2,
  h3 {
    margin: 0 0 0.5em;
    line-height: 1.25;
  }
  h2 {
    font-size: 1.15em;
  }
  h3 {
    font-size: 1em;
  }
  p {
    margin: 0 0 0.5em;
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: var(--calendar-radius, 8px);
    border: 1px solid var(--calendar-accent, #0b57d0);
    padding: 0.45em 0.9em;
    background: var(--calendar-background, #ffffff);
    color: var(--calendar-accent, #0b57d0);
  }
  button.primary {
    background: var(--calendar-accent, #0b57d0);
    color: var(--calendar-accent-text, #ffffff);
  }
  button[aria-pressed='true'] {
    background: var(--calendar-accent, #0b57d0);
    color: var(--calendar-accent-text, #ffffff);
  }
  button:disabled,
  button[aria-disabled='true'] {
    cursor: not-allowed;
    opacity: 0.6;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  a:focus-visible,
  [tabindex='-1']:focus-visible {
    outline: 3px solid var(--calendar-focus-color, var(--calendar-accent, #0b57d0));
    outline-offset: 2px;
  }
  input,
  select {
    font: inherit;
    color: inherit;
    background: var(--calendar-background, #ffffff);
    border: 1px solid var(--calendar-border, #d0d7de);
    border-radius: var(--calendar-radius, 8px);
    padding: 0.35em 0.5em;
  }
  a {
    color: var(--calendar-accent, #0b57d0);
  }
  .muted {
    color: var(--calendar-muted, #59636e);
  }
  .error {
    color: var(--calendar-danger, #b3261e);
    font-weight: 600;
  }
  .success {
    color: var(--calendar-success, #1a7f37);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
    align-items: center;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.25em;
    margin-bottom: 0.75em;
  }
`;
