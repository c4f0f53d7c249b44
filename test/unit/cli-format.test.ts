/** `loom status` renderings: alignment and content, from a fixed status document. */
import t from 'tap'
import {
  formatBytes, formatDuration, formatIpam, formatKeyValues, formatNodeStatus, formatPeers, formatRoutes, formatTable
} from '../../agent/cli-format'
import type { StatusDocument } from '../../agent/types'

const doc: StatusDocument = {
  node: {
    nodeName: 'node1',
    nodeId: null,
    ipam: null,
    version: '0.1.0',
    uptimeSeconds: 3725,
    mode: 'static',
    encapsulation: 'udp',
    encryption: false,
    underlay: '198.18.0.1:6784',
    clusterCIDR: '10.244.0.0/16',
    podCIDR: '10.244.1.0/24',
    overlayAddress: '10.244.1.0',
    vtepMAC: '02:00:00:00:00:01',
    mtu: 1460,
    peerCount: 2,
    routeCount: 2,
    drops: { outbound: { malformed: 0, no_route: 3 }, inbound: { auth: 0 } },
  },
  peers: [
    {
      nodeName: 'node2',
      source: 'static',
      state: 'configured',
      incarnation: null,
      lastSeenSecondsAgo: null,
      rttMs: null,
      address: '198.18.0.2',
      port: 6784,
      encapsulation: 'udp',
      encryption: false,
      mtu: 1460,
      vtepMAC: '02:00:00:00:00:02',
      podCIDRs: ['10.244.2.0/24'],
      packetsOut: 10,
      bytesOut: 1536,
      packetsIn: 5,
      bytesIn: 100,
      lastInSecondsAgo: 3,
      dataPath: 'active'
    },
    {
      nodeName: 'node-three',
      source: 'static',
      state: 'alive',
      incarnation: 3,
      lastSeenSecondsAgo: 1,
      rttMs: 0.42,
      address: '198.18.0.3',
      port: 6784,
      encapsulation: 'udp',
      encryption: false,
      mtu: 1460,
      vtepMAC: '02:00:00:00:00:03',
      podCIDRs: ['10.244.3.0/24'],
      packetsOut: 123456,
      bytesOut: 5 << 20,
      packetsIn: 0,
      bytesIn: 0,
      lastInSecondsAgo: null,
      dataPath: 'idle'
    },
  ],
  routes: [{ prefix: '10.244.2.0/24', nodeName: 'node2', via: '198.18.0.2:6784' }],
  ipam: { mode: 'static', blocks: [{ prefix: '10.244.1.0/24', nodeName: 'node1' }] },
}

t.test('key/value block is right-aligned on the colon', async (t) => {
  t.equal(formatKeyValues([['A', '1'], ['Longer', '2']]), '       A: 1\n  Longer: 2\n')
  const lines = formatNodeStatus(doc).split('\n').filter((l) => l !== '')
  const colon = lines[0].indexOf(':')
  for (const l of lines) t.equal(l.indexOf(':'), colon, `aligned: ${l}`)
  t.match(formatNodeStatus(doc), /Version: 0\.1\.0 \(up 1h2m\)/)
  t.match(formatNodeStatus(doc), /Drops out: no_route=3\n/)
  t.match(formatNodeStatus(doc), /Drops in: none\n/)
  t.match(formatNodeStatus(doc), /Pod CIDR: 10\.244\.1\.0\/24 \(overlay address 10\.244\.1\.0\)/)
})

t.test('tables: columns line up, numbers right-aligned', async (t) => {
  const text = formatPeers(doc)
  const [header, row1, row2] = text.split('\n')
  t.equal(header.indexOf('ADDRESS'), row1.indexOf('198.18.0.2'), 'address column starts under its header')
  t.equal(row1.indexOf('198.18.0.2'), row2.indexOf('198.18.0.3'))
  t.match(row2, /123456\s+5\.0MiB/)
  t.match(row1, /node2\s+198\.18\.0\.2:6784\s+configured\s+-\s+-\s+-\s+active\s+3s ago/)
  t.match(row2, /node-three\s+198\.18\.0\.3:6784\s+alive\s+3\s+1s ago\s+0\.42ms\s+idle/)
  t.match(row2, /idle\s+never/)
  t.equal(formatTable(['N', 'X'], [['1', 'a'], ['22', 'b']]), ' N  X\n 1  a\n22  b\n')
  t.equal(formatTable(['IP', 'RX'], [['10.0.0.1', '1.5KiB'], ['10.0.0.12', '12.0MiB']]),
    'IP              RX\n10.0.0.1    1.5KiB\n10.0.0.12  12.0MiB\n', 'addresses are text, sizes numbers')
  t.equal(formatRoutes(doc), 'PREFIX         NODE   VIA\n10.244.2.0/24  node2  198.18.0.2:6784\n')
  t.match(formatIpam(doc), /10\.244\.1\.0\/24\s+node1/)
  t.equal(formatPeers({ ...doc, peers: [] }), 'no peers\n')
})

t.test('units', async (t) => {
  t.equal(formatBytes(0), '0B')
  t.equal(formatBytes(1023), '1023B')
  t.equal(formatBytes(1536), '1.5KiB')
  t.equal(formatBytes(3 * 1024 ** 3), '3.0GiB')
  t.equal(formatDuration(59), '59s')
  t.equal(formatDuration(61), '1m1s')
  t.equal(formatDuration(90061), '1d1h')
})
