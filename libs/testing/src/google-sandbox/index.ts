export { GoogleSandbox } from './google-sandbox';
export type { GoogleSandboxEndpoints } from './google-sandbox';
export type {
  GoogleSandboxOptions,
  SandboxAccount,
  SandboxApiFailure,
  SandboxApiFailureMatch,
  SandboxCalendarAccessRole,
  SandboxCalendarInput,
  SandboxConferenceData,
  SandboxConsentDecision,
  SandboxEvent,
  SandboxEventDateTime,
  SandboxEventInput,
  SandboxRequestLog,
  SandboxTokenFailure,
} from './types';
