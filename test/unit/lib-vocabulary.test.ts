/** lib/fnv1a.ts and lib/veth-name.ts: reference vectors and the properties other rooms rely on. */
import t from 'tap'
import { fnv1a32, fnv1a32String, HOST_VETH_GLOB, HOST_VETH_PREFIX, HOST_VETH_RE, hostVethName } from '../../lib'

t.test('FNV-1a 32 reference vectors (http://www.isthe.com/chongo/src/fnv/test_fnv.c)', async t => {
  t.equal(fnv1a32(Buffer.from('')), 0x811c9dc5)
  t.equal(fnv1a32(Buffer.from('a')), 0xe40c292c)
  t.equal(fnv1a32(Buffer.from('foobar')), 0xbf9cf968)
  t.equal(fnv1a32String('foobar'), 0xbf9cf968)
  t.equal(fnv1a32String('é'), fnv1a32(Buffer.from([0xc3, 0xa9])), 'strings hash as UTF-8 bytes')
  t.equal(fnv1a32String('\ud800'), fnv1a32(Buffer.from([0xef, 0xbf, 0xbd])),
    'a lone surrogate hashes as U+FFFD, no throw')
  const big = fnv1a32(new Uint8Array(1 << 20).fill(0xff))
  t.ok(Number.isInteger(big) && big >= 0 && big < 2 ** 32, 'an unsigned 32-bit result for 1 MiB of input')
})

t.test('host veth names: the one rule the agent, loom-cni and its GC share', async t => {
  const n = hostVethName('c1', 'eth0')
  t.equal(n, hostVethName('c1', 'eth0'), 'stable')
  t.match(n, HOST_VETH_RE)
  t.equal(n.length, 14, 'fits IFNAMSIZ (15 + NUL) with one to spare')
  t.ok(n.startsWith(HOST_VETH_PREFIX))
  t.equal(HOST_VETH_GLOB, 'lxc*')
  t.not(hostVethName('c1', 'eth1'), n, 'the interface name counts')
  t.not(hostVethName('c2', 'eth0'), n, 'so does the container')
  for (const [cid, ifn] of [['', ''], ['x'.repeat(100_000), 'eth0'], ['../../etc', 'eth0;rm -rf /'], ['é\0', '\n']]) {
    t.match(hostVethName(cid, ifn), HOST_VETH_RE, `hostile ids still give a plain name (${cid.length} chars)`)
  }
  for (const bad of ['lxc', 'lxc0123456789', 'lxc0123456789ab', 'lxc0123456789A', 'LXC0123456789a', 'lxc0123456789a ',
    'xlxc0123456789a']) {
    t.notMatch(bad, HOST_VETH_RE, bad)
  }
})
