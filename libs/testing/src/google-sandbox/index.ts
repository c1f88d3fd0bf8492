export { GoogleSandbox } from './google-sandbox';
export type { GoogleSandboxEndpoints } from './google-sandbox';
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
