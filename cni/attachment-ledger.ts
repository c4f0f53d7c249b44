/**
 * AttachmentLedger: what the agent records of an attachment besides its address: when an ADD of
 * this node created it, and that ADD's token. GC's grace period reads the age (./commands.ts); a
 * failed ADD releases the address only while the ledger still holds its own token.
 *
 * Persisted in loomd as the `cniAttachments` section (LEDGER_SECTION) of the address state file
 * (`pod-addresses.json` in static mode, `ipam.json` in gossip mode; LedgerSection below), written
 * through that file's crash-safe store with group commit (control/node/state-store.ts,
 * group-commit.ts), and loaded at start, so after a restart an attachment is as old as it really
 * is and a token from before it is still known. Before the ledger the ages lived in memory: after
 * a restart every attachment was taken as created at the start. It used to be its own file,
 * `attachments.json` (ATTACHMENTS_FILE): a creating ADD then waited for two writes; in one file
 * its address and its entry share one (bench/state-write-pair.ts measures the difference), and
 * an old attachments.json is migrated at start (LedgerSection).
 *
 * Design notes:
 * - Wall-clock milliseconds (Date.now): a monotonic clock restarts with the process. A clock set
 *   back makes attachments look younger (spared longer: safe); set forward by more than the
 *   grace it makes a young one look old, as any wall-clock grace would.
 * - The ledger's write is awaited before the command that changed it reports success (an ADD
 *   that created the attachment, a DEL or GC that forgot one); in loomd it is the address
 *   state's own write (the same group-commit batch). What matters is the ADD's: an entry is
 *   only ever read for an attachment that is held, and an ADD that creates one reports success
 *   only once its own entry (replacing any older one of the same containerID/ifname) is on
 *   disk, so a re-created attachment never looks old.
 * - An attachment the ledger does not know (allocated by the raw API before, by a loomd without
 *   the ledger, or a write lost in a crash: the ADD was then never reported) is taken as created
 *   when this agent started, never as older. Entries of attachments no longer held are dropped
 *   by the next GC; until then they are only overwritten by a new ADD of the same attachment.
 * - A missing section is an empty ledger (a first start, or an upgrade from a loomd without the
 *   ledger); a corrupt or forged section, like a corrupt or planted old attachments.json, stops
 *   loomd naming the file (FileStateStore's StateCorruptError). Deleting the section (or the old
 *   file) is the fix and only makes every attachment young once.
 */
import { takeSection } from '../control/node/state-store'

/** The ledger's own file in the state directory before it moved into the address file (migrated at start). */
export const ATTACHMENTS_FILE = 'attachments.json'

/** One attachment's entry: when an ADD of this node created it (ms since the epoch), and its token. */
export interface LedgerEntry { readonly createdAt: number, readonly token: string }

/** The file's content. */
export interface LedgerDocument {
  readonly version: 1
  readonly attachments: ReadonlyArray<{ containerID: string, ifname: string } & LedgerEntry>
}

/** The store: loomd's GroupCommitStore over the state directory (control/node), or a test's. */
export interface LedgerStore {
  /** The last saved document, null if none; throws when the file is corrupt. */
  load(): LedgerDocument | null
  /** Resolves once a document built after this call (by `build`, or a later one) is on disk. */
  commit(build: () => LedgerDocument): Promise<void>
  /**
   * Optional: told the ledger's live document once, at construction, by a store that writes it
   * as part of another document (LedgerSection below), so every write of that one carries it.
   */
  attach?(build: () => LedgerDocument): void
}

/** Most entries a file may hold: far above a node's pods, so a huge planted file is refused. */
const MAX_ENTRIES = 1 << 16
const TOKEN = /^[0-9a-f-]{36}$/

