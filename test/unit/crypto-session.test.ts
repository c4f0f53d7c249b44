/**
 * The encrypted `udp` encapsulation as a state machine, two (or three) instances wired through
 * an in-memory wire with a fake clock: initiation, response, staged packets, key confirmation,
 * cookie path, retry with jitter and give-up, keepalive, rekey, expiry, replayed and forged
 * packets and handshakes, PSK rotation. Byte-level interop is in test/netns/wireguard-interop.
 */
import t from 'tap'
import { SecureEncapsulation, Clock } from '../../dataplane/crypto/secure-encapsulation'
import { createInitiation } from '../../dataplane/crypto/handshake'
import { generateKeyPair, StaticKeyPair } from '../../dataplane/crypto/primitives'
import { writeMacs, mac1Key } from '../../dataplane/crypto/cookie'
import {
  KEEPALIVE_TIMEOUT, MAX_HANDSHAKE_ATTEMPTS, REJECT_AFTER_TIME, REKEY_AFTER_TIME, REKEY_TIMEOUT,
} from '../../dataplane/crypto/constants'
import { createPeerRoute, RouteTable } from '../../dataplane/route-table'
import { deriveNodeIndex } from '../../dataplane/node-index'
import { deriveVtepMAC } from '../../dataplane/mac'
import { Decapsulated, Drop, ENCAP_HELD, PeerRoute } from '../../dataplane/types'

const HEADROOM = 64
const PSK = Buffer.alloc(32, 7)

class FakeClock implements Clock {
  t = 1_000_000
  now (): number { return this.t }
  wallMs (): number { return 1_700_000_000_000 + this.t }
}

interface Datagram { from: Node, to: Node, buf: Buffer }

class Node {
  readonly key: StaticKeyPair = generateKeyPair()
  encap!: SecureEncapsulation
  table!: RouteTable
  readonly received: Buffer[] = []
  readonly address: number
  constructor (readonly name: string, readonly n: number, readonly wire: Wire) {
    this.address = 0x0a000000 + n
  }

  route (): PeerRoute {
    return createPeerRoute({
      nodeName: this.name,
      index: deriveNodeIndex(this.name),
      address: `10.0.0.${this.n}`,
      port: 51820,
      vtepMAC: deriveVtepMAC(this.name),
      mtu: 1400,
      publicKey: this.key.publicKey,
    })
  }

  /** An inner IPv4 packet from our pod prefix to `to`'s, with a recognisable payload. */
  packet (to: Node, payload: string): Buffer {
    const p = Buffer.alloc(HEADROOM + 20 + payload.length + 16)
    const ip = p.subarray(HEADROOM)
    ip[0] = 0x45
    ip.writeUInt16BE(20 + payload.length, 2)
    ip[8] = 64; ip[9] = 17
    ip.writeUInt32BE(0x0af40000 + (this.n << 8) + 5, 12)
    ip.writeUInt32BE(0x0af40000 + (to.n << 8) + 7, 16)
    ip.write(payload, 20)
    return p
  }

  /** Sends an inner packet to `to` through encapsulate; returns the verdict. */
  sendTo (to: Node, payload: string): number {
    const p = this.packet(to, payload)
    const route = this.table.lookup(0x0af40000 + (to.n << 8) + 7)!
    const start = this.encap.encapsulate(p, HEADROOM, 20 + payload.length, route)
    if (start >= 0) {
      this.wire.queue.push({
        from: this, to, buf: Buffer.from(p.subarray(start, HEADROOM + 20 + payload.length + 16))
      })
    }
    return start
  }
}

class Wire {
  readonly queue: Datagram[] = []
  readonly clock = new FakeClock()
  readonly nodes: Node[] = []
  /** Every datagram delivered, for replay tests. */
  readonly log: Datagram[] = []
  drop = (_d: Datagram): boolean => false

  add (name: string, opts: { psks?: Buffer[], underLoadThreshold?: number, persistentKeepaliveMs?: number } = {}):
  Node {
    const node = new Node(name, this.nodes.length + 1, this)
    node.encap = new SecureEncapsulation({
      staticKey: node.key,
      presharedKeys: opts.psks ?? [PSK],
      clock: this.clock,
      random: () => 0.5,
      ...(opts.underLoadThreshold !== undefined ? { underLoadThreshold: opts.underLoadThreshold } : {}),
      ...(opts.persistentKeepaliveMs !== undefined ? { persistentKeepaliveMs: opts.persistentKeepaliveMs } : {}),
    })
    node.encap.attach((buf, off, len, addr) => {
      const to = this.nodes.find((x) => x.address === addr)
      if (to !== undefined) this.queue.push({ from: node, to, buf: Buffer.from(buf.subarray(off, off + len)) })
      return true
    })
    this.nodes.push(node)
    return node
  }

