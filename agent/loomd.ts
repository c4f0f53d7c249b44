#!/usr/bin/env node
/**
 * `loomd`, the per-node daemon. Parses the config once, starts the Agent, and stops it on
 * SIGTERM/SIGINT.
 *
 * Failure handling (CONTRIBUTING.md §5): an invalid config or a failed start prints one clear line on
 * stderr (and a structured log line) and exits non-zero, so systemd's Restart=on-failure and the
 * operator both see it; `--help` prints the usage and exits 0.
 */
import { hostname } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { Agent } from './agent'
import { isResetIpamRequested, loadConfig } from './config'
import { ConfigError, ConfigFileError, ConfigFileUnusableError, HelpRequestedError } from './errors'
import { createLogger } from './logger'
import { SdNotify } from '../host'

/**
 * V8 compiles a function to optimized code once it has run about this many bytes of bytecode
 * a few times over (V8's default is 132 KB). The packet loop of an idle node runs a few thousand
 * bytes per wake-up, so at a packet every 10 ms it stayed in unoptimized (baseline) code for
 * minutes, each wake-up paying inline-cache stubs and their memory traffic: measured 10-15 %
 * lower idle ping RTT with 16 KB (bench/README.md, "Idle latency"). Only the start-up compiles
 * a little more. A value the operator passes to node (`--interrupt-budget`) is kept.
 */
const V8_INTERRUPT_BUDGET = '--interrupt-budget=16384'

/** Exit codes: 1 start failed, 2 invalid configuration. */
const EXIT_START_FAILED = 1
const EXIT_BAD_CONFIG = 2

async function main (): Promise<void> {
  if (!process.execArgv.some((arg) => arg.startsWith('--interrupt-budget'))) setFlagsFromString(V8_INTERRUPT_BUDGET)
  let config
  try {
    config = loadConfig(process.argv.slice(2), process.env, {
      hostname: hostname(),
      onWarning: (message) => process.stderr.write(`loomd: warning: ${message}\n`),
    })
  } catch (err) {
    if (err instanceof HelpRequestedError) {
      process.stdout.write(`${err.message}\n`)
      return
    }
    if (err instanceof ConfigError || err instanceof ConfigFileError) {
      process.stderr.write(`loomd: ${err.message}\n`)
      process.exit(EXIT_BAD_CONFIG)
    }
    throw err
  }

  const logger = createLogger({ level: config.logLevel }).child({ nodeName: config.nodeName })
  const agent = new Agent({ logger }, config, { resetIpam: isResetIpamRequested(process.argv.slice(2)) })
  const systemd = new SdNotify({ onError: (err, message) => logger.warn({ err, message }, 'sd_notify failed') })
  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'stopping')
    systemd.stopping()
    agent.stop().then(() => process.exit(0), () => process.exit(EXIT_START_FAILED))
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))

  try {
    await agent.start()
    systemd.ready(`serving: data plane ${config.encapsulation} on ${config.tunName}, API ${config.apiSocket}`)
  } catch (err) {
    const message = (err as Error).message
    logger.fatal({ err }, 'start failed')
    await agent.stop().catch(() => undefined)
    // A config that only the node's state can refute (a clusterCIDR over an existing route) is
    // still a config error: exit 2, which systemd does not restart.
    if (err instanceof ConfigError) {
      process.stderr.write(`loomd: ${message}\n`)
      process.exit(EXIT_BAD_CONFIG)
    }
    if (err instanceof ConfigFileUnusableError) {
      process.stderr.write(`loomd: invalid config: ${err.subject}: ${message}\n`)
      process.exit(EXIT_BAD_CONFIG)
    }
    process.stderr.write(`loomd: start failed: ${message}\n`)
    process.exit(EXIT_START_FAILED)
  }
}

main().catch((err: Error) => {
  process.stderr.write(`loomd: ${err.stack ?? err.message}\n`)
  process.exit(EXIT_START_FAILED)
})