/** Checks a parsed file (FileStateStore's `validate`); throws naming the first bad entry. */
export function validateLedger (raw: unknown): LedgerDocument {
  const doc = raw as { version?: unknown, attachments?: unknown } | null
  if (typeof doc !== 'object' || doc === null || doc.version !== 1) throw new Error('expected {"version": 1, ...}')
  if (!Array.isArray(doc.attachments) || doc.attachments.length > MAX_ENTRIES) {
    throw new Error(`"attachments" must be an array of at most ${MAX_ENTRIES} entries`)
  }
  const seen = new Set<string>()
  const attachments = doc.attachments.map((e: unknown, i: number) => {
    const a = e as Record<string, unknown> | null
    const ok = typeof a === 'object' && a !== null && typeof a.containerID === 'string' && a.containerID !== '' &&
      typeof a.ifname === 'string' && a.ifname !== '' && Number.isSafeInteger(a.createdAt) && (a.createdAt as number) >= 0 &&
      typeof a.token === 'string' && TOKEN.test(a.token)
    if (!ok) throw new Error(`attachments[${i}] is not {containerID, ifname, createdAt (ms), token}`)
    const key = keyOf(a as { containerID: string, ifname: string })
    if (seen.has(key)) throw new Error(`attachments[${i}]: ${key} appears twice`)
    seen.add(key)
    const { containerID, ifname, createdAt, token } = a as unknown as LedgerDocument['attachments'][number]
    return { containerID, ifname, createdAt, token }
  })
  return { version: 1, attachments }
}

export class AttachmentLedger {
  private readonly entries = new Map<string, LedgerEntry>()

  /** Loads the store's document (throws what the store throws); without a store the ledger lives in memory only. */
  constructor (private readonly store?: LedgerStore) {
    for (const a of store?.load()?.attachments ?? []) {
      this.entries.set(keyOf(a), { createdAt: a.createdAt, token: a.token })
    }
    store?.attach?.(() => this.document())
  }

  get (key: string): LedgerEntry | undefined {
    return this.entries.get(key)
  }

  keys (): string[] {
    return [...this.entries.keys()]
  }

  /** Records an attachment an ADD created; settles once it is on disk. */
  record (key: string, entry: LedgerEntry): Promise<void> {
    this.entries.set(key, entry)
    return this.persist()
  }

  /** Forgets attachments (no write); `persist` makes it durable. True when one was known. */
  drop (...keys: string[]): boolean {
    let dropped = false
    for (const key of keys) dropped = this.entries.delete(key) || dropped
    return dropped
  }

  /** Settles once the ledger as it is now is on disk (at once without a store). */
  persist (): Promise<void> {
    if (this.store === undefined) return Promise.resolve()
    return this.store.commit(() => this.document())
  }

  private document (): LedgerDocument {
    return {
      version: 1,
      attachments: [...this.entries].map(([key, e]) => {
        const slash = key.lastIndexOf('/')
        return { containerID: key.slice(0, slash), ifname: key.slice(slash + 1), ...e }
      }),
    }
  }
}

/** The ledger's and the attachment locks' key of an attachment. */
export function keyOf (a: { containerID: string, ifname: string }): string {
  return `${a.containerID}/${a.ifname}`
}

/** The key the ledger has in the address state file (static pod-addresses.json, gossip ipam.json). */
export const LEDGER_SECTION = 'cniAttachments'

/**
 * The ledger kept inside the address state file: a creating ADD's address and its ledger entry
 * then go to disk in one crash-safe write (the same group-commit batch), where two files meant
 * two writes, each with its fsyncs, for every new pod. The address file's FileStateStore is
 * built with `validate` and `toJSON` wrapped by this section (control/node FileSection); the
 * ledger's store is `store()`, which rewrites the address file (GroupCommitStore.rewrite).
 *
 * Upgrade: a state directory may still hold `attachments.json` (ATTACHMENTS_FILE) from a loomd
 * before this. It is loaded (a corrupt or planted one stops the start, naming it, as before)
 * and merged: the section's entry wins for an attachment in both (the section was written after
 * the file was migrated), the file's fill in the rest. agent/agent.ts then writes the merged
 * ledger into the address file and, once that is on disk, moves the old file aside
 * (`attachments.json.migrated-<time>`, never deleted).
 */
