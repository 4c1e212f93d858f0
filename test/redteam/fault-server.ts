/**
 * A loopback HTTP server whose every answer is scripted, for fault injection at the network boundary: slow
 * replies, error statuses, malformed JSON, connections dropped halfway through a body.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How to answer one request. */
export type Fault =
  | { kind: 'ok'; text: string | null; finishReason?: string }
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

/** A valid chat-completions body with `text` (null content as some APIs send it) and a finish reason. */
export function completionBody(text: string | null, finishReason = 'stop'): string {
  return JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finishReason }] });
}

/**
 * Start a server answering request i with `plan(i, body)` (i 0-based, body the parsed request), so a plan can
 * answer by request content (the same request always gets the same answer); `delayMs` before each answer, and
 * each answer waits for `gate()` first (a test holds the target still with it).
 */
export async function startFaultServer(
  plan: (index: number, body: unknown) => Fault,
  delayMs = 0,
  gate: () => Promise<void> = () => Promise.resolve(),
): Promise<FaultServer> {
  const requests: FaultServer['requests'] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const index = requests.length;
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      requests.push({ headers: request.headers, body });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const answer = () => {
        const fault = plan(index, body);
        if (fault.kind !== 'hang') inFlight--;
        if (fault.kind === 'ok') response.writeHead(200, { 'content-type': 'application/json' }).end(completionBody(fault.text, fault.finishReason));
        else if (fault.kind === 'status') response.writeHead(fault.status, fault.headers ?? {}).end(fault.body ?? 'error');
        else if (fault.kind === 'raw') response.writeHead(200, { 'content-type': 'application/json' }).end(fault.body);
        else if (fault.kind === 'drop') {
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
          response.write('{"choices":[{"message":{"content":"Sure, here');
          setTimeout(() => response.socket?.destroy(), 5);
        }
      };
      setTimeout(() => void gate().then(answer), delayMs);
    });
  });
  // Node closes a keep-alive socket idle for 5 s; a client reusing it at that moment gets ECONNRESET, which on a
  // loaded machine turned a scripted answer into a network error. Faults here are only the scripted ones.
  server.keepAliveTimeout = 10 * 60_000;
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
