import type { Server } from 'node:net';

/** A port that could not be bound, with a message that names the port and how to change it. */
export class PortError extends Error {
  override readonly name = 'PortError';
  constructor(readonly port: number, readonly code: string, message: string) {
    super(message);
  }
}

export function portInUseMessage(what: string, host: string, port: number, hint: string): string {
  return `${what} port ${port} on ${host} is already in use by another program; stop it or choose another port with ${hint}`;
}

/** Binds a server, turning EADDRINUSE and friends into a PortError that says what to do. */
export function listen(server: Server, host: string, port: number, what: string, hint: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const code = error.code ?? 'UNKNOWN';
      if (code === 'EADDRINUSE') reject(new PortError(port, code, portInUseMessage(what, host, port, hint)));
      else if (code === 'EACCES') reject(new PortError(port, code, `${what} port ${port} on ${host} needs privileges this user does not have; choose a port above 1023 with ${hint}`));
      else reject(new PortError(port, code, `${what} could not listen on ${host}:${port}: ${error.message} (change it with ${hint})`));
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