export class LedgerSection {
  /** The section as the address file held it when it was loaded (null: none). */
  private loaded: LedgerDocument | null = null
  /** The ledger's own document, once it has one (AttachmentLedger's constructor). */
  private build: (() => LedgerDocument) | null = null

  validate<T> (inner: (raw: unknown) => T): (raw: unknown) => T {
    return (raw) => {
      const { section, rest } = takeSection(raw, LEDGER_SECTION, 'the CNI attachment ledger', validateLedger)
      const out = inner(rest)
      if (section !== undefined) this.loaded = section
      return out
    }
  }

  toJSON<T> (inner: (doc: T) => unknown = (d) => d): (doc: T) => unknown {
    return (doc) => {
      const json = inner(doc)
      const ledger = this.build?.() ?? this.loaded
      if (ledger === null || typeof json !== 'object' || json === null) return json
      return { ...json, [LEDGER_SECTION]: ledger }
    }
  }

  /**
   * The ledger's store over the address file's store (`rewrite`: a write of the whole current
   * address document, carrying the section). `legacy`: attachments.json's document, if the
   * directory still has one. Load the address file first: the section is read from it.
   */
  store (addresses: { rewrite(): Promise<void> | null }, legacy: LedgerDocument | null): LedgerStore {
    return {
      load: () => mergeLedgers(this.loaded, legacy),
      attach: (build) => { this.build = build },
      commit: (build) => {
        this.build = build
        // No address document at all: no attachment is held, and an entry is only ever read for
        // a held one, so there is nothing to keep (the next address write carries the section).
        return addresses.rewrite() ?? Promise.resolve()
      },
    }
  }
}

/** The section's entries, then the legacy file's for attachments the section does not name. */
function mergeLedgers (section: LedgerDocument | null, legacy: LedgerDocument | null): LedgerDocument | null {
  if (legacy === null) return section
  if (section === null) return legacy
  const have = new Set(section.attachments.map(keyOf))
  return { version: 1, attachments: [...section.attachments, ...legacy.attachments.filter((a) => !have.has(keyOf(a)))] }
}

/** What loomd's ledger needs of the state directory (control/node StateDirectory). */
export interface LedgerDirectory {
  has(name: string): boolean
  store<T>(name: string, validate: (raw: unknown) => T): { load(): T | null }
  moveAside(name: string, now: Date, why: 'migrated'): string | null
}

/**
 * loomd's ledger store: `section` of the address file (whose store must be loaded already),
 * with the entries of an attachments.json an older loomd left (loaded here: a corrupt or
 * planted one throws StateCorruptError naming it). `legacy`: how many entries that file held,
 * null when there is none; then call `finishLedgerMigration` once the CNI commands exist.
 */
export function openSectionLedger (section: LedgerSection, addresses: { rewrite(): Promise<void> | null },
  dir: LedgerDirectory): { store: LedgerStore, legacy: number | null } {
  const legacy = dir.has(ATTACHMENTS_FILE) ? dir.store(ATTACHMENTS_FILE, validateLedger).load() : null
  return { store: section.store(addresses, legacy), legacy: legacy?.attachments.length ?? null }
}

/**
 * The upgrade's last step: the merged ledger written into the address file (`persist`, the CNI
 * commands' persistLedger), then, once that is on disk, attachments.json moved aside (renamed,
 * never deleted). Returns its new name. A crash before the rename only repeats the merge.
 */
export async function finishLedgerMigration (dir: LedgerDirectory,
  persist: () => Promise<void>): Promise<string | null> {
  await persist()
  return dir.moveAside(ATTACHMENTS_FILE, new Date(), 'migrated')
}
