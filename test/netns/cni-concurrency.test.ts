/**
 * 200 concurrent ADDs, then 200 concurrent DELs, spread over 3 loomd nodes (up to 24 plugin
 * processes at once). Every ADD must succeed with a distinct address inside its node's pod CIDR,
 * and after the DELs no host veth, no /32 route and no allocation may remain. This catches
 * colliding temporary peer names and IPAM races in the agent.
 *
 *   pods c0..c199 (plain `ip netns add` namespaces) ── veths ── n1 | n2 | n3 (loomd each) ── sw
 */
import t from 'tap'
import { AgentClient } from '../../cni/agent-client'
import { isRoot, NetnsLab, pool, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { OverlayLab } from './lib/overlay-lab'
import { execPlugin, PluginRun } from './fixtures/cni-exec'

const PODS = 200
const PARALLEL = 24

if (!isRoot()) {
  t.plan(0, SKIP_NOT_ROOT)
} else {
  t.test(`${PODS} concurrent ADDs then DELs across 3 nodes`, async (t) => {
    const lab = new NetnsLab('cnipar')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab, { nodes: 3, podsPerNode: 0, encapsulation: 'udp', logLevel: 'warn' })
    await overlay.build()
    await overlay.startAll()
    const pods = await pool(PODS, 8, (i) => lab.addNamespace(`c${i}`))
    const nodeOf = (i: number) => overlay.nodes[i % 3]!
    const conf = (i: number) => ({
      cniVersion: '1.0.0', name: 'loom', type: 'loom-cni', apiSocket: nodeOf(i).apiSocket
    })
    const call = (i: number) => ({ containerID: `par-${i}`, netns: `/var/run/netns/${pods[i]!}`, ifname: 'eth0' })

    const started = Date.now()
    const adds = await pool(PODS, PARALLEL,
      (i) => execPlugin(nodeOf(i).ns, 'loom-cni', { command: 'ADD', ...call(i) }, conf(i), 45_000))
    const failed = adds.map((r, i) => [i, r] as [number, PluginRun]).filter(([, r]) => r.code !== 0)
    t.equal(failed.length, 0,
      `every ADD succeeds (${failed.slice(0, 3).map(([i, r]) => `#${i}: ${r.stdout}${r.stderr}`).join(' | ')})`)
    const addresses = adds.map((r) => String((r.json as {
      ips?: Array<{ address: string }>
    } | undefined)?.ips?.[0]?.address ?? ''))
    t.equal(new Set(addresses).size, PODS, 'all addresses distinct')
    t.ok(addresses.every((a, i) => a.startsWith(`10.244.${nodeOf(i).index}.`) && a.endsWith('/32')),
      'each address in its node\'s pod CIDR')
    t.comment(`${PODS} ADDs in ${Date.now() - started} ms`)

    // Spot-check the data path on one pod per node pair while all 200 exist.
    const ping = await overlay.ping({ ns: pods[0]!, address: addresses[0]!.split('/')[0]!, hostVeth: '' },
      addresses[1]!.split('/')[0]!, 2)
    t.ok(ping.ok, `pod 0 (node1) reaches pod 1 (node2): ${ping.output}`)

    const dels = await pool(PODS, PARALLEL,
      (i) => execPlugin(nodeOf(i).ns, 'loom-cni', { command: 'DEL', ...call(i) }, conf(i), 45_000))
    t.equal(dels.filter((r) => r.code !== 0).length, 0, 'every DEL succeeds')
    for (const node of overlay.nodes) {
      // Detached host veths are deleted after the DELs' answers (cni/veth-reaper.ts): waited
      // for, then asserted as before.
      await waitFor(`the host veths on ${node.name} to be deleted`, async () =>
        !/lxc[0-9a-f]{11}/.test(await lab.execOk(node.ns, ['ip', '-o', 'link', 'show'])), 10_000, 50).catch(() => {})
      const links = await lab.execOk(node.ns, ['ip', '-o', 'link', 'show'])
      t.notMatch(links, /lxc[0-9a-f]{11}|lxt[0-9a-f]{12}/, `no veth left on ${node.name}`)
      const routes = await lab.execOk(node.ns, ['ip', 'route', 'show'])
      t.notMatch(routes, new RegExp(`10\\.244\\.${node.index}\\.\\d+ dev`), `no /32 route left on ${node.name}`)
      const left = await fetchAttachments(node.apiSocket)
      t.same(left, [], `no allocation left on ${node.name}`)
    }
  })
}

async function fetchAttachments (socketPath: string): Promise<unknown[]> {
  const { request } = await import('node:http')
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/v1/cni/attachments', method: 'GET' }, (res) => {
      let body = ''
      res.on('data', (c) => { body += String(c) })
      res.on('end', () => {
        const v = JSON.parse(body) as unknown
        resolve(Array.isArray(v) ? v : (v as { attachments?: unknown[] }).attachments ?? [v])
      })
    })
    req.on('error', reject)
    req.end()
  })
}
void AgentClient
