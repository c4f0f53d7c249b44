/**
 * Replay protection of sealed gossip frames (control/transport/gossip-replay.ts) from an
 * attacker's side, with fake clocks: a captured frame sent again (at once, later, after the
 * receiver restarted, after the sender restarted) is refused and counted; frames reordered
 * within the window, a sender whose clock differs within the allowed skew, and a sender whose
 * clock stepped back still get through; a forged header cannot burn a genuine frame's stamp; a
 * flood beyond the memory budget never lets a forgotten frame back in. Before this check a
 * replayed frame opened as often as it was sent (the first test fails on that code).
 */
import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { createSocket } from 'node:dgram'
import pino from 'pino'
import { GossipReplayGuard } from '../../control/transport/gossip-replay'
import { GossipKeyring, STAMP_AT, readStamp } from '../../control/transport/gossip-seal'
import { frame, GossipTransport } from '../../control/transport/gossip-transport'

const plain = frame(0x4c47, Buffer.from('a membership packet: dead n2 incarnation 9'))
const secret = [randomBytes(32)]
const SKEW = 60_000
const TRANSIT = 15_000
const T0 = 1_800_000_000_000 // a wall clock in ms

class Clock {
  constructor (public ms = T0) {}
  readonly now = (): number => this.ms
}

function guard (clock: Clock, maxEntries = 1000): GossipReplayGuard {
  return new GossipReplayGuard({ now: clock.now, maxSkewMs: SKEW, maxTransitMs: TRANSIT, maxEntries })
}

/** A receiver's guard started at T0, and a sender whose first frame is sealed 1 ms later. */
function started (maxEntries?: number): { clock: Clock, g: GossipReplayGuard, sender: GossipKeyring } {
  const clock = new Clock()
  const g = guard(clock, maxEntries)
  clock.ms += 1
  return { clock, g, sender: new GossipKeyring(secret, { now: clock.now }) }
}

t.test('a frame opens once; the same bytes again are refused as replay, now and later', async t => {
  const clock = new Clock()
  const sender = new GossipKeyring(secret, { now: clock.now })
  const receiver = new GossipKeyring(secret, { now: clock.now })
  const g = guard(clock)
  clock.ms += 1
  const f = sender.seal(plain)
  const opened = receiver.open(f, g)
  t.ok(Buffer.isBuffer(opened) && opened.equals(plain))
  t.equal(receiver.open(f, g), 'replay')
  clock.ms += TRANSIT
  t.equal(receiver.open(Buffer.from(f), g), 'replay', 'a copy, 15 s later')
  clock.ms += SKEW + 1
  t.equal(receiver.open(f, g), 'stale', 'once out of the window it is stale, still refused')
  clock.ms += 24 * 3600_000
  t.equal(receiver.open(f, g), 'stale', 'a day later')
})

t.test('frames reordered within the window all open, each once', async t => {
  const { clock, g, sender } = started()
  const frames = [0, 1, 2, 3, 4].map(() => { clock.ms += 100; return sender.seal(plain) })
  for (const i of [4, 0, 3, 1, 2]) t.type(sender.open(frames[i], g), Buffer, `frame ${i}`)
  for (const i of [0, 1, 2, 3, 4]) t.equal(sender.open(frames[i], g), 'replay', `frame ${i} again`)
})

t.test('stamps strictly increase within one millisecond, and survive a small clock step back', async t => {
  const clock = new Clock()
  const sender = new GossipKeyring(secret, { now: clock.now })
  const stamps: number[] = []
  for (let i = 0; i < 5; i++) stamps.push(readStamp(sender.seal(plain)))
  clock.ms -= 500 // NTP slews or steps back a little
  for (let i = 0; i < 5; i++) stamps.push(readStamp(sender.seal(plain)))
  for (let i = 1; i < stamps.length; i++) t.ok(stamps[i] > stamps[i - 1], `stamp ${i} > stamp ${i - 1}`)
  t.equal(stamps[0], T0 * 1000)
  clock.ms -= 3600_000 // a step back of an hour: stamps follow the clock again
  t.equal(readStamp(sender.seal(plain)), (T0 - 500 - 3600_000) * 1000)
})

t.test('clock skew: within maxSkew both ways opens; beyond it is refused as clock_skew or stale', async t => {
  const mine = new Clock(T0)
  const g = guard(mine)
  mine.ms += SKEW // past the start-up floor (see the restart test)
  const ahead = new Clock(mine.ms + SKEW - 1000)
  const behind = new Clock(mine.ms - SKEW + 1000)
  const farAhead = new Clock(mine.ms + SKEW + 1000)
  const farBehind = new Clock(mine.ms - SKEW - TRANSIT - 1000)
  const receiver = new GossipKeyring(secret)
  t.type(receiver.open(new GossipKeyring(secret, { now: ahead.now }).seal(plain), g), Buffer, '59 s ahead')
  t.type(receiver.open(new GossipKeyring(secret, { now: behind.now }).seal(plain), g), Buffer, '59 s behind')
  t.equal(receiver.open(new GossipKeyring(secret, { now: farAhead.now }).seal(plain), g), 'clock_skew')
  t.equal(receiver.open(new GossipKeyring(secret, { now: farBehind.now }).seal(plain), g), 'stale')
})

