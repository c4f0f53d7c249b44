/**
 * dataplane/crypto/: the encrypted `udp` encapsulation — WireGuard's wire protocol and state
 * machine (Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s), so a stock WireGuard peer interoperates.
 * Read `secure-encapsulation.ts` first (what the forwarder sees: encapsulate/decapsulate, i.e.
 * seal/open, plus a side channel for handshakes), then `peer-session.ts` (keypairs and timers)
 * and `handshake.ts` (the Noise messages, pure).
 *
 * What it deliberately does not do: decide who the peers are (the route table's PeerRoutes,
 * with their public keys, come from control/), read key or secret files (agent/), or export
 * metrics (metrics/ reads `stats` and the status methods).
 */
export { SecureEncapsulation, TICK_MS, HANDSHAKE_RESULTS, systemClock } from './secure-encapsulation'
export type {
  CryptoStats, PeerCryptoStatus, HandshakeResult, SecureEncapsulationInit, Clock
} from './secure-encapsulation'
export { keyPairFromPrivate, generateKeyPair } from './primitives'
export type { StaticKeyPair } from './primitives'
export { nativeAead, nodeCryptoAead, defaultAead } from './transport-aead'
export type { TransportAead } from './transport-aead'
