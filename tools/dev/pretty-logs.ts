import { prettyFactory } from 'pino-pretty';

interface PinoLine {
  msg?: unknown;
  context?: unknown;
  req?: { method?: string; path?: string };
  res?: { statusCode?: number };
  responseTime?: unknown;
}

/**
 * What `npm start` prints for one line of an app's output: pino's JSON made readable
 * (local time, level, message, the request in one phrase, other fields inline), every
 * printed line prefixed with the app's name. A line that is not a JSON object passes
 * through unchanged. The apps themselves keep logging JSON, as in production.
 */
export function prettyLogLines(app: string, options: { colorize: boolean }): (line: string) => string {
  const pretty = prettyFactory({
    colorize: options.colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    // Shown by messageFormat, or noise on a developer's machine.
    ignore: 'pid,hostname,context,req,res,responseTime',
    messageFormat: (log) => describe(log as PinoLine),
  });
  const prefix = `[${app}] `;
  return (line) => {
    // Undefined only for a line below a minimum level, which is not set here.
    const text = (pretty(line) as string | undefined) ?? '';
    return text
      .replace(/\r?\n$/, '')
      .split('\n')
      .map((part) => `${prefix}${part}\n`)
      .join('');
  };
}

function describe(log: PinoLine): string {
  const context = typeof log.context === 'string' ? `[${log.context}] ` : '';
  const message = typeof log.msg === 'string' ? log.msg : '';
  if (!log.req) return `${context}${message}`;
  const { method = '?', path = '?' } = log.req;
  const status = log.res?.statusCode === undefined ? '' : ` → ${log.res.statusCode}`;
  const took = typeof log.responseTime === 'number' ? ` in ${log.responseTime} ms` : '';
  return `${context}${message}: ${method} ${path}${status}${took}`;
}
