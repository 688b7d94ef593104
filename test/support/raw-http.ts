/** HTTP/1.1 over a plain socket, for requests node:http will not send (stalled, malformed, oversized). */
import { connect, type Socket } from 'node:net';

export interface RawExchange {
  socket: Socket;
  /** Everything the server sent, once it closed the connection (or it was destroyed). */
  received: Promise<string>;
}

/** Opens a connection and writes `head` (and `body`, if given); the socket stays open for more. */
export function rawRequest(port: number, head: string, body?: Uint8Array): RawExchange {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const received = new Promise<string>((resolve) => {
    socket.on('error', () => undefined); // a refused upload is reset while it is still being written
    socket.on('close', () => resolve(text));
  });
  socket.write(head);
  if (body) socket.write(body);
  return { socket, received };
}

/** The status codes of the responses in `text`, in order (an interim 100 included). */
export function statuses(text: string): number[] {
  return [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
}

/** The request line and headers of a POST, ending in the blank line. */
export function postHead(path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries({ Host: '127.0.0.1', 'Content-Type': 'application/x-protobuf', ...headers }).map(([name, value]) => `${name}: ${value}`);
  return `POST ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}
