/** The browser's own IANA time zone, e.g. `Europe/Berlin` (the slot picker's default). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Whether the runtime knows this IANA time zone (what the availability route would also accept). */
export function isKnownTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Sorted once: the picker renders the list on every update. */
let knownZones: readonly string[] | undefined;

/**
 * The time zones to choose from: every zone the runtime knows, sorted, with `current` in the list
 * even when the runtime names it differently (`UTC` is not among the canonical names).
 */
export function timeZoneChoices(current: string): readonly string[] {
  knownZones ??= [...Intl.supportedValuesOf('timeZone')].sort((a, b) => a.localeCompare(b));
  if (!current || knownZones.includes(current)) return knownZones;
  return [...knownZones, current].sort((a, b) => a.localeCompare(b));
}
