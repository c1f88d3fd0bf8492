import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { MachineInfo } from './machine';
import { formatNumber, median as medianOf } from './stats';

export interface Target {
  op: '>=' | '<=';
  value: number;
}

/** One reported figure: its value in each round, the median, and how it stands against the target. */
export interface Figure {
  id: string;
  label: string;
  unit: string;
  /** Decimals shown. */
  digits: number;
  /** None: a figure measured and shown, held to nothing. */
  target: Target | null;
  rounds: number[];
  median: number;
  /** null without a target. */
  pass: boolean | null;
  /** Context shown beside the median (e.g. the absolute throughputs behind a ratio). */
  note?: string;
}

/** A figure from its rounds: their median, held to the target. */
export function figure(spec: Omit<Figure, 'median' | 'pass' | 'rounds'>, rounds: number[]): Figure {
  const { target } = spec;
  const median = medianOf(rounds);
  const pass =
    target === null
      ? null
      : Number.isFinite(median) && (target.op === '>=' ? median >= target.value : median <= target.value);
  return { ...spec, rounds, median, pass };
}

function withUnit(value: number, unit: string, digits: number): string {
  const text = formatNumber(value, digits);
  return unit ? `${text} ${unit}` : text;
}

/** The results as a Markdown table (what is printed and what goes into the README). */
export function resultsTable(figures: readonly Figure[]): string {
  const lines = [
    '| Figure | Target | Median | Rounds | Result |',
    '| --- | --- | --- | --- | --- |',
    ...figures.map((f) => {
      const target = f.target
        ? `${f.target.op === '>=' ? '≥' : '≤'} ${withUnit(f.target.value, f.unit, f.digits)}`
        : 'none (measured)';
      const median = withUnit(f.median, f.unit, f.digits) + (f.note ? ` (${f.note})` : '');
      const rounds = f.rounds.map((r) => formatNumber(r, f.digits)).join(' · ');
      const result = f.pass === null ? '—' : f.pass ? 'PASS' : '**MISS**';
      return `| ${f.label} | ${target} | ${median} | ${rounds} | ${result} |`;
    }),
  ];
  return lines.join('\n');
}

export const README_START = '<!-- bench:results:start -->';
export const README_END = '<!-- bench:results:end -->';

/** Rewrites the section between the markers of bench/README.md (appends it when missing). */
export function updateReadme(path: string, machine: MachineInfo, figures: readonly Figure[], extra: string[]): void {
  const passed = figures.filter((f) => f.pass === true).length;
  const held = figures.filter((f) => f.pass !== null).length;
  const measured = figures.length - held;
  const section = [
    README_START,
    `_Written by \`npm run bench\` on ${machine.date}; do not edit by hand._`,
    '',
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB RAM, Node ${machine.node} (${machine.platform}).`,
    '',
    resultsTable(figures),
    '',
    `${passed} of ${held} figures meet their target` +
      (measured > 0 ? ` (and ${measured} ${measured === 1 ? 'is' : 'are'} measured without one).` : '.'),
    ...(extra.length > 0 ? ['', ...extra.map((line) => `- ${line}`)] : []),
    README_END,
  ].join('\n');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(README_START);
  const end = current.indexOf(README_END);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + section + current.slice(end + README_END.length)
      : `${current.trimEnd()}\n\n## Latest results\n\n${section}\n`;
  writeFileSync(path, next);
}
