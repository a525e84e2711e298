// oidc-provider 8 ships no types (and @types/oidc-provider is not installed): this declares the
// small part of its API the emulator uses, checked against node_modules/oidc-provider/lib.
declare module 'oidc-provider' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** What the provider stores through an adapter: a model's payload. */
  export interface AdapterPayload {
    [key: string]: unknown;
    grantId?: string;
    uid?: string;
    userCode?: string;
    consumed?: number;
  }

  /** The storage interface every model goes through (lib/adapters/memory_adapter.js). */
  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  /** The parts of the koa context (with the provider's `ctx.oidc`) the emulator reads and writes. */
  export interface ProviderContext {
    readonly req: IncomingMessage;
    readonly res: ServerResponse;
    readonly method: string;
    readonly path: string;
    query: Record<string, string | string[] | undefined>;
    status: number;
    body: unknown;
    type: string;
    get(field: string): string;
    set(field: string, value: string): void;
    remove(field: string): void;
    redirect(url: string): void;
    readonly oidc?: {
      readonly params?: Readonly<Record<string, unknown>>;
      readonly entities: { readonly RefreshToken?: { readonly grantId?: string; readonly accountId?: string } };
    };
  }

  export type Middleware = (ctx: ProviderContext, next: () => Promise<void>) => Promise<void>;

  export interface InteractionResults {
    login?: { accountId: string; remember?: boolean };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
  }

  export interface Interaction {
    readonly uid: string;
    readonly returnTo: string;
    readonly params: Readonly<Record<string, unknown>>;
    readonly prompt: { readonly name: string; readonly reasons: readonly string[] };
  }

  export interface Grant {
    readonly jti?: string;
    readonly accountId?: string;
    readonly clientId?: string;
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantModel {
    new (properties: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  /** An issued (structured) access token, as the `access_token.issued` event hands it over. */
  export interface IssuedAccessToken {
    readonly jti: string;
    readonly grantId?: string;
    readonly accountId?: string;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience: string;
    accessTokenTTL: number;
    accessTokenFormat: 'jwt' | 'opaque';
    jwt?: { sign: { alg: string } };
  }

  export interface ClientMetadata {
    client_id: string;
    client_secret: string;
    redirect_uris: string[];
    grant_types: string[];
    response_types: string[];
    token_endpoint_auth_method: string;
    id_token_signed_response_alg?: string;
  }

  export interface Account {
    accountId: string;
    claims(): Record<string, unknown>;
  }

  /** The configuration keys the emulator sets (lib/helpers/defaults.js documents them all). */
  export interface Configuration {
    adapter: (name: string) => Adapter;
    clients: ClientMetadata[];
    clientDefaults?: Record<string, unknown>;
    jwks: { keys: Record<string, unknown>[] };
    cookies: {
      keys: string[];
      long?: { httpOnly?: boolean; sameSite?: 'lax' | 'strict' | 'none' };
      short?: { httpOnly?: boolean; sameSite?: 'lax' | 'strict' | 'none' };
    };
    routes: Record<string, string>;
    scopes: string[];
    responseTypes: string[];
    pkce: { methods: string[]; required: () => boolean };
    rotateRefreshToken: boolean;
    allowOmittingSingleRegisteredRedirectUri: boolean;
    clientBasedCORS: () => boolean;
    findAccount: (ctx: ProviderContext, sub: string) => Promise<Account | undefined>;
    extraTokenClaims: (ctx: ProviderContext, token: IssuedAccessToken) => Promise<Record<string, unknown> | undefined>;
    renderError: (ctx: ProviderContext, out: Record<string, unknown>, error: Error) => Promise<void>;
    interactions: { url: (ctx: ProviderContext, interaction: Interaction) => Promise<string> };
    ttl: Record<string, number>;
    features: {
      devInteractions: { enabled: boolean };
      revocation: { enabled: boolean };
      userinfo: { enabled: boolean };
      rpInitiatedLogout: { enabled: boolean };
      pushedAuthorizationRequests: { enabled: boolean };
      resourceIndicators: {
        enabled: boolean;
        defaultResource: () => Promise<string>;
        useGrantedResource: () => Promise<boolean>;
        getResourceServerInfo: () => Promise<ResourceServerInfo>;
      };
    };
  }

  export class Provider extends EventEmitter {
    constructor(issuer: string, configuration: Configuration);
    readonly issuer: string;
    readonly Grant: GrantModel;
    readonly Interaction: { find(uid: string): Promise<Interaction | undefined> };
    /** Adds a koa middleware in front of the provider's own. */
    use(middleware: Middleware): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    /** The interaction of this request, found through its `_interaction` cookie. */
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    /** Stores the result of the interaction and answers where the browser resumes. */
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
  }
  // (The module's default export is this same class; the named export is used: named exports only.)
}
