import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

/** The TLS options of a request that decide which connection may carry it. */
const TLS_KEYS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
  'servername',
] as const;

/**
 * Keep-alive connections to one management cluster. client-node's `applyToHTTPSOptions` builds a new
 * `https.Agent` for every request, so every request opened a TCP connection and a TLS session of its own (85 for
 * one read of a 10,000-cluster management cluster). Here one keep-alive agent per protocol and TLS material
 * carries them all: requests are sent one after the other, so one connection serves a whole read. A rotated
 * client certificate or CA gets an agent of its own. A connection through a proxy keeps client-node's proxy
 * agent.
 *
 * `close()` ends the idle connections; the owner calls it when its read is done.
 */
export class KeepAliveAgents {
  readonly #agents = new Map<string, http.Agent>();

  /** The agent for a request to `url` with the TLS options client-node gave `options`. */
  agentFor(url: URL, options: https.RequestOptions, proxied: boolean) {
    if (proxied) return options.agent;
    const tls: Record<string, unknown> = {};
    for (const key of TLS_KEYS) {
      if (options[key] !== undefined) tls[key] = options[key];
    }
    const id = `${url.protocol}${createHash('sha256')
      .update(JSON.stringify(tls))
      .digest('hex')}`;
    let agent = this.#agents.get(id);
    if (!agent) {
      agent =
        url.protocol === 'https:'
          ? new https.Agent({ ...tls, keepAlive: true })
          : new http.Agent({ keepAlive: true });
      this.#agents.set(id, agent);
    }
    return agent;
  }

  close(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }
}
