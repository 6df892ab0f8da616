// Core's JSON-RPC error codes (rpc/protocol.h) and the error an RPC throws (JSONRPCError), plus the
// JSON type names UniValue prints in type errors (univalue.cpp uvTypeName).

// Core: rpc/protocol.h RPCErrorCode (the codes the net RPCs throw)
export const RPC_MISC_ERROR = -1;
export const RPC_TYPE_ERROR = -3;
export const RPC_INVALID_PARAMETER = -8;
export const RPC_DATABASE_ERROR = -20;
export const RPC_CLIENT_NODE_ALREADY_ADDED = -23;
export const RPC_CLIENT_NODE_NOT_ADDED = -24;
export const RPC_CLIENT_NODE_NOT_CONNECTED = -29;
export const RPC_CLIENT_INVALID_IP_OR_SUBNET = -30;
export const RPC_CLIENT_P2P_DISABLED = -31;
export const RPC_CLIENT_NODE_CAPACITY_REACHED = -34;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_INVALID_PARAMS = -32602;
export const RPC_INTERNAL_ERROR = -32603;

/** An RPC failure with Core's code and message (Core: JSONRPCError, or a std::exception mapped to -1). */
// Core: rpc/request.cpp JSONRPCError
export class RPCError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'RPCError';
  }
}

/** The JSON type of a value as UniValue names it. */
// Core: univalue/lib/univalue_get.cpp uvTypeName
export function uvTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}
