/**
 * Interop: a Loom node with `encryption.enabled` and a node that runs no Loom at all, only a
 * stock WireGuard: Debian's `wireguard-go` + `wg`, configured with Loom's public key (read from
 * `loom status --json`), the cluster secret as preshared key, and allowed-ips = the Loom node's
 * pod CIDR.
 *
 *   n1: loomd (udp, encrypted, port 6784), private key from `wg genkey` (encryption.privateKeyFile)
 *   n2: wireguard-go <dev> (listen 51820), 10.244.2.1/32, route 10.244.1.0/24 dev <dev>
 *       pods 10.244.2.11 behind it (proxy ARP, /32 route), like a Loom node's
 *
 * Part 1: Loom initiates (a pod on n1 pings first). Part 2: a fresh WireGuard device (new
 * process, same key) initiates (a pod on n2 pings first), and Loom answers as responder.
 * Ping and a byte-exact TCP echo both ways in each part.
 */
import t from 'tap'
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ChildProcess } from 'node:child_process'
import { isRoot, NetnsLab, run, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { OverlayLab, REPO_ROOT } from './lib/overlay-lab'

const TCP_ECHO = join(REPO_ROOT, 'dist', 'test', 'netns', 'fixtures', 'tcp-echo.js')
const ECHO_PORT = 7007
const TCP_BYTES = 2 << 20
const WG_PORT = 51820

async function sh (cmd: string, args: string[], input?: string): Promise<string> {
  const r = await run(cmd, args, input !== undefined ? { input } : {})
  if (r.code !== 0) throw new Error(`${cmd} failed: ${r.stderr}`)
  return r.stdout.trim()
}

t.test('loomd (encrypted udp) <-> stock wireguard-go', { skip: isRoot() ? false : SKIP_NOT_ROOT }, async (t) => {
  const lab = new NetnsLab('wgi')
  t.teardown(() => lab.cleanup())
  const secretFile = lab.file('secret')
  const psk = await sh('wg', ['genpsk'])
  writeFileSync(secretFile, psk + '\n', { mode: 0o600 })
  chmodSync(secretFile, 0o600)
  const overlay = new OverlayLab(lab,
    { nodes: 2, podsPerNode: 1, encapsulation: 'udp', withoutLoomd: [2], encryption: { secretFile } })
  await overlay.build()
  const [n1, n2] = overlay.nodes

  const loomKey = lab.file('loom.key')
  writeFileSync(loomKey, (await sh('wg', ['genkey'])) + '\n', { mode: 0o600 })
  const wgKeyFile = lab.file('wg.key')
  const wgKey = await sh('wg', ['genkey'])
  writeFileSync(wgKeyFile, wgKey + '\n', { mode: 0o600 })
  const wgPub = await sh('wg', ['pubkey'], wgKey + '\n')
  const pskFile = lab.file('wg.psk')
  writeFileSync(pskFile, psk + '\n', { mode: 0o600 })
  overlay.privateKeyFiles.set(n1.name, loomKey)
  overlay.publicKeys.set(n2.name, wgPub)
  overlay.ports.set(n2.name, WG_PORT)
  overlay.writeConfig(n1)
  await overlay.startAll()

  const status = JSON.parse((await overlay.loom(n1, ['status', '--json'])).stdout) as {
    publicKey: string; mtu: number; encryption: boolean
  }
  t.equal(status.encryption, true)
  t.equal(status.publicKey, await sh('wg', ['pubkey'], (await sh('cat', [loomKey])) + '\n'),
    'status shows the public key of encryption.privateKeyFile')
  t.equal(status.mtu, 1440, 'MTU = 1500 - 60 (IPv4 20 + UDP 8 + WireGuard 32)')

  // The WireGuard node. A unique device name: wireguard-go's control socket lives in the shared /var/run/wireguard.
  const dev = `lwg${lab.id}`
  let wgProc: ChildProcess | undefined
  const startWireGuard = async (): Promise<void> => {
    wgProc = lab.spawn(n2.ns, ['wireguard-go', '-f', dev], `wireguard-go-${Date.now()}.log`)
    await waitFor('the WireGuard device', async () => (await lab.exec(n2.ns, ['ip', 'link', 'show', dev])).code === 0,
      10_000)
    await lab.execOk(n2.ns, ['wg', 'set', dev, 'listen-port', String(WG_PORT), 'private-key', wgKeyFile,
      'peer', status.publicKey, 'preshared-key', pskFile, 'allowed-ips', n1.podCIDR, 'endpoint', `${n1.underlay}:6784`])
    await lab.execOk(n2.ns, ['ip', 'addr', 'add', '10.244.2.1/32', 'dev', dev])
    await lab.execOk(n2.ns, ['ip', 'link', 'set', dev, 'mtu', '1420', 'up'])
    await lab.execOk(n2.ns, ['ip', 'route', 'add', n1.podCIDR, 'dev', dev])
  }
  await startWireGuard()
  for (const n of overlay.nodes) await overlay.setPodMTU(n, 1420)
  for (const n of overlay.nodes) {
    lab.spawn(n.pods[0].ns, [process.execPath, TCP_ECHO, 'server', String(ECHO_PORT)], `echo-${n.name}.log`)
  }
  for (const n of overlay.nodes) await lab.waitTcpListening(n.pods[0].ns, ECHO_PORT)

  const metric = async (name: string): Promise<number> => {
    const r = await lab.exec(n1.ns, ['curl', '-sf', 'http://127.0.0.1:9784/metrics'])
    const m = new RegExp(`^${name.replace(/[{}"]/g, (c) => '\\' + c)} (\\S+)$`, 'm').exec(r.stdout)
    return m === null ? NaN : Number(m[1])
  }
  const traffic = async (label: string, first: typeof n1): Promise<void> => {
    const second = first === n1 ? n2 : n1
    const pingFirst = await overlay.ping(first.pods[0], second.pods[0].address, 3)
    t.ok(pingFirst.ok, `${label}: ping ${first.name} -> ${second.name}`, { output: pingFirst.output })
    for (const [a, b] of [[first, second], [second, first]]) {
      const ping = await overlay.ping(a.pods[0], b.pods[0].address, 3)
      t.ok(ping.ok, `${label}: ping ${a.name} -> ${b.name}`, { output: ping.output })
      const tcp = await lab.exec(a.pods[0].ns,
        [process.execPath, TCP_ECHO, 'client', b.pods[0].address, String(ECHO_PORT), String(TCP_BYTES)],
        { timeoutMs: 30_000 })
      t.match(tcp.stdout, /"ok":true/, `${label}: TCP echo ${a.name} -> ${b.name}`, { output: tcp.stdout + tcp.stderr })
    }
  }

  // Part 1: Loom initiates.
  await traffic('Loom initiates', n1)
  t.equal(await metric('loom_crypto_handshakes_total{result="completed"}'), 1,
    'Loom completed one handshake as initiator')
  const wgShow = await lab.execOk(n2.ns, ['wg', 'show', dev, 'latest-handshakes'])
  t.match(wgShow, new RegExp(`${status.publicKey.replace(/[+/]/g, (c) => '\\' + c)}\\s+[1-9]\\d*`),
    'wireguard-go saw the handshake')
  const peers = JSON.parse((await overlay.loom(n1, ['status', 'peers', '--json'])).stdout) as Array<Record<string,
  unknown>>
  t.equal(peers[0].handshake, 'established')
  t.equal(peers[0].publicKey, wgPub)
  t.ok((peers[0].packetsIn as number) > 0 && (peers[0].packetsOut as number) > 0)
  const text = await overlay.loom(n1, ['status', 'peers'])
  t.match(text.stdout, /established \(handshake/, 'the peers table shows the handshake')

  // Part 2: a fresh WireGuard device (no session state) initiates.
  await lab.stop(wgProc!)
  await waitFor('the old device to go', async () => (await lab.exec(n2.ns, ['ip', 'link', 'show', dev])).code !== 0,
    10_000)
  const responded = await metric('loom_crypto_handshakes_total{result="responded"}')
  await startWireGuard()
  await traffic('WireGuard initiates', n2)
  t.ok(await metric('loom_crypto_handshakes_total{result="responded"}') > responded,
    'Loom answered the fresh device as responder')
  t.equal(await metric('loom_dataplane_drops_total{direction="in",reason="auth"}') || 0, 0,
    'no authentication failures')
})
