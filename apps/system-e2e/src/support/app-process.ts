import { AppEnv, AppName, AppProcess } from '@connector-service/testing';

export { AppProcess };

/** A built app (`dist/apps/<name>/main.js`) as a real process on loopback, ready once `/health` answers 200. */
export function systemApp(name: AppName, port: number, env: AppEnv): AppProcess {
  return AppProcess.builtApp(name, { port, env, readyTimeoutMs: 15_000, pollIntervalMs: 100 });
}
