/**
 * A loopback HTTP client of the feedback app for tests: keeps its own cookies like a browser, reads the page's
 * CSRF token, and parses server-sent events.
 */
export class FeedbackClient {
  private readonly cookies = new Map<string, string>();
  /** The CSRF token of the last page read. */
  csrf = '';

  constructor(readonly base: string) {}

  /** Raw request with this client's cookies; records Set-Cookie. */
  async request(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(`${this.base}${path}`, {
      method, redirect: 'manual', body: init.body,
      headers: { ...(cookie === '' ? {} : { cookie }), ...init.headers },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1);
      if (value === '') this.cookies.delete(pair.slice(0, at));
      else this.cookies.set(pair.slice(0, at), value);
    }
    return response;
  }

  /** GET a page and remember its CSRF token. */
  async page(path: string): Promise<string> {
    const html = await (await this.request('GET', path)).text();
    this.csrf = /name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? '';
    return html;
  }

  /** Sign in with an invite path (`/join/SECRET`). */
  async join(invitePath: string): Promise<void> {
    const secret = invitePath.split('/').pop()!;
    const response = await this.request('POST', '/join', { body: `secret=${secret}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    if (response.status !== 303) throw new Error(`join answered ${response.status}`);
    await this.page('/');
  }

  /** Sign in as the admin. */
  async adminLogin(token: string): Promise<void> {
    const response = await this.request('POST', '/admin/login', { body: `token=${encodeURIComponent(token)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    if (response.status !== 303) throw new Error(`admin login answered ${response.status}`);
    await this.page('/admin');
  }

  /** A JSON call carrying the CSRF token. */
  async json(method: string, path: string, body?: unknown): Promise<{ status: number; data: Record<string, unknown> & { error?: { code: string; message: string } } }> {
    const response = await this.request(method, path, {
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.csrf },
    });
    const text = await response.text();
    return { status: response.status, data: text === '' ? {} : JSON.parse(text) };
  }

  /** POST for server-sent events; the parsed data of each. */
  async events(path: string): Promise<{ type: string; slot?: string; text?: string; message?: string; turn?: number }[]> {
    const response = await this.request('POST', path, { headers: { 'x-csrf-token': this.csrf } });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`events answered ${response.status}: ${text}`);
    return text.split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => JSON.parse(block.slice(6)));
  }

  /** A client of another address (a restarted server) holding this one's cookies and CSRF token. */
  rebase(base: string): FeedbackClient {
    const client = new FeedbackClient(base);
    for (const [name, value] of this.cookies) client.cookies.set(name, value);
    client.csrf = this.csrf;
    return client;
  }

  /** Whether a cookie is held. */
  has(name: string): boolean {
    return this.cookies.has(name);
  }
}