  /** Every node knows every other (as syncPeers would be called with the route table). */
  connect (): void {
    for (const me of this.nodes) {
      const routes = this.nodes.filter((x) => x !== me).map((x) => ({ prefix: `10.244.${x.n}.0/24`, peer: x.route() }))
      me.table = RouteTable.build({ selfIndex: deriveNodeIndex(me.name), selfVtepMAC: deriveVtepMAC(me.name), routes })
      me.encap.syncPeers(me.table.peers())
    }
  }

  /** Delivers one datagram; returns the receiver's verdict. Replies go back onto the queue. */
  deliver (d: Datagram): Drop {
    this.log.push(d)
    const buf = Buffer.alloc(2048)
    d.buf.copy(buf)
    const out: Decapsulated = { innerStart: 0, innerLen: 0, peer: undefined, replyStart: 0, replyLen: 0 }
    const v = d.to.encap.decapsulate(buf, d.buf.length, d.from.address, d.to.table, out, 0, 51820)
    if (v !== Drop.None) return v
    if (out.replyLen > 0) {
      this.queue.push({
        from: d.to, to: d.from, buf: Buffer.from(buf.subarray(out.replyStart, out.replyStart + out.replyLen))
      })
    } else if (out.innerLen > 0) {
      if (out.peer !== d.to.table.lookup(buf.readUInt32BE(out.innerStart + 12))) throw new Error('peer mismatch')
      d.to.received.push(Buffer.from(buf.subarray(out.innerStart + 20, out.innerStart + out.innerLen)))
    }
    return v
  }

  pump (): Drop[] {
    const verdicts: Drop[] = []
    while (this.queue.length > 0) {
      const d = this.queue.shift()!
      if (this.drop(d)) continue
      verdicts.push(this.deliver(d))
    }
    return verdicts
  }

  advance (ms: number): void {
    this.clock.t += ms
    for (const n of this.nodes) n.encap.tick(this.clock.t)
  }
}

function pair (opts: { a?: Parameters<Wire['add']>[1], b?: Parameters<Wire['add']>[1] } = {}): {
  w: Wire, a: Node, b: Node
} {
  const w = new Wire()
  const a = w.add('node-a', opts.a)
  const b = w.add('node-b', opts.b)
  w.connect()
  return { w, a, b }
}

const text = (bufs: Buffer[]): string[] => bufs.map((b) => b.toString())

t.test('first packet: staged, handshake, delivered; responder sends only after confirmation', async t => {
  const { w, a, b } = pair()
  t.equal(a.sendTo(b, 'hello'), ENCAP_HELD, 'no session yet: held')
  t.equal(a.sendTo(b, 'world'), ENCAP_HELD)
  t.equal(a.encap.stats.initiationsSent, 1, 'one initiation, not one per packet')
  t.equal(w.queue[0].buf.length, 148)
  t.equal(b.encap.peerStatus()[0].handshake, 'none')
  t.same(w.pump(), [Drop.None, Drop.None, Drop.None, Drop.None], 'initiation, response, two staged packets')
  t.same(text(b.received), ['hello', 'world'])
  t.equal(a.encap.stats.handshakes.completed, 1)
  t.equal(b.encap.stats.handshakes.responded, 1)
  t.equal(a.encap.stats.keepalivesSent, 0, 'staged packets confirm the key; no keepalive needed')
  t.ok(b.sendTo(a, 'back') >= 0, 'responder sends at once after confirmation')
  w.pump()
  t.same(text(a.received), ['back'])
  const st = a.encap.peerStatus()[0]
  t.equal(st.handshake, 'established')
  t.equal(st.nodeName, 'node-b')
  t.equal(st.publicKey, b.key.publicKey.toString('base64'))
  t.equal(st.lastHandshakeAgeSeconds, 0)
  t.equal(a.encap.sessionCount(), 1)
})

