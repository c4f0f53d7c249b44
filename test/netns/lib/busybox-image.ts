/**
 * A tiny container image built here, for the runtime tests (no registry exists on this machine).
 *
 * The rootfs is Debian's statically linked busybox (package busybox-static, /bin/busybox) plus
 * one symlink per applet the tests use, a root entry in /etc/passwd and the empty mount points
 * runtimes expect. It is packed as an OCI image layout archive (oci-layout, index.json,
 * blobs/sha256/{manifest, config, layer}) that both `ctr images import` and `podman load` read:
 *
 *   index.json ─→ manifest (platform linux/amd64) ─→ config (diff_ids) + layer (plain tar)
 *
 * The layer is uncompressed (its digest is its diff_id), written by `tar` with numeric owner 0
 * and a fixed mtime, so the same busybox gives the same digests.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { run } from './netns-lab'

export const BUSYBOX_STATIC = '/bin/busybox'

/** Applets linked into /bin (busybox resolves the applet from argv[0]). */
export const BUSYBOX_APPLETS = [
  'sh', 'ash', 'ping', 'wget', 'nc', 'ip', 'sleep', 'cat', 'ls', 'echo', 'ifconfig', 'hostname',
  'grep', 'ps', 'kill', 'true', 'false', 'mkdir', 'rm', 'env', 'id', 'route', 'httpd', 'timeout',
] as const

export interface BusyboxImage {
  /** The OCI archive (tar) to import. */
  archive: string
  /** The reference written into index.json, e.g. `localhost/loom-busybox:latest`. */
  ref: string
  /** sha256:... of the manifest (what `ctr images ls` shows as the digest). */
  manifestDigest: string
  /** sha256:... of the config (the image ID podman reports, without the prefix). */
  configDigest: string
}

function sha256 (b: Buffer): string {
  return 'sha256:' + createHash('sha256').update(b).digest('hex')
}

/**
 * Builds the image under `workDir` (a fresh directory is fine) and returns the archive path.
 * Throws when /bin/busybox is not a static busybox or `tar` fails.
 */
export async function buildBusyboxImage (workDir: string,
  ref = 'localhost/loom-busybox:latest'): Promise<BusyboxImage> {
  if (!existsSync(BUSYBOX_STATIC)) throw new Error(`${BUSYBOX_STATIC} not found (Debian package busybox-static)`)
  const rootfs = join(workDir, 'rootfs')
  for (const d of ['bin', 'sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'run', 'root', 'var']) {
    mkdirSync(join(rootfs, d),
      { recursive: true })
  }
  copyFileSync(BUSYBOX_STATIC, join(rootfs, 'bin', 'busybox'))
  chmodSync(join(rootfs, 'bin', 'busybox'), 0o755)
  for (const applet of BUSYBOX_APPLETS) symlinkSync('busybox', join(rootfs, 'bin', applet))
  writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n')
  writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\n')
  chmodSync(join(rootfs, 'tmp'), 0o1777)

  const layerPath = join(workDir, 'layer.tar')
  const tar = await run('tar',
    ['-C', rootfs, '--numeric-owner', '--owner=0', '--group=0', '--mtime=@0', '--sort=name', '-cf', layerPath, '.'])
  if (tar.code !== 0) throw new Error(`tar of the busybox rootfs failed: ${tar.stderr}`)
  const layer = readFileSync(layerPath)
  const layerDigest = sha256(layer)

  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: '1970-01-01T00:00:00Z',
    config: { Env: ['PATH=/bin:/sbin'], Cmd: ['/bin/sh'], WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: [layerDigest] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: 'loom test/netns/lib/busybox-image.ts' }],
  }))
  const configDigest = sha256(config)
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
  }))
  const manifestDigest = sha256(manifest)
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: manifestDigest,
      size: manifest.length,
      platform: { architecture: 'amd64', os: 'linux' },
      annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': ref },
    }],
  }

  const layout = join(workDir, 'layout')
  const blobs = join(layout, 'blobs', 'sha256')
  mkdirSync(blobs, { recursive: true })
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  writeFileSync(join(layout, 'index.json'), JSON.stringify(index))
  writeFileSync(join(blobs, manifestDigest.slice(7)), manifest)
  writeFileSync(join(blobs, configDigest.slice(7)), config)
  copyFileSync(layerPath, join(blobs, layerDigest.slice(7)))
  const archive = join(workDir, 'loom-busybox.oci.tar')
  const pack = await run('tar',
    ['-C', layout, '--numeric-owner', '--owner=0', '--group=0', '-cf', archive, 'oci-layout', 'index.json', 'blobs'])
  if (pack.code !== 0) throw new Error(`tar of the OCI layout failed: ${pack.stderr}`)
  return { archive, ref, manifestDigest, configDigest }
}
