/**
 * Names shared by the files of cni/: a CNI attachment, as the runtime names it (container ID and
 * interface; netconf.ts parses it, commands.ts, agent-client.ts and agent-addresses.ts pass it
 * on). Types only.
 */

export interface Attachment { containerID: string, ifname: string }
