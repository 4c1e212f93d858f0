/* global document, fetch, TextDecoder, setTimeout */
// Shared by the feedback app's pages: JSON calls that carry the CSRF token, and a reader of server-sent events
// from a POST. Everything a user or a model wrote is put on the page with textContent, never as HTML.

/** The page's CSRF token. */
export const csrfToken = document.querySelector('meta[name="csrf-token"]').getAttribute('content');

/** An error the server answered with. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Call a JSON endpoint; writes carry the CSRF token. Retries network failures (not HTTP errors) `retries` times. */
export async function api(method, path, body, retries = 0) {
  for (let attempt = 0; ; attempt++) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch (error) {
      if (attempt >= retries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
      continue;
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, data.error?.message ?? `HTTP ${response.status}`);
    return data;
  }
}

/** POST and call `onEvent` with each server-sent event's JSON data until the stream ends. */
export async function postEvents(path, onEvent) {
  const response = await fetch(path, { method: 'POST', headers: { 'x-csrf-token': csrfToken }, credentials: 'same-origin' });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new ApiError(response.status, data.error?.message ?? `HTTP ${response.status}`);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
      if (data !== '') onEvent(JSON.parse(data));
    }
  }
}

/** Element by id. */
export const byId = (id) => document.getElementById(id);

/** Show a status line (text only). */
export function say(text, isError = false) {
  const status = byId('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

/** Sign out through `path` and go to `then`. */
export function signOutButton(path, then) {
  byId('sign-out').addEventListener('click', async () => {
    await api('POST', path).catch(() => undefined);
    document.location.assign(then);
  });
}
