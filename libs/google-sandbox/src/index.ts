// The local Google: the real googleapis and google-auth-library clients run against it.
export { GoogleSandbox } from './google-sandbox';
export type { GoogleSandboxEndpoints, GoogleVariable } from './google-sandbox';
export type {
  GoogleSandboxOptions,
  SandboxAccount,
  SandboxApiFailure,
  SandboxApiFailureMatch,
  SandboxCalendarAccessRole,
  SandboxCalendarInput,
  SandboxChannel,
  SandboxConferenceData,
  SandboxConsentDecision,
  SandboxEvent,
  SandboxEventDateTime,
  SandboxEventInput,
  SandboxPush,
  SandboxRequestLog,
  SandboxTokenFailure,
} from './types';
export { STANDALONE_DEFAULT_PORT } from './standalone';
