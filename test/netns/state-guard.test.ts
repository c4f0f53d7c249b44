/**
 * loomd against a careless operator, a second unit and planted files, with real daemons in a
 * namespace (issue 10). Each case failed before: a second loomd on one stateDir ran and
 * allocated the same addresses; a world-writable stateDir was accepted; `clusterCIDR` over an
 * existing route (or 0.0.0.0/0) replaced it; an `apiSocket` naming a regular file deleted it;
 * `ipam.json` missing next to `identity.json` silently started over; and a restart handed out
 * the address released just before it.
 *
 *   [ns n1: eth0 198.18.0.1/24] --- br0 [ns sw] --- [ns n2: eth0 198.18.0.2/24]
 *   loomd runs in n1 (static mode, pod CIDR 10.244.1.0/24; gossip mode for the IPAM case)
 */
import t from 'tap'
import { chmodSync, existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { isRoot, NetnsLab, run, SKIP_NOT_ROOT } from './lib/netns-lab'
import { apiRequest, LOOMD, OverlayLab } from './lib/overlay-lab'

t.test('state directory, config and socket guards of a real loomd', { skip: isRoot() ? false : SKIP_NOT_ROOT },
  async (t) => {
    const lab = new NetnsLab('guard')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab, { nodes: 2, podsPerNode: 0, encapsulation: 'udp' })
    await overlay.build()
    const node = overlay.nodes[0]
    const config = JSON.parse(readFileSync(node.configPath, 'utf8')) as Record<string, unknown>
    const stateDir = config.stateDir as string
    /** Runs a loomd that is expected to refuse to start; its exit code and stderr. */
    const refused = async (extra: string[]): Promise<{ code: number, stderr: string }> => {
      const r = await run('ip',
        ['netns', 'exec', node.ns, process.execPath, LOOMD, '--config', node.configPath, ...extra], { timeoutMs: 20_000 })
      return { code: r.code, stderr: r.stderr }
    }
    const routes = async (): Promise<string> => (await lab.execOk(node.ns, ['ip', '-4', 'route', 'show'])).trim()

    await t.test('a second loomd on the same stateDir refuses, naming the first one\'s PID', async (t) => {
      const first = overlay.startDaemon(node)
      await overlay.waitReady(node)
      const second = await refused(['--api-socket', lab.file('second.sock'), '--metrics-address', '127.0.0.1:9785'])
      t.equal(second.code, 1)
      t.match(second.stderr, new RegExp(`state directory .* is in use by another loomd \\(PID ${first.pid}\\)`))
      t.equal((await apiRequest(node.apiSocket, 'GET', '/v1/ready')).status, 200, 'the first one still serves')
      t.notOk(existsSync(lab.file('second.sock')))
      await overlay.stopDaemon(node)
      t.notMatch(await routes(), /10\.244\.0\.0\/16/, 'the cluster route is gone after stop')
    })

    await t.test('restart never hands out the address released just before it (kill -9)', async (t) => {
      overlay.startDaemon(node)
      await overlay.waitReady(node)
      const add = async (id: string): Promise<string> => {
        const r = await apiRequest(node.apiSocket, 'POST', '/v1/cni/add', { containerID: id, ifname: 'eth0' })
        t.equal(r.status, 200, `ADD ${id}`)
        return (r.body as { address: string }).address
      }
      const held = [await add('r1'), await add('r2'), await add('r3')]
      t.equal((await apiRequest(node.apiSocket, 'POST', '/v1/cni/del', { containerID: 'r2', ifname: 'eth0' })).status,
        200)
      await overlay.stopDaemon(node, 'SIGKILL')
      overlay.startDaemon(node)
      await overlay.waitReady(node)
      const after = [await add('r4'), await add('r5')]
      t.notOk(after.includes(held[1]), `${after.join(', ')} do not include ${held[1]}, released before the restart`)
      await overlay.stopDaemon(node)
    })

    await t.test('a stateDir writable by others is refused', async (t) => {
      chmodSync(stateDir, 0o777)
      const r = await refused([])
      t.equal(r.code, 1)
      t.match(r.stderr, /writable by everyone \(mode 777\).*chmod 700/)
      chmodSync(stateDir, 0o700)
    })

    await t.test('clusterCIDR over an existing route, or 0.0.0.0/0, is refused and no route changes', async (t) => {
      await lab.execOk(node.ns, ['ip', 'route', 'add', 'default', 'via', '198.18.0.2'])
      await lab.execOk(node.ns, ['ip', 'route', 'add', '10.244.7.0/24', 'via', '198.18.0.2'])
      const before = await routes()
      const over = await refused([])
      t.equal(over.code, 2)
      t.match(over.stderr,
        /clusterCIDR = 10\.244\.0\.0\/16 collides with this node's network: the existing route 10\.244\.7\.0\/24 dev eth0 via 198\.18\.0\.2 lies inside it/)
      const all = await refused(['--cluster-cidr', '0.0.0.0/0'])
      t.equal(all.code, 2)
      t.match(all.stderr, /clusterCIDR.*prefix of \/8 or longer/)
      const lan = await refused(['--cluster-cidr', '198.18.0.0/16'])
      t.equal(lan.code, 2, 'the underlay inside the cluster CIDR')
      t.equal(await routes(), before, 'the routing table is exactly as before')
      t.notOk((await lab.exec(node.ns, ['ip', 'link', 'show', 'loom0'])).code === 0, 'no TUN device was left behind')
      await lab.execOk(node.ns, ['ip', 'route', 'del', '10.244.7.0/24'])
    })

    await t.test('an apiSocket naming a regular file is refused and the file kept', async (t) => {
      const precious = lab.file('precious.txt')
      writeFileSync(precious, 'do not delete')
      const r = await refused(['--api-socket', precious])
      t.equal(r.code, 2)
      t.match(r.stderr, /apiSocket = .*precious\.txt is a regular file/)
      t.equal(readFileSync(precious, 'utf8'), 'do not delete')
    })

    await t.test('gossip mode: identity.json without ipam.json stops loomd; --reset-ipam recovers as a new node',
      async (t) => {
        const gossipConfig = lab.file('gossip.json')
        const gossipState = lab.file('state-gossip')
        writeFileSync(gossipConfig,
          JSON.stringify({
            ...config,
            peers: undefined,
            seeds: ['198.18.0.2', '198.18.0.1'],
            gossip: { insecure: true },
            stateDir: gossipState
          }))
        const d = lab.spawn(node.ns, [process.execPath, LOOMD, '--config', gossipConfig], 'loomd-gossip.log')
        node.daemon = d
        await overlay.waitReady(node)
        await overlay.stopDaemon(node)
        const identity = JSON.parse(readFileSync(`${gossipState}/identity.json`, 'utf8')) as { nodeId: string }
        unlinkSync(`${gossipState}/ipam.json`)
        const r = await run('ip', ['netns', 'exec', node.ns, process.execPath, LOOMD, '--config', gossipConfig],
          { timeoutMs: 20_000 })
        t.equal(r.code, 1)
        t.match(r.stderr, /holds this node's identity \(identity\.json\) but no IPAM state \(ipam\.json\).*--reset-ipam/)
        t.notOk(existsSync(`${gossipState}/ipam.json`), 'nothing was silently recreated')
        const reset = lab.spawn(node.ns, [process.execPath, LOOMD, '--config', gossipConfig, '--reset-ipam'],
          'loomd-reset.log')
        node.daemon = reset
        await overlay.waitReady(node)
        const status = (await apiRequest(node.apiSocket, 'GET', '/v1/status')).body as { node: { nodeId?: string } }
        t.not(JSON.stringify(status).includes(identity.nodeId), true, 'a new node ID')
        t.ok(readFileSync(lab.file('loomd-reset.log'), 'utf8').includes('--reset-ipam: moved the old state aside'))
        await overlay.stopDaemon(node)
        rmSync(gossipState, { recursive: true, force: true })
      })
  })
