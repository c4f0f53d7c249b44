/**
 * WireGuard's wire constants and timers (wireguard-go device/constants.go and
 * device/noise-protocol.go; secure-transport.md §3). Times in milliseconds.
 */
export const CONSTRUCTION = 'Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s'
export const IDENTIFIER = 'WireGuard v1 zx2c4 Jason@zx2c4.com'
export const LABEL_MAC1 = 'mac1----'
export const LABEL_COOKIE = 'cookie--'

export const MSG_INITIATION = 1
export const MSG_RESPONSE = 2
export const MSG_COOKIE_REPLY = 3
export const MSG_TRANSPORT = 4

export const INITIATION_LEN = 148
export const RESPONSE_LEN = 92
export const COOKIE_REPLY_LEN = 64
/** type(1) reserved(3) receiver(4) counter(8). */
export const TRANSPORT_HEADER_LEN = 16
export const AEAD_TAG_LEN = 16
/** Header + tag of an empty payload: a keepalive. */
export const KEEPALIVE_LEN = TRANSPORT_HEADER_LEN + AEAD_TAG_LEN
export const MAC_LEN = 16
export const COOKIE_LEN = 16
export const COOKIE_NONCE_LEN = 24

export const REKEY_AFTER_TIME = 120_000
export const REJECT_AFTER_TIME = 180_000
export const REKEY_ATTEMPT_TIME = 90_000
export const REKEY_TIMEOUT = 5_000
/** Upper bound of the random delay added to each handshake retry. */
export const REKEY_TIMEOUT_JITTER = 334
export const KEEPALIVE_TIMEOUT = 10_000
export const COOKIE_REFRESH_TIME = 120_000
/** Minimum spacing of accepted initiations per peer (50 per second). */
export const HANDSHAKE_INITIATION_RATE = 20
/** RekeyAfterMessages is 2^60 in WireGuard; Loom's counters stop at 2^53 (see replay-window.ts). */
export const REKEY_AFTER_MESSAGES = 2 ** 52
/** Retries of one handshake before giving up: RekeyAttemptTime / RekeyTimeout. */
export const MAX_HANDSHAKE_ATTEMPTS = REKEY_ATTEMPT_TIME / REKEY_TIMEOUT
/** Packets held per peer while its handshake is pending (wireguard-go's staged queue is 128). */
export const STAGED_QUEUE_LEN = 128