t.test('handshake with nothing staged: initiator sends a keepalive for key confirmation', async t => {
  const { w, a, b } = pair()
  // Trigger a handshake through the new-handshake timer path: a packet, then drop it at B.
  a.sendTo(b, 'x')
  w.pump()
  b.received.length = 0
  // B initiates its own handshake now (previous keys are A-initiated): B has no sending key until confirmed.
  w.advance(REKEY_TIMEOUT + 1)
  t.ok(b.sendTo(a, 'y') >= 0, 'B already has a confirmed session (A sent data)')
  w.pump()
  t.same(text(a.received), ['y'])
})

t.test('replayed, forged, truncated and unknown-session transport packets change nothing', async t => {
  const { w, a, b } = pair()
  a.sendTo(b, 'one'); w.pump()
  t.ok(a.sendTo(b, 'two') >= 0)
  const captured = w.queue[0]
  const forged = { ...captured, buf: Buffer.from(captured.buf) }
  forged.buf[20] ^= 0x01
  t.equal(w.deliver(forged), Drop.Auth, 'flipped ciphertext bit')
  t.equal(w.deliver(captured), Drop.None,
    'the genuine packet with that counter still passes: the forgery moved no window')
  w.queue.length = 0
  t.equal(w.deliver(captured), Drop.Replay, 'replayed')
  t.equal(w.deliver({ ...captured, buf: captured.buf.subarray(0, 31) }), Drop.Malformed, 'truncated below header + tag')
  const unknown = Buffer.from(captured.buf); unknown.writeUInt32LE(0xdeadbeef, 4)
  t.equal(w.deliver({ ...captured, buf: unknown }), Drop.UnknownSession)
  const future = Buffer.from(captured.buf); future.writeUInt32LE(0xffffffff, 12)
  t.equal(w.deliver({ ...captured, buf: future }), Drop.Replay, 'counter beyond the limit')
  const badType = Buffer.from(captured.buf); badType[1] = 1
  t.equal(w.deliver({ ...captured, buf: badType }), Drop.Malformed, 'reserved bytes set')
  badType[1] = 0; badType[0] = 9
  t.equal(w.deliver({ ...captured, buf: badType }), Drop.Malformed, 'unknown type')
  t.same(text(b.received), ['one', 'two'])
  // Out of order within the window is fine.
  const p3 = (a.sendTo(b, 'three'), w.queue.shift()!)
  const p4 = (a.sendTo(b, 'four'), w.queue.shift()!)
  t.equal(w.deliver(p4), Drop.None)
  t.equal(w.deliver(p3), Drop.None)
  t.same(text(b.received), ['one', 'two', 'four', 'three'])
})

t.test('handshake messages: bad mac1, unknown peer, replayed and flooded initiations', async t => {
  const { w, a, b } = pair()
  a.sendTo(b, 'x')
  const init = w.queue.shift()!
  const bad = { ...init, buf: Buffer.from(init.buf) }
  bad.buf[50] ^= 1
  t.equal(w.deliver(bad), Drop.Auth, 'mac1 fails (checked before any DH)')
  t.equal(b.encap.stats.handshakes.bad_mac, 1)
  t.equal(w.deliver(init), Drop.None)
  w.queue.length = 0
  t.equal(w.deliver(init), Drop.Replay, 'same initiation again: timestamp not newer')
  t.equal(b.encap.stats.handshakes.replay, 1)
  // A fresh initiation from A's key within 20 ms of the last accepted one: rate-limited.
  w.clock.t += 17 // a new TAI64N slot, well within 1/50 s
  const again = createInitiation(a.key, b.key.publicKey, 1234, w.clock.wallMs())!
  writeMacs(again.message, mac1Key(b.key.publicKey), null)
  t.equal(w.deliver({ from: a, to: b, buf: again.message }), Drop.Replay)
  t.equal(b.encap.stats.handshakes.rate_limited, 1)
  // An initiation from a key B does not know.
  const stranger = generateKeyPair()
  const s = createInitiation(stranger, b.key.publicKey, 99, w.clock.wallMs())!
  writeMacs(s.message, mac1Key(b.key.publicKey), null)
  t.equal(w.deliver({ from: a, to: b, buf: s.message }), Drop.Auth)
  t.equal(b.encap.stats.handshakes.unknown_peer, 1)
  t.equal(w.deliver({ from: a, to: b, buf: s.message.subarray(0, 147) }), Drop.Malformed, 'truncated initiation')
  // A response nobody asked for.
  const resp = Buffer.alloc(92); resp[0] = 2
  writeMacs(resp, mac1Key(a.key.publicKey), null)
  t.equal(w.deliver({ from: b, to: a, buf: resp }), Drop.UnknownSession)
})

