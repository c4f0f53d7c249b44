/**
 * IGMP snooping state (control/multicast/groups.ts) with a fake clock: join, refresh, fast
 * leave, expiry after robustness × interval + response, port removal, bounds; and the gossip
 * value of a node's group set with hostile input.
 */
import t from 'tap'
import { parseIPv4Address } from '../../lib'
import { decodeGroupSet, encodeGroupSet, MAX_GOSSIP_GROUPS, MulticastGroups } from '../../control/multicast/groups'

const G = parseIPv4Address
const INTERVAL = 130_000

t.test('join, refresh, leave, expiry, port removal', async (t) => {
  const g = new MulticastGroups({ membershipIntervalMs: INTERVAL })
  g.join(5, G('239.1.1.1'), 0)
  g.join(6, G('239.1.1.1'), 0)
  g.join(6, G('239.2.2.2'), 0)
  t.same(g.groups(), [G('239.1.1.1'), G('239.2.2.2')])
  t.same(g.membersOf(G('239.1.1.1')).sort(), [5, 6])
  t.equal(g.memberships(), 3)
  const v = g.version
  g.join(5, G('239.1.1.1'), 100_000) // a report refreshes the timer, not the set
  t.equal(g.version, v, 'a refresh is not a change')
  g.expire(INTERVAL)
  t.same(g.membersOf(G('239.1.1.1')), [5], 'port 6 expired after the membership interval; 5 was refreshed')
  t.same(g.groups(), [G('239.1.1.1')])
  g.expire(100_000 + INTERVAL - 1)
  t.same(g.membersOf(G('239.1.1.1')), [5])
  g.expire(100_000 + INTERVAL)
  t.same(g.groups(), [], 'expired')
  g.join(7, G('239.3.3.3'), 0)
  g.join(7, G('239.4.4.4'), 0)
  g.leave(7, G('239.3.3.3'))
  t.same(g.groups(), [G('239.4.4.4')], 'a leave is immediate')
  g.leave(7, G('239.9.9.9'))
  g.leave(99, G('239.9.9.9'))
  g.removePort(7)
  t.same(g.groups(), [])
  t.same(g.ports(), [])
  const before = g.version
  g.removePort(7)
  t.equal(g.version, before, 'removing an unknown port changes nothing')
})

t.test('bounds: groups per port and per node', async (t) => {
  const g = new MulticastGroups({ membershipIntervalMs: INTERVAL, maxGroupsPerPort: 3, maxGroups: 4 })
  for (let i = 0; i < 5; i++) g.join(1, G(`239.0.0.${i}`), 0)
  t.equal(g.membersOf(G('239.0.0.2')).length, 1)
  t.equal(g.membersOf(G('239.0.0.3')).length, 0, 'the 4th group of one port is refused')
  g.join(2, G('239.0.0.0'), 0) // an existing group: fine
  g.join(2, G('239.0.0.9'), 0) // 4th distinct group on the node: fine
  g.join(2, G('239.0.0.8'), 0) // 5th distinct group: refused
  t.equal(g.groups().length, 4)
  t.equal(g.refusedJoins, 3)
  g.join(3, G('239.0.0.7'), 0)
  t.same(g.ports().sort(), [1, 2], 'a refused first join leaves no empty port behind')
})

t.test('gossip value: encode/decode, hostile input', async (t) => {
  const set = [G('224.0.0.251'), G('239.1.1.1')]
  t.same(decodeGroupSet(encodeGroupSet(set)), set)
  t.same(decodeGroupSet(new Uint8Array(0)), [])
  t.equal(decodeGroupSet(new Uint8Array(5)), undefined, 'not a multiple of 4')
  t.equal(decodeGroupSet(encodeGroupSet([G('10.0.0.1')])), undefined, 'a unicast address')
  t.equal(decodeGroupSet(encodeGroupSet(Array.from({ length: MAX_GOSSIP_GROUPS + 1 }, (_, i) => G('239.0.0.0') + i))),
    undefined, 'more than 4096 groups')
  t.equal(decodeGroupSet(encodeGroupSet(Array.from({ length: MAX_GOSSIP_GROUPS },
    (_, i) => G('239.0.0.0') + i)))?.length, MAX_GOSSIP_GROUPS)
  const sub = Buffer.concat([Buffer.alloc(3), Buffer.from(encodeGroupSet(set))]).subarray(3)
  t.same(decodeGroupSet(sub), set, 'a view at an odd offset')
})
