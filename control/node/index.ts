/**
 * control/node/: this node as the cluster knows it, and what it keeps on disk. Its identity (node
 * ID, key pair, last incarnation: identity.ts), the state directory (lock, ownership, no silent
 * reset: state-dir.ts) and crash-safe JSON documents in it (temp, fsync, rename, directory fsync:
 * state-store.ts), and the channel that publishes small per-node values over gossip (topics such
 * as multicast groups or pod attachments: node-state.ts, codec in node-state-codec.ts; each node
 * signs its own entries with its member signing key and receivers check them against the key
 * membership pinned, handed in as NodeStateSigning so this room does not depend on membership's
 * table).
 *
 * Read state-store.ts first (the persistence rule every room relies on), then state-dir.ts.
 * types.ts holds the store interfaces that state-store.ts and group-commit.ts share.
 * state-store.ts throws ../ipam/errors' StateCorruptError: that file imports nothing, and the
 * agent and the CNI map every IpamError (this one included) to their answers.
 */
export { loadOrCreateIdentity, saveIncarnation, validateIdentity } from './identity'
export type { NodeIdentity } from './identity'
export { FileStateStore, MemoryStore, takeSection } from './state-store'
export type { FileSection } from './state-store'
export type { GroupCommitBackend, PreparedWrite, StateStore } from './types'
export { GroupCommitStore, isGroupCommit, notDurable } from './group-commit'
export type { GroupCommitStats } from './group-commit'
export { StateDirectory, LOCK_FILE } from './state-dir'
export type { StateDirectoryInit } from './state-dir'
export { StateDirError, StateDirLockedError, StateDirUnsafeError, StateInconsistentError } from './state-errors'
export { NodeStateChannel } from './node-state'
export type {
  NodeStateComponents, NodeStateCounters, NodeStateInit, NodeStateListener, NodeStateSigning, NodeStateView, TopicSpec,
} from './node-state'