t.test('receiver restart: frames sealed before it started are refused, later ones open', async t => {
  const clock = new Clock()
  const sender = new GossipKeyring(secret, { now: clock.now })
  const first = guard(clock)
  clock.ms += 5
  const before = sender.seal(plain)
  t.type(sender.open(before, first), Buffer, 'the first life opens it')
  clock.ms += 2000
  const restarted = guard(clock) // a new process: nothing remembered
  t.equal(sender.open(before, restarted), 'stale', 'captured before the restart, replayed after it')
  const lastMsBefore = new GossipKeyring(secret, { now: () => clock.ms - 1 })
  t.equal(sender.open(lastMsBefore.seal(plain), restarted), 'stale', 'sealed in the millisecond before the start')
  const sameMs = new GossipKeyring(secret, { now: clock.now })
  t.type(sender.open(sameMs.seal(plain), restarted), Buffer,
    'sealed in the millisecond the guard started: after the process began, so it opens')
  clock.ms += 1
  t.type(sender.open(sender.seal(plain), restarted), Buffer, 'fresh frames open')
  const behind = new GossipKeyring(secret, { now: () => clock.ms - 10_000 })
  t.equal(sender.open(behind.seal(plain), restarted), 'stale',
    'a sender 10 s behind is not heard until its clock passes the restart (the price of the floor)')
  clock.ms += 10_000
  t.type(sender.open(behind.seal(plain), restarted), Buffer, '... and is heard from then on')
})

t.test('sender restart: a new sender id, stamps go on; its old frames stay refused', async t => {
  const clock = new Clock()
  const g = guard(clock)
  clock.ms += 1
  const life1 = new GossipKeyring(secret, { now: clock.now })
  const old = life1.seal(plain)
  t.type(life1.open(old, g), Buffer)
  clock.ms += 3000
  const life2 = new GossipKeyring(secret, { now: clock.now })
  t.not(life2.senderId.toString('hex'), life1.senderId.toString('hex'))
  t.type(life2.open(life2.seal(plain), g), Buffer, 'the restarted sender is heard at once')
  t.equal(life2.open(old, g), 'replay', 'its previous life\'s frame is still refused')
})

t.test('a forged or damaged frame does not burn the genuine frame\'s stamp', async t => {
  const { clock, g, sender } = started()
  const genuine = sender.seal(plain)
  const damaged = Buffer.from(genuine)
  damaged[damaged.length - 1] ^= 1
  t.equal(sender.open(damaged, g), 'auth')
  const stranger = new GossipKeyring([randomBytes(32)], { now: clock.now, senderId: sender.senderId })
  const forged = stranger.seal(plain)
  forged.writeUInt32BE(genuine.readUInt32BE(7), 7) // our key id, their key
  genuine.copy(forged, STAMP_AT, STAMP_AT, STAMP_AT + 8)
  t.equal(sender.open(forged, g), 'auth')
  t.equal(g.size, 0, 'nothing recorded for frames that failed authentication')
  t.type(sender.open(genuine, g), Buffer, 'the genuine frame still opens')
  const later = Buffer.from(genuine)
  later.writeUInt32BE(later.readUInt32BE(STAMP_AT + 4) + 1, STAMP_AT + 4) // a replay with a moved stamp
  t.equal(sender.open(later, g), 'auth', 'moving the stamp breaks the tag')
})

t.test('a flood beyond the budget: forgotten frames are refused (stale), never reopened', async t => {
  const { clock, g, sender } = started(16)
  const frames: Buffer[] = []
  for (let i = 0; i < 100; i++) { clock.ms += 1; frames.push(sender.seal(plain)) }
  for (const f of frames) t.type(sender.open(f, g), Buffer)
  t.ok(g.size <= 16, `at most 16 remembered (${g.size})`)
  t.equal(g.evicted, 84)
  let refused = 0
  for (const f of frames) if (typeof sender.open(f, g) === 'string') refused++
  t.equal(refused, 100, 'every replay refused, remembered or not')
  clock.ms += 1
  t.type(sender.open(sender.seal(plain), g), Buffer, 'new frames still open')
})

t.test('entries are forgotten once they age out of the window', async t => {
  const { clock, g, sender } = started()
  for (let i = 0; i < 50; i++) { clock.ms += 10; sender.open(sender.seal(plain), g) }
  t.equal(g.size, 50)
  clock.ms += SKEW + TRANSIT + 1000
  sender.open(sender.seal(plain), g)
  t.equal(g.size, 1)
  t.equal(g.evicted, 0, 'aged out, not evicted')
})

const logger = pino({ level: 'silent' })

async function transport (t: Test): Promise<{ tr: GossipTransport, port: number, got: Buffer[] }> {
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000)
    const tr = new GossipTransport({ logger }, { address: '127.0.0.1', port, keyring: new GossipKeyring(secret) })
    const got: Buffer[] = []
    tr.onFrame((_magic, f) => { got.push(Buffer.from(f)) })
    try {
      await tr.start()
      t.teardown(() => tr.stop())
      return { tr, port, got }
    } catch (err) {
      await tr.stop()
      if (attempt > 20) throw err
    }
  }
}

async function waitUntil (what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test('transport: a captured datagram and a captured stream frame replayed are refused and counted', async t => {
  const node = await transport(t)
  const attacker = createSocket('udp4')
  t.teardown(() => attacker.close())
  const captured = new GossipKeyring(secret).seal(plain) // as if taken off the wire
  for (let i = 0; i < 5; i++) attacker.send(captured, node.port, '127.0.0.1')
  await waitUntil('five datagrams', () => node.tr.counters.udpFramesIn === 5)
  t.equal(node.got.length, 1, 'delivered once')
  t.equal(node.tr.rejected.replay, 4)
  const stream = new GossipKeyring(secret).seal(plain)
  for (let i = 0; i < 2; i++) {
    await new Promise<void>((resolve) => {
      const s: Socket = connect({ host: '127.0.0.1', port: node.port }, () => { s.end(stream) })
      s.on('error', () => {})
      s.on('close', () => resolve())
    })
  }
  await waitUntil('two streams', () => node.tr.counters.streamFramesIn === 2)
  t.equal(node.got.length, 2, 'the stream frame delivered once')
  t.equal(node.tr.rejected.replay, 5)
})