t.test('under load: cookie reply, then mac2 lets the retry through', async t => {
  const { w, a, b } = pair({ b: { underLoadThreshold: 0 } })
  a.sendTo(b, 'payload')
  const v = w.pump()
  t.same(v, [Drop.None, Drop.None], 'initiation answered by a cookie reply, which A consumed')
  t.equal(b.encap.stats.cookieRepliesSent, 1)
  t.equal(a.encap.stats.cookieRepliesReceived, 1)
  t.equal(b.encap.stats.handshakes.responded, 0, 'no DH done for the cookie-less initiation')
  w.advance(REKEY_TIMEOUT + 400)
  w.pump()
  t.equal(b.encap.stats.handshakes.responded, 1, 'retry with mac2 is served under load')
  t.same(text(b.received), ['payload'])
})

t.test('retry with jitter, then give up after RekeyAttemptTime; staged packets dropped', async t => {
  const { w, a, b } = pair()
  w.drop = (d) => d.to === b
  a.sendTo(b, 'lost')
  w.pump()
  t.equal(a.encap.stats.initiationsSent, 1)
  w.advance(REKEY_TIMEOUT) // jitter is 0.5 * 334 = 167 ms: not yet
  t.equal(a.encap.stats.initiationsSent, 1, 'jitter delays the retry')
  w.advance(200)
  t.equal(a.encap.stats.initiationsSent, 2, 'retried')
  for (let i = 0; i < MAX_HANDSHAKE_ATTEMPTS + 2; i++) { w.advance(REKEY_TIMEOUT + 200); w.pump() }
  t.equal(a.encap.stats.initiationsSent, 1 + MAX_HANDSHAKE_ATTEMPTS, 'RekeyAttemptTime / RekeyTimeout retries')
  t.equal(a.encap.stats.handshakes.timeout, 1)
  t.equal(a.encap.stats.stagedDropped, 1)
  t.equal(a.encap.peerStatus()[0].handshake, 'none')
  w.drop = () => false
  t.equal(a.sendTo(b, 'later'), ENCAP_HELD, 'new traffic starts a new handshake')
  w.pump()
  t.same(text(b.received), ['later'])
})

t.test('keepalive after receiving without sending; new handshake after sending without receiving', async t => {
  const { w, a, b } = pair()
  a.sendTo(b, 'x'); w.pump()
  const before = b.encap.stats.keepalivesSent
  w.advance(KEEPALIVE_TIMEOUT + 100)
  t.equal(b.encap.stats.keepalivesSent, before + 1, 'B owed A a keepalive')
  t.same(w.pump(), [Drop.None], 'the keepalive authenticates and is consumed')
  // A sends, B never answers (dropped): after keepalive + rekey timeout A starts a handshake.
  w.drop = (d) => d.to === a
  a.sendTo(b, 'y'); w.pump()
  const sent = a.encap.stats.initiationsSent
  w.advance(KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + 400)
  t.ok(a.encap.stats.initiationsSent > sent, 'silence after sending triggers a new handshake')
})

t.test('rekey after RekeyAfterTime; in-flight packets on the previous key still open; expiry', async t => {
  const { w, a, b } = pair()
  a.sendTo(b, 'x'); w.pump()
  w.advance(REKEY_AFTER_TIME + 1)
  t.ok(a.sendTo(b, 'old-key') >= 0, 'still sends on the old key')
  const inFlight = w.queue.pop()!
  t.equal(a.encap.stats.initiationsSent, 2, 'and starts a rekey')
  w.pump()
  t.equal(w.deliver(inFlight), Drop.None, 'a packet sealed with the previous key still opens')
  a.sendTo(b, 'new-key'); w.pump()
  t.same(text(b.received).slice(-2), ['old-key', 'new-key'])
  t.equal(a.encap.peerStatus()[0].rekeys, 1)
  t.equal(a.encap.rekeyCount(), 1)
  t.ok(a.encap.peerStatus()[0].currentKeyAgeSeconds! < 1)
  // Nothing for RejectAfterTime: keys are gone, a packet with the old index is unknown.
  b.sendTo(a, 'z')
  const late = w.queue.pop()!
  w.advance(REJECT_AFTER_TIME + 1)
  t.equal(w.deliver(late), Drop.UnknownSession, 'too old')
  t.equal(a.encap.sessionCount(), 0)
  t.equal(a.sendTo(b, 'again'), ENCAP_HELD)
})

