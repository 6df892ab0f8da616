// A JSON-RPC client for bitcoind over HTTP on loopback, authenticated with the node's cookie file
// (the way bitcoin-cli does it without -rpcuser). Only what the bridge calls: getpeerinfo,
// getaddrmaninfo, getnetworkinfo, addpeeraddress, stop.

import * as http from 'node:http';

export class RpcError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export class RpcClient {
  private nextId = 1;

  constructor(
    readonly host: string,
    readonly port: number,
    /** "user:password" (the cookie file's content); read for every call, as the cookie changes per start. */
    private readonly credentials: () => string,
  ) {}

  call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    let auth: string;
    try {
      auth = Buffer.from(this.credentials()).toString('base64');
    } catch (e) {
      return Promise.reject(new RpcError(`no RPC cookie yet (${e instanceof Error ? e.message : String(e)})`, null));
    }
    const body = JSON.stringify({ jsonrpc: '1.0', id: this.nextId++, method, params });
    return new Promise<T>((resolve, reject) => {
      const req = http.request(
        { host: this.host, port: this.port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', authorization: `Basic ${auth}`, 'content-length': Buffer.byteLength(body) }, timeout: 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: { result?: T; error?: { code: number; message: string } | null };
            try {
              parsed = JSON.parse(text);
            } catch {
              reject(new RpcError(`${method}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`, null));
              return;
            }
            if (parsed.error) reject(new RpcError(`${method}: ${parsed.error.message}`, parsed.error.code));
            else resolve(parsed.result as T);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method}: timed out`)));
      req.on('error', (e) => reject(new RpcError(`${method}: ${e.message}`, null)));
      req.end(body);
    });
  }
}

/** The getpeerinfo fields the bridge reports. */
export interface PeerInfo {
  id: number;
  addr: string;
  addrbind?: string;
  network: string;
  inbound: boolean;
  connection_type: string;
  version: number;
  subver: string;
  services: string;
  startingheight?: number;
  conntime: number;
  pingtime?: number;
  addr_processed?: number;
  addr_rate_limited?: number;
  bytessent: number;
  bytesrecv: number;
  transport_protocol_type?: string;
}

/** getaddrmaninfo: per network, new / tried / total. */
export type AddrmanInfo = Record<string, { new: number; tried: number; total: number }>;
