/*
 * A loopback TCP proxy that a test can cut: every connection through it drops and new ones are dropped on
 * arrival until it is healed. Put in front of one replica's database, it makes that replica look dead or cut
 * off to the others (it can neither renew nor release what it holds) while the test process lives on.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every connection through the proxy, and every new one until {@link TcpProxy.heal}. */
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: {
  host: string;
  port: number;
}): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let cut = false;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer(client => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    heal() {
      cut = false;
    },
    close: () =>
      new Promise(resolve => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
