/**
 * AttachmentLedger: what the agent records of an attachment besides its address: when an ADD of
 * this node created it, and that ADD's token. GC's grace period reads the age (./commands.ts); a
 * failed ADD releases the address only while the ledger still holds its own token.
 *
 * Persisted in `<stateDir>/attachments.json` (ATTACHMENTS_FILE) through the state directory's
 * crash-safe store with group commit (control/node/state-store.ts, group-commit.ts), and loaded
 * at start, so after a restart an attachment is as old as it really is and a token from before
 * it is still known. Before this the ages lived in memory: after a restart every attachment was
 * taken as created at the start (young for a grace period, then old, whatever its real age).
 *
 * Design notes:
 * - Wall-clock milliseconds (Date.now): a monotonic clock restarts with the process. A clock set
 *   back makes attachments look younger (spared longer: safe); set forward by more than the
 *   grace it makes a young one look old, as any wall-clock grace would.
 * - The ledger's write is awaited before the command that changed it reports success (an ADD
 *   that created the attachment, a DEL or GC that forgot one), beside the address state's own
 *   write. What matters is the ADD's: an entry is only ever read for an attachment that is held,
 *   and an ADD that creates one reports success only once its own entry (replacing any older
 *   one of the same containerID/ifname) is on disk, so a re-created attachment never looks old.
 * - An attachment the ledger does not know (allocated by the raw API before, by a loomd without
 *   the ledger, or a write lost in a crash: the ADD was then never reported) is taken as created
 *   when this agent started, never as older. Entries of attachments no longer held are dropped
 *   by the next GC; until then they are only overwritten by a new ADD of the same attachment.
 * - A missing file is an empty ledger (a first start, or an upgrade); a corrupt or planted one
 *   stops loomd like any state file (FileStateStore's StateCorruptError); deleting it is the fix
 *   and only makes every attachment young once.
 */

/** The ledger's file in the state directory. */
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
