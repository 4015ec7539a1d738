/** Who is calling: resolved once per request by the auth guard from the access token and the database. */
export type AuthContext = {
  readonly userId: string;
  readonly memberId: string;
  readonly workspaceId: string;
  /** PostgreSQL schema of the workspace's record tables. */
  readonly schemaName: string;
  readonly isOwner: boolean;
  readonly teamId: string | null;
  readonly locale: string;
};

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
}
