/** IPC between the bench and infra-server.ts. */
export interface InfraEndpoints {
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  apiRootUrl: string;
}

export type InfraRequest = { type: 'stats' };

export type InfraMessage =
  | {
      type: 'ready';
      smtpUrl: string;
      google: { endpoints: InfraEndpoints; clientId: string; clientSecret: string };
    }
  | { type: 'stats'; mails: number; sandboxRequests: number };
