/**
 * A loopback HTTP server whose every answer is scripted, for fault injection at the network boundary: slow
 * replies, error statuses, malformed JSON, connections dropped halfway through a body.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How to answer one request. */
export type Fault =
  | { kind: 'ok'; text: string }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'raw'; body: string }
  | { kind: 'hang' }
  | { kind: 'drop' };

/** A running fault server. */
export interface FaultServer {
  readonly baseUrl: string;
  /** Bodies of requests received, parsed. */
  readonly requests: { headers: IncomingMessage['headers']; body: unknown }[];
  /** Highest number of requests in flight at once. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

/** A valid chat-completions body with `text`. */
export function completionBody(text: string): string {
  return JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] });
}

/** Start a server answering request i with `plan(i)` (0-based); `delayMs` before each answer. */
export async function startFaultServer(plan: (index: number) => Fault, delayMs = 0): Promise<FaultServer> {
  const requests: FaultServer['requests'] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const index = requests.length;
      requests.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        const fault = plan(index);
        if (fault.kind !== 'hang') inFlight--;
        if (fault.kind === 'ok') response.writeHead(200, { 'content-type': 'application/json' }).end(completionBody(fault.text));
        else if (fault.kind === 'status') response.writeHead(fault.status, fault.headers ?? {}).end(fault.body ?? 'error');
        else if (fault.kind === 'raw') response.writeHead(200, { 'content-type': 'application/json' }).end(fault.body);
        else if (fault.kind === 'drop') {
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
          response.write('{"choices":[{"message":{"content":"Sure, here');
          setTimeout(() => response.socket?.destroy(), 5);
        }
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
