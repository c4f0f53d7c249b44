/**
 * Metrics of the encrypted `udp` encapsulation (WireGuard protocol), read at scrape time from
 * its plain counters (dataplane/crypto/secure-encapsulation.ts `stats` and status methods), as
 * dataplane-metrics.ts does: nothing here runs per packet. Drops by reason (auth, replay,
 * unknown_session) are in loom_dataplane_drops_total.
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import { HANDSHAKE_RESULTS } from '../dataplane/crypto/secure-encapsulation'
import type { CryptoStats, PeerCryptoStatus } from '../dataplane/crypto/secure-encapsulation'

export interface CryptoMetricsSource {
  readonly stats: CryptoStats
  sessionCount(): number
  rekeyCount(): number
  peerStatus(): PeerCryptoStatus[]
}

export function registerCryptoMetrics (register: Registry, source: CryptoMetricsSource): void {
  const registers = [register]
  new Counter({
    name: 'loom_crypto_handshakes_total',
    help: 'WireGuard handshake messages received by result (completed = our initiation answered, responded = an initiation answered; the rest refused), and timeout = our handshakes given up.',
    labelNames: ['result'] as const,
    registers,
    collect () {
      this.reset()
      for (const r of HANDSHAKE_RESULTS) this.inc({ result: r }, source.stats.handshakes[r])
    },
  })
  new Counter({
    name: 'loom_crypto_handshake_initiations_sent_total',
    help: 'Handshake initiations sent (first attempts and retries).',
    registers,
    collect () { this.reset(); this.inc(source.stats.initiationsSent) },
  })
  new Gauge({
    name: 'loom_crypto_sessions',
    help: 'Peers with a usable session (a key to send with).',
    registers,
    collect () { this.set(source.sessionCount()) },
  })
  new Counter({
    name: 'loom_crypto_rekeys_total',
    help: 'Handshakes that replaced an earlier session with a peer.',
    registers,
    collect () { this.reset(); this.inc(source.rekeyCount()) },
  })
  new Counter({
    name: 'loom_crypto_cookie_replies_total',
    help: 'Cookie replies (DoS defence under handshake load), sent and received.',
    labelNames: ['direction'] as const,
    registers,
    collect () {
      this.reset()
      this.inc({ direction: 'sent' }, source.stats.cookieRepliesSent)
      this.inc({ direction: 'received' }, source.stats.cookieRepliesReceived)
    },
  })
  new Counter({
    name: 'loom_crypto_keepalives_sent_total',
    help: 'Empty authenticated packets sent (passive keepalive, key confirmation).',
    registers,
    collect () { this.reset(); this.inc(source.stats.keepalivesSent) },
  })
  new Counter({
    name: 'loom_crypto_staged_dropped_total',
    help: 'Packets dropped from the queue held while a handshake was pending (queue full, or the handshake gave up).',
    registers,
    collect () { this.reset(); this.inc(source.stats.stagedDropped) },
  })
  new Gauge({
    name: 'loom_peer_key_age_seconds',
    help: 'Age of the key used to send to each peer (absent when there is none).',
    labelNames: ['peer'] as const,
    registers,
    collect () {
      this.reset()
      for (const p of source.peerStatus()) {
        if (p.currentKeyAgeSeconds !== null) {
          this.set({ peer: p.nodeName },
            p.currentKeyAgeSeconds)
        }
      }
    },
  })
}
