import { connect, type Socket } from 'node:net';

const MAX_IDLE_PER_TARGET = 256;
const noop = () => {};

/**
 * Kept-alive connections to targets for the listener's fast path, most recently used
 * first (as the agent of the node:http path does). Each socket gets its idle-time
 * listeners once, when it is opened, rather than on every request.
 */
export class UpstreamPool {
  private readonly idle = new Map<string, Socket[]>();
  private readonly open = new Set<Socket>();

  /** An idle connection to host:port, or a new one (still `connecting`; writes queue until it is up). */
  acquire(host: string, port: number): Socket {
    const key = `${host}:${port}`;
    const list = this.idle.get(key);
    const socket = list?.pop();
    if (socket) return socket;
    const fresh = connect({ host, port, noDelay: true });
    this.open.add(fresh);
    fresh.on('error', noop); // the request in flight has its own listener; an idle one just closes
    fresh.on('close', () => {
      this.open.delete(fresh);
      const l = this.idle.get(key);
      const at = l ? l.indexOf(fresh) : -1;
      if (at >= 0) l!.splice(at, 1);
    });
    return fresh;
  }

  /** A connection whose exchange ended cleanly goes back to the pool. */
  release(host: string, port: number, socket: Socket): void {
    if (socket.destroyed || !socket.writable) return void socket.destroy();
    const key = `${host}:${port}`;
    let list = this.idle.get(key);
    if (!list) this.idle.set(key, (list = []));
    if (list.length >= MAX_IDLE_PER_TARGET) return void socket.destroy();
    list.push(socket);
  }

  destroy(): void {
    for (const s of this.open) s.destroy();
    this.open.clear();
    this.idle.clear();
  }
}
