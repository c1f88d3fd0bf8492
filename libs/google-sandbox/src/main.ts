/**
 * `npm run sandbox`: the Google sandbox alone, as stripe-mock serves Stripe's users: start it,
 * point an app's GOOGLE_* variables at it, stop it with Ctrl-C. `--help` lists the options.
 */
import { GoogleSandbox } from './google-sandbox';
import { STANDALONE_USAGE, parseStandaloneOptions, standaloneBanner } from './standalone';

async function main(): Promise<void> {
  const options = parseStandaloneOptions(process.argv.slice(2), process.env);
  if (options === 'help') {
    console.log(STANDALONE_USAGE);
    return;
  }
  const { quiet, ...startOptions } = options;
  const sandbox = await GoogleSandbox.start({
    ...startOptions,
    ...(quiet ? {} : { log: (line: string) => console.log(line) }),
  });
  console.log(standaloneBanner(sandbox, options));

  let firstSignalAt: number | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    if (firstSignalAt !== undefined) {
      // One Ctrl-C can arrive twice (from the terminal and relayed by tsx): only a later one forces.
      if (Date.now() - firstSignalAt >= 1000) process.exit(1);
      return;
    }
    firstSignalAt = Date.now();
    console.log(`${signal}: stopping the Google sandbox`);
    sandbox.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(
          `the Google sandbox did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`google-sandbox: ${error instanceof Error ? error.message : String(error)}`);
  if (!(error instanceof Error && 'code' in error && error.code === 'EADDRINUSE')) console.error(STANDALONE_USAGE);
  process.exit(1);
});
