/**
 * The framework's typed errors. Each carries a stable `code`, whether retrying can help
 * (`retryable`), and the underlying `cause`, and its message says what to do about it.
 */
export class AgentsError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(message: string, options: { code: string; retryable?: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable ?? false;
  }
}

/** A missing or invalid setting. `variables` names the environment variables involved. */
export class ConfigError extends AgentsError {
  readonly variables: string[];
  constructor(message: string, variables: string[], cause?: unknown) {
    super(message, { code: 'CONFIG', cause });
    this.variables = variables;
  }
}

/** A caller passed something the API cannot accept; nothing was changed. */
export class ValidationError extends AgentsError {
  /** Where the problem is, e.g. `messages[2].type` or `contentIndex`. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`, { code: 'VALIDATION' });
    this.path = path;
  }
}

/** A failure talking to a model or API provider (Gemini, Stream REST). */
export class ProviderError extends AgentsError {
  readonly provider: string;
  readonly status: number | undefined;
  constructor(
    message: string,
    options: { provider: string; status?: number; retryable?: boolean; cause?: unknown; code?: string },
  ) {
    super(message, { code: options.code ?? 'PROVIDER', retryable: options.retryable, cause: options.cause });
    this.provider = options.provider;
    this.status = options.status;
  }
}

/** A failure of the media edge: joining, publishing, subscribing, leaving a call. */
export class EdgeError extends AgentsError {
  constructor(message: string, options: { retryable?: boolean; cause?: unknown; code?: string } = {}) {
    super(message, { code: options.code ?? 'EDGE', retryable: options.retryable, cause: options.cause });
  }
}

/** Turns anything thrown into an Error without losing it. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown), { cause: thrown });
}
