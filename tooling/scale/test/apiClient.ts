export interface ApiResponse {
  status: number;
  body: unknown;
  /** `name=value` of the session cookie the response set, if any (an expired/cleared one is `undefined`). */
  setCookie: string | undefined;
}

export interface RequestOptions {
  /** Session cookie (`name=value`) to send. */
  cookie?: string | undefined;
  /**
   * Client address, sent as `X-Forwarded-For` (the apis run with `TRUST_PROXY=true`, as behind a load
   * balancer): the per-address rate limits live in the shared Redis, so many sign-ups from one address would
   * be limited across both apis together.
   */
  clientIp?: string;
}

/** A minimal JSON client for one api process. */
export interface ApiClient {
  readonly baseUrl: string;
  get(path: string, options?: RequestOptions): Promise<ApiResponse>;
  post(path: string, body: unknown, options?: RequestOptions): Promise<ApiResponse>;
}

export function createApiClient(baseUrl: string): ApiClient {
  async function send(
    method: string,
    path: string,
    body: unknown,
    options: RequestOptions,
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.cookie !== undefined) headers.cookie = options.cookie;
    if (options.clientIp !== undefined) headers['x-forwarded-for'] = options.clientIp;
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? null : parseJson(text),
      setCookie: sessionCookieOf(response),
    };
  }
  return {
    baseUrl,
    get: (path, options = {}) => send('GET', path, undefined, options),
    post: (path, body, options = {}) => send('POST', path, body, options),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sessionCookieOf(response: Response): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
    const cleared = attributes.some(
      (attribute) => /^max-age=0$/i.test(attribute) || /^expires=.*1970/i.test(attribute),
    );
    const value = pair.slice(pair.indexOf('=') + 1);
    if (!cleared && value !== '') return pair;
  }
  return undefined;
}
