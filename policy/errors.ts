/**
 * Failures of the policy room. Callers branch on `code`, never on the message text.
 */

/**
 * A manifest (file or API object) that the API server would refuse. The message names the object
 * and the field: "x/deny-all: spec.ingress[0].ports[1].endPort = 70: must be >= port (80)".
 */
export class ManifestError extends Error {
  override readonly name = 'ManifestError'
  readonly code = 'ERR_POLICY_MANIFEST'
  constructor (readonly object: string, readonly field: string, readonly detail: string) {
    super(`${object}: ${field}${field === '' ? '' : ': '}${detail}`)
  }
}

/** `nft` refused a transaction or could not be run. */
export class NftError extends Error {
  override readonly name = 'NftError'
  readonly code = 'ERR_POLICY_NFT'
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor -- makes `message` required
  constructor (message: string, options?: { cause?: unknown }) { super(message, options) }
}

/** The Kubernetes API answered with an error status (or not at all). */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError'
  readonly code = 'ERR_POLICY_KUBE_API'
  constructor (readonly status: number, message: string, options?: { cause?: unknown }) { super(message, options) }
}

/** The policy source configuration cannot work (missing kubeconfig, unreadable dir). */
export class PolicySourceConfigError extends Error {
  override readonly name = 'PolicySourceConfigError'
  readonly code = 'ERR_POLICY_SOURCE_CONFIG'
  constructor (readonly field: string, message: string, options?: { cause?: unknown }) { super(message, options) }
}