t.test('PSK rotation: the initiator tries each of its keys; the responder mixes its first', async t => {
  const OLD = Buffer.alloc(32, 1)
  const NEW = Buffer.alloc(32, 2)
  {
    const { w, a, b } = pair({ a: { psks: [NEW, OLD] }, b: { psks: [OLD, NEW] } })
    a.sendTo(b, 'ab'); w.pump()
    t.same(text(b.received), ['ab'], 'A [new, old] -> B [old, new]')
    const w2 = pair({ a: { psks: [NEW, OLD] }, b: { psks: [OLD, NEW] } })
    w2.b.sendTo(w2.a, 'ba'); w2.w.pump()
    t.same(text(w2.a.received), ['ba'], 'B [old, new] -> A [new, old]')
  }
  {
    const { w, a, b } = pair({ a: { psks: [NEW] }, b: { psks: [OLD] } })
    a.sendTo(b, 'no'); w.pump()
    t.same(b.received, [], 'no common key: no session')
    t.equal(a.encap.stats.handshakes.invalid, 1, 'the response did not authenticate under any of our keys')
  }
  {
    const { w, a, b } = pair()
    a.sendTo(b, 'x'); w.pump()
    w.advance(REKEY_TIMEOUT + 1)
    a.encap.setPresharedKeys([NEW, PSK])
    t.ok(a.sendTo(b, 'running session unaffected') >= 0)
    w.pump()
    t.same(text(b.received), ['x', 'running session unaffected'])
    w.advance(200)
    t.same(w.pump(), [Drop.None, Drop.None, Drop.None],
      'a changed secret starts a rekey: initiation, response, keepalive')
    t.equal(a.encap.peerStatus()[0].rekeys, 1)
    const rekeys = (): number => a.encap.peerStatus()[0].rekeys + b.encap.peerStatus()[0].rekeys
    const before = rekeys()
    const invalid = a.encap.stats.handshakes.invalid + b.encap.stats.handshakes.invalid
    b.encap.setPresharedKeys([NEW])
    a.encap.setPresharedKeys([NEW])
    w.advance(REKEY_TIMEOUT + 1)
    w.pump()
    t.ok(rekeys() >= before + 2, 'old key removed everywhere: both rekeyed again under the new one')
    t.equal(a.encap.stats.handshakes.invalid + b.encap.stats.handshakes.invalid, invalid, 'no handshake failed')
    t.ok(a.sendTo(b, 'after rotation') >= 0)
    w.pump()
    t.same(text(b.received).at(-1), 'after rotation')
    t.throws(() => a.encap.setPresharedKeys([]))
  }
})

t.test('peers: removal forgets sessions; three nodes all pairs', async t => {
  const w = new Wire()
  const [a, b, c] = [w.add('node-a'), w.add('node-b'), w.add('node-c')]
  w.connect()
  for (const [x, y] of [[a, b], [a, c], [b, c], [c, a], [b, a], [c, b]] as const) {
    x.sendTo(y, `${x.name}->${y.name}`)
    w.pump()
  }
  t.same(text(a.received).sort(), ['node-b->node-a', 'node-c->node-a'])
  t.same(text(c.received).sort(), ['node-a->node-c', 'node-b->node-c'])
  t.equal(a.encap.sessionCount(), 2)
  a.encap.syncPeers(a.table.peers().filter((p) => p.nodeName !== 'node-c'))
  t.equal(a.encap.sessionCount(), 1)
  c.sendTo(a, 'after removal')
  t.same(w.pump(), [Drop.UnknownSession], 'the removed peer\'s session index is gone')
  // A route without a public key cannot be sent to.
  const keyless = createPeerRoute({
    nodeName: 'node-x', index: 77, address: '10.0.0.9', port: 1, vtepMAC: deriveVtepMAC('x'), mtu: 1400
  })
  t.equal(a.encap.encapsulate(Buffer.alloc(200), 64, 40, keyless), -Drop.UnknownSession)
})

