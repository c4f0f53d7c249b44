/**
 * How to reach the Kubernetes API: a kubeconfig file (policy.kubeconfig: its current context's
 * cluster and user) or, without one, the in-cluster service account (KUBERNETES_SERVICE_HOST/
 * PORT and /var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt}). Supported user
 * credentials: bearer token (inline or tokenFile, re-read on every request because bound
 * service-account tokens rotate) and client certificates (inline data or files). Exec and
 * auth-provider plugins are not supported (an error names them).
 */
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import { parse } from 'yaml'
import { PolicySourceConfigError } from './errors'
import type { KubeAccess } from './types'

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

type Obj = Record<string, unknown>

export function loadKubeAccess (kubeconfig: string, env: NodeJS.ProcessEnv = process.env): KubeAccess {
  if (kubeconfig === '') return inCluster(env)
  let doc: Obj
  try {
    doc = parse(readFileSync(kubeconfig, 'utf8')) as Obj
  } catch (err) {
    throw new PolicySourceConfigError('policy.kubeconfig',
      `cannot read kubeconfig ${kubeconfig}: ${(err as Error).message}`, { cause: err })
  }
  const fail = (what: string): never => {
    throw new PolicySourceConfigError('policy.kubeconfig', `kubeconfig ${kubeconfig}: ${what}`)
  }
  const base = dirname(kubeconfig)
  const named = (list: unknown, name: unknown, kind: string): Obj => {
    const found = Array.isArray(list) ? list.find((e) => (e as Obj)?.name === name) as Obj | undefined : undefined
    const inner = found?.[kind] as Obj | undefined
    return inner ?? fail(`no ${kind} named ${JSON.stringify(name)}`)
  }
  const contextName = doc['current-context']
  const context = named(doc.contexts, contextName, 'context')
  const cluster = named(doc.clusters, context.cluster, 'cluster')
  const user = context.user === undefined ? {} : named(doc.users, context.user, 'user')
  if (user.exec !== undefined ||
    user['auth-provider'] !== undefined) fail('exec and auth-provider credentials are not supported; use a token or a client certificate')
  const server = cluster.server
  if (typeof server !== 'string' || !/^https?:\/\//.test(server)) fail('the cluster has no https:// server')
  const file = (p: unknown): Buffer | undefined => {
    if (typeof p !== 'string' || p === '') return undefined
    try {
      return readFileSync(isAbsolute(p) ? p : join(base, p))
    } catch (err) {
      return fail(`cannot read ${p}: ${(err as Error).message}`)
    }
  }
  const data = (d: unknown): Buffer | undefined => typeof d === 'string' &&
  d !== ''
    ? Buffer.from(d, 'base64')
    : undefined
  const tokenFile = typeof user.tokenFile === 'string'
    ? (isAbsolute(user.tokenFile)
        ? user.tokenFile
        : join(base,
          user.tokenFile))
    : undefined
  const token = typeof user.token === 'string' ? user.token : undefined
  const ca = data(cluster['certificate-authority-data']) ?? file(cluster['certificate-authority'])
  const cert = data(user['client-certificate-data']) ?? file(user['client-certificate'])
  const key = data(user['client-key-data']) ?? file(user['client-key'])
  return {
    server: (server as string).replace(/\/+$/, ''),
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    token: () => token ?? (tokenFile !== undefined ? readToken(tokenFile) : undefined),
  }
}

function inCluster (env: NodeJS.ProcessEnv): KubeAccess {
  const host = env.KUBERNETES_SERVICE_HOST
  const port = env.KUBERNETES_SERVICE_PORT
  if (host === undefined || port === undefined) {
    throw new PolicySourceConfigError('policy.kubeconfig',
      'policy.source is kubernetes but policy.kubeconfig is not set and KUBERNETES_SERVICE_HOST/PORT are absent (not running in a pod)')
  }
  let ca: Buffer
  try {
    ca = readFileSync(`${SA_DIR}/ca.crt`)
  } catch (err) {
    throw new PolicySourceConfigError('policy.kubeconfig',
      `in-cluster: cannot read ${SA_DIR}/ca.crt: ${(err as Error).message}`, { cause: err })
  }
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca,
    insecureSkipTLSVerify: false,
    token: () => readToken(`${SA_DIR}/token`),
  }
}

function readToken (path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return undefined
  }
}