t.test('a UDP GRO train: datagrams decapsulated where they lie in one buffer', async t => {
  const { w, a, b } = pair()
  a.sendTo(b, 'x'); w.pump()
  a.sendTo(b, 'first!'); a.sendTo(b, 'second')
  const [d1, d2] = w.queue.splice(0, 2)
  t.equal(d1.buf.length, d2.buf.length, 'equal sizes, as GRO glues them')
  const train = Buffer.concat([d1.buf, d2.buf, Buffer.alloc(64)])
  const out: Decapsulated = { innerStart: 0, innerLen: 0, peer: undefined, replyStart: 0, replyLen: 0 }
  const got: string[] = []
  for (let at = 0; at < d1.buf.length * 2; at += d1.buf.length) {
    t.equal(b.encap.decapsulate(train, d1.buf.length, a.address, b.table, out, at, 51820), Drop.None)
    t.equal(out.innerStart, at + 16)
    got.push(train.subarray(out.innerStart + 20, out.innerStart + out.innerLen).toString())
  }
  t.same(got, ['first!', 'second'])
  t.equal(b.encap.decapsulate(train, d1.buf.length, a.address, b.table, out, train.length - 10, 51820), Drop.Malformed,
    'past the end')
})

t.test('persistent keepalive: a handshake at once, then a keepalive after each idle interval, both ways', async t => {
  const { w, a, b } = pair({ a: { persistentKeepaliveMs: 25_000 } })
  w.advance(100)
  t.equal(a.encap.stats.initiationsSent, 1, 'no session: the first tick starts a handshake')
  w.pump()
  t.equal(a.encap.peerStatus()[0].handshake, 'established')
  const sent = a.encap.stats.persistentKeepalivesSent
  for (let i = 0; i < 24; i++) { w.advance(1000); w.pump() }
  t.equal(a.encap.stats.persistentKeepalivesSent, sent, 'nothing before the interval')
  for (let i = 0; i < 2; i++) { w.advance(1000); w.pump() }
  t.equal(a.encap.stats.persistentKeepalivesSent, sent + 1, 'one keepalive after 25 s without traffic')
  for (let i = 0; i < 100; i++) { w.advance(1000); w.pump() }
  t.equal(a.encap.stats.persistentKeepalivesSent, sent + 5, 'and one every 25 s after that (100 s: 4 more)')
  t.equal(b.encap.stats.persistentKeepalivesSent, 0, 'B has it off: B sends none (it owes none for keepalives)')
})

t.test('persistent keepalive: traffic either way postpones it; forged packets do not', async t => {
  const { w, a, b } = pair({ a: { persistentKeepaliveMs: 25_000 } })
  a.sendTo(b, 'hi'); w.pump()
  b.sendTo(a, 'back'); w.pump()
  const sent = a.encap.stats.persistentKeepalivesSent
  for (let i = 0; i < 12; i++) {
    w.advance(10_000)
    // Alternate directions: A hears from B, then B hears from A; A's traffic is never idle 25 s.
    if (i % 2 === 0) b.sendTo(a, `b${i}`); else a.sendTo(b, `a${i}`)
    w.pump()
  }
  t.equal(a.encap.stats.persistentKeepalivesSent, sent, 'no persistent keepalive while traffic flows (120 s)')
  // A stranger floods A with transport packets under A's live index; none authenticates.
  const genuine = w.log.filter((d) => d.to === a && d.buf[0] === 4).pop()!
  const now = a.encap.stats.persistentKeepalivesSent
  for (let i = 0; i < 30; i++) {
    w.advance(1000)
    const forged = Buffer.from(genuine.buf)
    forged.writeUInt32LE(1_000_000 + i, 8)
    t.equal(w.deliver({ from: b, to: a, buf: forged }), Drop.Auth)
    w.pump()
  }
  t.equal(a.encap.stats.persistentKeepalivesSent, now + 1, 'forged packets did not postpone the keepalive: sent after 25 s')
})

t.test('persistent keepalive off (the default): an idle session sends nothing for 10 minutes', async t => {
  const { w, a, b } = pair()
  a.sendTo(b, 'hi'); w.pump()
  b.sendTo(a, 'back'); w.pump()
  w.advance(KEEPALIVE_TIMEOUT + 1); w.pump() // A owed B the usual keepalive for 'back'
  const sentA = a.encap.stats.keepalivesSent
  const sentB = b.encap.stats.keepalivesSent
  const initiations = a.encap.stats.initiationsSent + b.encap.stats.initiationsSent
  for (let i = 0; i < 600; i++) { w.advance(1000); w.pump() }
  t.equal(a.encap.stats.keepalivesSent + b.encap.stats.keepalivesSent, sentA + sentB, 'no keepalive')
  t.equal(a.encap.stats.initiationsSent + b.encap.stats.initiationsSent, initiations, 'no handshake')
})
