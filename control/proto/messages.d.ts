import * as $protobuf from "protobufjs";
import Long = require("long");
/** Namespace loom. */
export namespace loom {

    /** Namespace gossip. */
    namespace gossip {

        /** MemberState enum. */
        enum MemberState {
            MEMBER_STATE_UNSPECIFIED = 0,
            MEMBER_STATE_ALIVE = 1,
            MEMBER_STATE_SUSPECT = 2,
            MEMBER_STATE_DEAD = 3,
            MEMBER_STATE_LEFT = 4
        }

        /** Encapsulation enum. */
        enum Encapsulation {
            ENCAPSULATION_UNSPECIFIED = 0,
            ENCAPSULATION_UDP = 1,
            ENCAPSULATION_VXLAN = 2
        }

        /** Properties of a MemberRecord. */
        interface IMemberRecord {

            /** MemberRecord nodeName */
            nodeName?: (string|null);

            /** MemberRecord nodeId */
            nodeId?: (Uint8Array|null);

            /** MemberRecord address */
            address?: (string|null);

            /** MemberRecord dataPort */
            dataPort?: (number|null);

            /** MemberRecord gossipPort */
            gossipPort?: (number|null);

            /** MemberRecord encapsulation */
            encapsulation?: (loom.gossip.Encapsulation|null);

            /** MemberRecord vtepMac */
            vtepMac?: (Uint8Array|null);

            /** MemberRecord publicKey */
            publicKey?: (Uint8Array|null);

            /** MemberRecord incarnation */
            incarnation?: (number|null);

            /** MemberRecord state */
            state?: (loom.gossip.MemberState|null);

            /** MemberRecord signingKey */
            signingKey?: (Uint8Array|null);

            /** MemberRecord signature */
            signature?: (Uint8Array|null);
        }

        /** Represents a MemberRecord. */
        class MemberRecord implements IMemberRecord {

            /**
             * Constructs a new MemberRecord.
             * @param [p] Properties to set
             */
            constructor(p?: loom.gossip.IMemberRecord);

            /** MemberRecord nodeName. */
            public nodeName: string;

            /** MemberRecord nodeId. */
            public nodeId: Uint8Array;

            /** MemberRecord address. */
            public address: string;

            /** MemberRecord dataPort. */
            public dataPort: number;

            /** MemberRecord gossipPort. */
            public gossipPort: number;

            /** MemberRecord encapsulation. */
            public encapsulation: loom.gossip.Encapsulation;

            /** MemberRecord vtepMac. */
            public vtepMac: Uint8Array;

            /** MemberRecord publicKey. */
            public publicKey: Uint8Array;

            /** MemberRecord incarnation. */
            public incarnation: number;

            /** MemberRecord state. */
            public state: loom.gossip.MemberState;

            /** MemberRecord signingKey. */
            public signingKey: Uint8Array;

            /** MemberRecord signature. */
            public signature: Uint8Array;

            /**
             * Creates a new MemberRecord instance using the specified properties.
             * @param [properties] Properties to set
             * @returns MemberRecord instance
             */
            public static create(properties?: loom.gossip.IMemberRecord): loom.gossip.MemberRecord;

            /**
             * Encodes the specified MemberRecord message. Does not implicitly {@link loom.gossip.MemberRecord.verify|verify} messages.
             * @param m MemberRecord message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.gossip.IMemberRecord, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified MemberRecord message, length delimited. Does not implicitly {@link loom.gossip.MemberRecord.verify|verify} messages.
             * @param message MemberRecord message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.gossip.IMemberRecord, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a MemberRecord message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns MemberRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.gossip.MemberRecord;

            /**
             * Decodes a MemberRecord message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns MemberRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.gossip.MemberRecord;

            /**
             * Verifies a MemberRecord message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a MemberRecord message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns MemberRecord
             */
            public static fromObject(d: { [k: string]: any }): loom.gossip.MemberRecord;

            /**
             * Creates a plain object from a MemberRecord message. Also converts values to other types if specified.
             * @param m MemberRecord
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.gossip.MemberRecord, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this MemberRecord to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for MemberRecord
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a MemberUpdate. */
        interface IMemberUpdate {

            /** MemberUpdate member */
            member?: (loom.gossip.IMemberRecord|null);

            /** MemberUpdate fromId */
            fromId?: (Uint8Array|null);
        }

        /** Represents a MemberUpdate. */
        class MemberUpdate implements IMemberUpdate {

            /**
             * Constructs a new MemberUpdate.
             * @param [p] Properties to set
             */
            constructor(p?: loom.gossip.IMemberUpdate);

            /** MemberUpdate member. */
            public member?: (loom.gossip.IMemberRecord|null);

            /** MemberUpdate fromId. */
            public fromId: Uint8Array;

            /**
             * Creates a new MemberUpdate instance using the specified properties.
             * @param [properties] Properties to set
             * @returns MemberUpdate instance
             */
            public static create(properties?: loom.gossip.IMemberUpdate): loom.gossip.MemberUpdate;

            /**
             * Encodes the specified MemberUpdate message. Does not implicitly {@link loom.gossip.MemberUpdate.verify|verify} messages.
             * @param m MemberUpdate message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.gossip.IMemberUpdate, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified MemberUpdate message, length delimited. Does not implicitly {@link loom.gossip.MemberUpdate.verify|verify} messages.
             * @param message MemberUpdate message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.gossip.IMemberUpdate, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a MemberUpdate message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns MemberUpdate
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.gossip.MemberUpdate;

            /**
             * Decodes a MemberUpdate message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns MemberUpdate
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.gossip.MemberUpdate;

            /**
             * Verifies a MemberUpdate message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a MemberUpdate message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns MemberUpdate
             */
            public static fromObject(d: { [k: string]: any }): loom.gossip.MemberUpdate;

            /**
             * Creates a plain object from a MemberUpdate message. Also converts values to other types if specified.
             * @param m MemberUpdate
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.gossip.MemberUpdate, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this MemberUpdate to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for MemberUpdate
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a Ping. */
        interface IPing {

            /** Ping seqNo */
            seqNo?: (number|null);

            /** Ping targetId */
            targetId?: (Uint8Array|null);
        }

        /** Represents a Ping. */
        class Ping implements IPing {

            /**
             * Constructs a new Ping.
             * @param [p] Properties to set
             */
            constructor(p?: loom.gossip.IPing);

            /** Ping seqNo. */
            public seqNo: number;

            /** Ping targetId. */
            public targetId: Uint8Array;

            /**
             * Creates a new Ping instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Ping instance
             */
            public static create(properties?: loom.gossip.IPing): loom.gossip.Ping;

            /**
             * Encodes the specified Ping message. Does not implicitly {@link loom.gossip.Ping.verify|verify} messages.
             * @param m Ping message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.gossip.IPing, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Ping message, length delimited. Does not implicitly {@link loom.gossip.Ping.verify|verify} messages.
             * @param message Ping message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.gossip.IPing, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Ping message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Ping
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.gossip.Ping;

            /**
             * Decodes a Ping message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Ping
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.gossip.Ping;

            /**
             * Verifies a Ping message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a Ping message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Ping
             */
            public static fromObject(d: { [k: string]: any }): loom.gossip.Ping;

            /**
             * Creates a plain object from a Ping message. Also converts values to other types if specified.
             * @param m Ping
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.gossip.Ping, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Ping to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Ping
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of an Ack. */
        interface IAck {

            /** Ack seqNo */
            seqNo?: (number|null);

            /** Ack nack */
            nack?: (boolean|null);
        }

        /** Represents an Ack. */
        class Ack implements IAck {

            /**
             * Constructs a new Ack.
             * @param [p] Properties to set
             */
            constructor(p?: loom.gossip.IAck);

            /** Ack seqNo. */
            public seqNo: number;

            /** Ack nack. */
            public nack: boolean;

            /**
             * Creates a new Ack instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Ack instance
             */
            public static create(properties?: loom.gossip.IAck): loom.gossip.Ack;

            /**
             * Encodes the specified Ack message. Does not implicitly {@link loom.gossip.Ack.verify|verify} messages.
             * @param m Ack message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.gossip.IAck, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Ack message, length delimited. Does not implicitly {@link loom.gossip.Ack.verify|verify} messages.
             * @param message Ack message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.gossip.IAck, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Ack message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Ack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.gossip.Ack;

            /**
             * Decodes an Ack message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Ack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.gossip.Ack;

            /**
             * Verifies an Ack message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates an Ack message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Ack
             */
            public static fromObject(d: { [k: string]: any }): loom.gossip.Ack;

            /**
             * Creates a plain object from an Ack message. Also converts values to other types if specified.
             * @param m Ack
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.gossip.Ack, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Ack to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Ack
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a PingReq. */
        interface IPingReq {

            /** PingReq seqNo */
            seqNo?: (number|null);

            /** PingReq targetId */
            targetId?: (Uint8Array|null);

            /** PingReq targetAddress */
            targetAddress?: (string|null);

            /** PingReq targetPort */
            targetPort?: (number|null);
        }

        /** Represents a PingReq. */
        class PingReq implements IPingReq {

            /**
             * Constructs a new PingReq.
             * @param [p] Properties to set
             */
            constructor(p?: loom.gossip.IPingReq);

            /** PingReq seqNo. */
            public seqNo: number;

            /** PingReq targetId. */
            public targetId: Uint8Array;

            /** PingReq targetAddress. */
            public targetAddress: string;

            /** PingReq targetPort. */
            public targetPort: number;

            /**
             * Creates a new PingReq instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PingReq instance
             */
            public static create(properties?: loom.gossip.IPingReq): loom.gossip.PingReq;

            /**
             * Encodes the specified PingReq message. Does not implicitly {@link loom.gossip.PingReq.verify|verify} messages.
             * @param m PingReq message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.gossip.IPingReq, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified PingReq message, length delimited. Does not implicitly {@link loom.gossip.PingReq.verify|verify} messages.
             * @param message PingReq message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.gossip.IPingReq, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PingReq message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns PingReq
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.gossip.PingReq;

            /**
             * Decodes a PingReq message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns PingReq
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.gossip.PingReq;

            /**
             * Verifies a PingReq message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a PingReq message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns PingReq
             */
            public static fromObject(d: { [k: string]: any }): loom.gossip.PingReq;

            /**
             * Creates a plain object from a PingReq message. Also converts values to other types if specified.
             * @param m PingReq
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.gossip.PingReq, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this PingReq to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for PingReq
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a PushPull. */
        interface IPushPull {

            /** PushPull join */
            join?: (boolean|null);

            /** PushPull reply */
            reply?: (boolean|null);

            /** PushPull members */
            members?: (loom.gossip.IMemberRecord[]|null);

            /** PushPull appState */
            appState?: (Uint8Array|null);
        }

        /** Represents a PushPull. */
        class PushPull implements IPushPull {

            /**
             * Constructs a new PushPull.
             * @param [p] Properties to set
             */
            constructor(p?: loom.gossip.IPushPull);

            /** PushPull join. */
            public join: boolean;

            /** PushPull reply. */
            public reply: boolean;

            /** PushPull members. */
            public members: loom.gossip.IMemberRecord[];

            /** PushPull appState. */
            public appState: Uint8Array;

            /**
             * Creates a new PushPull instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PushPull instance
             */
            public static create(properties?: loom.gossip.IPushPull): loom.gossip.PushPull;

            /**
             * Encodes the specified PushPull message. Does not implicitly {@link loom.gossip.PushPull.verify|verify} messages.
             * @param m PushPull message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.gossip.IPushPull, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified PushPull message, length delimited. Does not implicitly {@link loom.gossip.PushPull.verify|verify} messages.
             * @param message PushPull message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.gossip.IPushPull, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PushPull message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns PushPull
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.gossip.PushPull;

            /**
             * Decodes a PushPull message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns PushPull
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.gossip.PushPull;

            /**
             * Verifies a PushPull message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a PushPull message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns PushPull
             */
            public static fromObject(d: { [k: string]: any }): loom.gossip.PushPull;

            /**
             * Creates a plain object from a PushPull message. Also converts values to other types if specified.
             * @param m PushPull
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.gossip.PushPull, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this PushPull to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for PushPull
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a GossipPacket. */
        interface IGossipPacket {

            /** GossipPacket version */
            version?: (number|null);

            /** GossipPacket clusterId */
            clusterId?: (string|null);

            /** GossipPacket senderId */
            senderId?: (Uint8Array|null);

            /** GossipPacket ping */
            ping?: (loom.gossip.IPing|null);

            /** GossipPacket ack */
            ack?: (loom.gossip.IAck|null);

            /** GossipPacket pingReq */
            pingReq?: (loom.gossip.IPingReq|null);

            /** GossipPacket pushPull */
            pushPull?: (loom.gossip.IPushPull|null);

            /** GossipPacket updates */
            updates?: (loom.gossip.IMemberUpdate[]|null);

            /** GossipPacket appDeltas */
            appDeltas?: (Uint8Array[]|null);
        }

        /** Represents a GossipPacket. */
        class GossipPacket implements IGossipPacket {

            /**
             * Constructs a new GossipPacket.
             * @param [p] Properties to set
             */
            constructor(p?: loom.gossip.IGossipPacket);

            /** GossipPacket version. */
            public version: number;

            /** GossipPacket clusterId. */
            public clusterId: string;

            /** GossipPacket senderId. */
            public senderId: Uint8Array;

            /** GossipPacket ping. */
            public ping?: (loom.gossip.IPing|null);

            /** GossipPacket ack. */
            public ack?: (loom.gossip.IAck|null);

            /** GossipPacket pingReq. */
            public pingReq?: (loom.gossip.IPingReq|null);

            /** GossipPacket pushPull. */
            public pushPull?: (loom.gossip.IPushPull|null);

            /** GossipPacket updates. */
            public updates: loom.gossip.IMemberUpdate[];

            /** GossipPacket appDeltas. */
            public appDeltas: Uint8Array[];

            /** GossipPacket body. */
            public body?: ("ping"|"ack"|"pingReq"|"pushPull");

            /**
             * Creates a new GossipPacket instance using the specified properties.
             * @param [properties] Properties to set
             * @returns GossipPacket instance
             */
            public static create(properties?: loom.gossip.IGossipPacket): loom.gossip.GossipPacket;

            /**
             * Encodes the specified GossipPacket message. Does not implicitly {@link loom.gossip.GossipPacket.verify|verify} messages.
             * @param m GossipPacket message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.gossip.IGossipPacket, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified GossipPacket message, length delimited. Does not implicitly {@link loom.gossip.GossipPacket.verify|verify} messages.
             * @param message GossipPacket message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.gossip.IGossipPacket, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a GossipPacket message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns GossipPacket
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.gossip.GossipPacket;

            /**
             * Decodes a GossipPacket message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns GossipPacket
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.gossip.GossipPacket;

            /**
             * Verifies a GossipPacket message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a GossipPacket message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns GossipPacket
             */
            public static fromObject(d: { [k: string]: any }): loom.gossip.GossipPacket;

            /**
             * Creates a plain object from a GossipPacket message. Also converts values to other types if specified.
             * @param m GossipPacket
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.gossip.GossipPacket, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this GossipPacket to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for GossipPacket
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }

    /** Namespace ipam. */
    namespace ipam {

        /** Properties of a Ballot. */
        interface IBallot {

            /** Ballot round */
            round?: (number|null);

            /** Ballot node */
            node?: (string|null);
        }

        /** Represents a Ballot. */
        class Ballot implements IBallot {

            /**
             * Constructs a new Ballot.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IBallot);

            /** Ballot round. */
            public round: number;

            /** Ballot node. */
            public node: string;

            /**
             * Creates a new Ballot instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Ballot instance
             */
            public static create(properties?: loom.ipam.IBallot): loom.ipam.Ballot;

            /**
             * Encodes the specified Ballot message. Does not implicitly {@link loom.ipam.Ballot.verify|verify} messages.
             * @param m Ballot message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IBallot, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Ballot message, length delimited. Does not implicitly {@link loom.ipam.Ballot.verify|verify} messages.
             * @param message Ballot message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IBallot, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Ballot message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Ballot
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.Ballot;

            /**
             * Decodes a Ballot message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Ballot
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.Ballot;

            /**
             * Verifies a Ballot message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a Ballot message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Ballot
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.Ballot;

            /**
             * Creates a plain object from a Ballot message. Also converts values to other types if specified.
             * @param m Ballot
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.Ballot, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Ballot to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Ballot
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of an Op. */
        interface IOp {

            /** Op kind */
            kind?: (loom.ipam.Op.Kind|null);

            /** Op node */
            node?: (string|null);

            /** Op block */
            block?: (number|null);

            /** Op forced */
            forced?: (boolean|null);

            /** Op anyBlock */
            anyBlock?: (boolean|null);
        }

        /** Represents an Op. */
        class Op implements IOp {

            /**
             * Constructs a new Op.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IOp);

            /** Op kind. */
            public kind: loom.ipam.Op.Kind;

            /** Op node. */
            public node: string;

            /** Op block. */
            public block: number;

            /** Op forced. */
            public forced: boolean;

            /** Op anyBlock. */
            public anyBlock: boolean;

            /**
             * Creates a new Op instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Op instance
             */
            public static create(properties?: loom.ipam.IOp): loom.ipam.Op;

            /**
             * Encodes the specified Op message. Does not implicitly {@link loom.ipam.Op.verify|verify} messages.
             * @param m Op message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IOp, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Op message, length delimited. Does not implicitly {@link loom.ipam.Op.verify|verify} messages.
             * @param message Op message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IOp, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Op message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Op
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.Op;

            /**
             * Decodes an Op message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Op
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.Op;

            /**
             * Verifies an Op message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates an Op message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Op
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.Op;

            /**
             * Creates a plain object from an Op message. Also converts values to other types if specified.
             * @param m Op
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.Op, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Op to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Op
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        namespace Op {

            /** Kind enum. */
            enum Kind {
                JOIN = 0,
                CLAIM = 1,
                RELEASE = 2,
                SUSPECT = 3,
                UNSUSPECT = 4,
                REMOVE = 5
            }
        }

        /** Properties of a BlockRecord. */
        interface IBlockRecord {

            /** BlockRecord block */
            block?: (number|null);

            /** BlockRecord owner */
            owner?: (string|null);

            /** BlockRecord epoch */
            epoch?: (number|null);

            /** BlockRecord state */
            state?: (loom.ipam.BlockRecord.State|null);
        }

        /** Represents a BlockRecord. */
        class BlockRecord implements IBlockRecord {

            /**
             * Constructs a new BlockRecord.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IBlockRecord);

            /** BlockRecord block. */
            public block: number;

            /** BlockRecord owner. */
            public owner: string;

            /** BlockRecord epoch. */
            public epoch: number;

            /** BlockRecord state. */
            public state: loom.ipam.BlockRecord.State;

            /**
             * Creates a new BlockRecord instance using the specified properties.
             * @param [properties] Properties to set
             * @returns BlockRecord instance
             */
            public static create(properties?: loom.ipam.IBlockRecord): loom.ipam.BlockRecord;

            /**
             * Encodes the specified BlockRecord message. Does not implicitly {@link loom.ipam.BlockRecord.verify|verify} messages.
             * @param m BlockRecord message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IBlockRecord, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified BlockRecord message, length delimited. Does not implicitly {@link loom.ipam.BlockRecord.verify|verify} messages.
             * @param message BlockRecord message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IBlockRecord, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a BlockRecord message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns BlockRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.BlockRecord;

            /**
             * Decodes a BlockRecord message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns BlockRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.BlockRecord;

            /**
             * Verifies a BlockRecord message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a BlockRecord message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns BlockRecord
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.BlockRecord;

            /**
             * Creates a plain object from a BlockRecord message. Also converts values to other types if specified.
             * @param m BlockRecord
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.BlockRecord, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this BlockRecord to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for BlockRecord
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        namespace BlockRecord {

            /** State enum. */
            enum State {
                FREE = 0,
                OWNED = 1
            }
        }

        /** Properties of a MemberRecord. */
        interface IMemberRecord {

            /** MemberRecord id */
            id?: (string|null);

            /** MemberRecord joinedSlot */
            joinedSlot?: (number|null);

            /** MemberRecord suspectSlot */
            suspectSlot?: (number|null);

            /** MemberRecord forced */
            forced?: (boolean|null);
        }

        /** Represents a MemberRecord. */
        class MemberRecord implements IMemberRecord {

            /**
             * Constructs a new MemberRecord.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IMemberRecord);

            /** MemberRecord id. */
            public id: string;

            /** MemberRecord joinedSlot. */
            public joinedSlot: number;

            /** MemberRecord suspectSlot. */
            public suspectSlot: number;

            /** MemberRecord forced. */
            public forced: boolean;

            /**
             * Creates a new MemberRecord instance using the specified properties.
             * @param [properties] Properties to set
             * @returns MemberRecord instance
             */
            public static create(properties?: loom.ipam.IMemberRecord): loom.ipam.MemberRecord;

            /**
             * Encodes the specified MemberRecord message. Does not implicitly {@link loom.ipam.MemberRecord.verify|verify} messages.
             * @param m MemberRecord message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IMemberRecord, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified MemberRecord message, length delimited. Does not implicitly {@link loom.ipam.MemberRecord.verify|verify} messages.
             * @param message MemberRecord message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IMemberRecord, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a MemberRecord message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns MemberRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.MemberRecord;

            /**
             * Decodes a MemberRecord message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns MemberRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.MemberRecord;

            /**
             * Verifies a MemberRecord message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a MemberRecord message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns MemberRecord
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.MemberRecord;

            /**
             * Creates a plain object from a MemberRecord message. Also converts values to other types if specified.
             * @param m MemberRecord
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.MemberRecord, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this MemberRecord to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for MemberRecord
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a ClusterState. */
        interface IClusterState {

            /** ClusterState clusterId */
            clusterId?: (string|null);

            /** ClusterState slot */
            slot?: (number|null);

            /** ClusterState configSlot */
            configSlot?: (number|null);

            /** ClusterState members */
            members?: (loom.ipam.IMemberRecord[]|null);

            /** ClusterState blocks */
            blocks?: (loom.ipam.IBlockRecord[]|null);

            /** ClusterState removed */
            removed?: (string[]|null);
        }

        /** Represents a ClusterState. */
        class ClusterState implements IClusterState {

            /**
             * Constructs a new ClusterState.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IClusterState);

            /** ClusterState clusterId. */
            public clusterId: string;

            /** ClusterState slot. */
            public slot: number;

            /** ClusterState configSlot. */
            public configSlot: number;

            /** ClusterState members. */
            public members: loom.ipam.IMemberRecord[];

            /** ClusterState blocks. */
            public blocks: loom.ipam.IBlockRecord[];

            /** ClusterState removed. */
            public removed: string[];

            /**
             * Creates a new ClusterState instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ClusterState instance
             */
            public static create(properties?: loom.ipam.IClusterState): loom.ipam.ClusterState;

            /**
             * Encodes the specified ClusterState message. Does not implicitly {@link loom.ipam.ClusterState.verify|verify} messages.
             * @param m ClusterState message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IClusterState, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified ClusterState message, length delimited. Does not implicitly {@link loom.ipam.ClusterState.verify|verify} messages.
             * @param message ClusterState message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IClusterState, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ClusterState message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns ClusterState
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.ClusterState;

            /**
             * Decodes a ClusterState message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns ClusterState
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.ClusterState;

            /**
             * Verifies a ClusterState message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a ClusterState message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns ClusterState
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.ClusterState;

            /**
             * Creates a plain object from a ClusterState message. Also converts values to other types if specified.
             * @param m ClusterState
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.ClusterState, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this ClusterState to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for ClusterState
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a Prepare. */
        interface IPrepare {

            /** Prepare slot */
            slot?: (number|null);

            /** Prepare ballot */
            ballot?: (loom.ipam.IBallot|null);
        }

        /** Represents a Prepare. */
        class Prepare implements IPrepare {

            /**
             * Constructs a new Prepare.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IPrepare);

            /** Prepare slot. */
            public slot: number;

            /** Prepare ballot. */
            public ballot?: (loom.ipam.IBallot|null);

            /**
             * Creates a new Prepare instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Prepare instance
             */
            public static create(properties?: loom.ipam.IPrepare): loom.ipam.Prepare;

            /**
             * Encodes the specified Prepare message. Does not implicitly {@link loom.ipam.Prepare.verify|verify} messages.
             * @param m Prepare message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IPrepare, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Prepare message, length delimited. Does not implicitly {@link loom.ipam.Prepare.verify|verify} messages.
             * @param message Prepare message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IPrepare, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Prepare message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Prepare
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.Prepare;

            /**
             * Decodes a Prepare message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Prepare
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.Prepare;

            /**
             * Verifies a Prepare message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a Prepare message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Prepare
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.Prepare;

            /**
             * Creates a plain object from a Prepare message. Also converts values to other types if specified.
             * @param m Prepare
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.Prepare, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Prepare to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Prepare
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a Promise. */
        interface IPromise {

            /** Promise slot */
            slot?: (number|null);

            /** Promise ballot */
            ballot?: (loom.ipam.IBallot|null);

            /** Promise ok */
            ok?: (boolean|null);

            /** Promise promised */
            promised?: (loom.ipam.IBallot|null);

            /** Promise hasAccepted */
            hasAccepted?: (boolean|null);

            /** Promise acceptedBallot */
            acceptedBallot?: (loom.ipam.IBallot|null);

            /** Promise acceptedOps */
            acceptedOps?: (loom.ipam.IOp[]|null);
        }

        /** Represents a Promise. */
        class Promise implements IPromise {

            /**
             * Constructs a new Promise.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IPromise);

            /** Promise slot. */
            public slot: number;

            /** Promise ballot. */
            public ballot?: (loom.ipam.IBallot|null);

            /** Promise ok. */
            public ok: boolean;

            /** Promise promised. */
            public promised?: (loom.ipam.IBallot|null);

            /** Promise hasAccepted. */
            public hasAccepted: boolean;

            /** Promise acceptedBallot. */
            public acceptedBallot?: (loom.ipam.IBallot|null);

            /** Promise acceptedOps. */
            public acceptedOps: loom.ipam.IOp[];

            /**
             * Creates a new Promise instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Promise instance
             */
            public static create(properties?: loom.ipam.IPromise): loom.ipam.Promise;

            /**
             * Encodes the specified Promise message. Does not implicitly {@link loom.ipam.Promise.verify|verify} messages.
             * @param m Promise message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IPromise, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Promise message, length delimited. Does not implicitly {@link loom.ipam.Promise.verify|verify} messages.
             * @param message Promise message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IPromise, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Promise message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Promise
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.Promise;

            /**
             * Decodes a Promise message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Promise
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.Promise;

            /**
             * Verifies a Promise message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a Promise message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Promise
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.Promise;

            /**
             * Creates a plain object from a Promise message. Also converts values to other types if specified.
             * @param m Promise
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.Promise, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Promise to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Promise
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of an Accept. */
        interface IAccept {

            /** Accept slot */
            slot?: (number|null);

            /** Accept ballot */
            ballot?: (loom.ipam.IBallot|null);

            /** Accept ops */
            ops?: (loom.ipam.IOp[]|null);
        }

        /** Represents an Accept. */
        class Accept implements IAccept {

            /**
             * Constructs a new Accept.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IAccept);

            /** Accept slot. */
            public slot: number;

            /** Accept ballot. */
            public ballot?: (loom.ipam.IBallot|null);

            /** Accept ops. */
            public ops: loom.ipam.IOp[];

            /**
             * Creates a new Accept instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Accept instance
             */
            public static create(properties?: loom.ipam.IAccept): loom.ipam.Accept;

            /**
             * Encodes the specified Accept message. Does not implicitly {@link loom.ipam.Accept.verify|verify} messages.
             * @param m Accept message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IAccept, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Accept message, length delimited. Does not implicitly {@link loom.ipam.Accept.verify|verify} messages.
             * @param message Accept message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IAccept, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Accept message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Accept
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.Accept;

            /**
             * Decodes an Accept message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Accept
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.Accept;

            /**
             * Verifies an Accept message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates an Accept message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Accept
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.Accept;

            /**
             * Creates a plain object from an Accept message. Also converts values to other types if specified.
             * @param m Accept
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.Accept, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Accept to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Accept
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of an Accepted. */
        interface IAccepted {

            /** Accepted slot */
            slot?: (number|null);

            /** Accepted ballot */
            ballot?: (loom.ipam.IBallot|null);

            /** Accepted ok */
            ok?: (boolean|null);

            /** Accepted promised */
            promised?: (loom.ipam.IBallot|null);
        }

        /** Represents an Accepted. */
        class Accepted implements IAccepted {

            /**
             * Constructs a new Accepted.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IAccepted);

            /** Accepted slot. */
            public slot: number;

            /** Accepted ballot. */
            public ballot?: (loom.ipam.IBallot|null);

            /** Accepted ok. */
            public ok: boolean;

            /** Accepted promised. */
            public promised?: (loom.ipam.IBallot|null);

            /**
             * Creates a new Accepted instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Accepted instance
             */
            public static create(properties?: loom.ipam.IAccepted): loom.ipam.Accepted;

            /**
             * Encodes the specified Accepted message. Does not implicitly {@link loom.ipam.Accepted.verify|verify} messages.
             * @param m Accepted message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IAccepted, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Accepted message, length delimited. Does not implicitly {@link loom.ipam.Accepted.verify|verify} messages.
             * @param message Accepted message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IAccepted, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Accepted message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Accepted
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.Accepted;

            /**
             * Decodes an Accepted message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Accepted
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.Accepted;

            /**
             * Verifies an Accepted message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates an Accepted message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Accepted
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.Accepted;

            /**
             * Creates a plain object from an Accepted message. Also converts values to other types if specified.
             * @param m Accepted
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.Accepted, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Accepted to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Accepted
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a Decided. */
        interface IDecided {

            /** Decided slot */
            slot?: (number|null);

            /** Decided ops */
            ops?: (loom.ipam.IOp[]|null);
        }

        /** Represents a Decided. */
        class Decided implements IDecided {

            /**
             * Constructs a new Decided.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IDecided);

            /** Decided slot. */
            public slot: number;

            /** Decided ops. */
            public ops: loom.ipam.IOp[];

            /**
             * Creates a new Decided instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Decided instance
             */
            public static create(properties?: loom.ipam.IDecided): loom.ipam.Decided;

            /**
             * Encodes the specified Decided message. Does not implicitly {@link loom.ipam.Decided.verify|verify} messages.
             * @param m Decided message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IDecided, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Decided message, length delimited. Does not implicitly {@link loom.ipam.Decided.verify|verify} messages.
             * @param message Decided message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IDecided, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Decided message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Decided
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.Decided;

            /**
             * Decodes a Decided message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Decided
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.Decided;

            /**
             * Verifies a Decided message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a Decided message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Decided
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.Decided;

            /**
             * Creates a plain object from a Decided message. Also converts values to other types if specified.
             * @param m Decided
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.Decided, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Decided to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Decided
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a Renew. */
        interface IRenew {

            /** Renew seq */
            seq?: (number|null);

            /** Renew configSlot */
            configSlot?: (number|null);
        }

        /** Represents a Renew. */
        class Renew implements IRenew {

            /**
             * Constructs a new Renew.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IRenew);

            /** Renew seq. */
            public seq: number;

            /** Renew configSlot. */
            public configSlot: number;

            /**
             * Creates a new Renew instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Renew instance
             */
            public static create(properties?: loom.ipam.IRenew): loom.ipam.Renew;

            /**
             * Encodes the specified Renew message. Does not implicitly {@link loom.ipam.Renew.verify|verify} messages.
             * @param m Renew message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IRenew, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Renew message, length delimited. Does not implicitly {@link loom.ipam.Renew.verify|verify} messages.
             * @param message Renew message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IRenew, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Renew message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Renew
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.Renew;

            /**
             * Decodes a Renew message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Renew
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.Renew;

            /**
             * Verifies a Renew message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a Renew message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Renew
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.Renew;

            /**
             * Creates a plain object from a Renew message. Also converts values to other types if specified.
             * @param m Renew
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.Renew, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Renew to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Renew
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a RenewAck. */
        interface IRenewAck {

            /** RenewAck seq */
            seq?: (number|null);

            /** RenewAck ok */
            ok?: (boolean|null);
        }

        /** Represents a RenewAck. */
        class RenewAck implements IRenewAck {

            /**
             * Constructs a new RenewAck.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IRenewAck);

            /** RenewAck seq. */
            public seq: number;

            /** RenewAck ok. */
            public ok: boolean;

            /**
             * Creates a new RenewAck instance using the specified properties.
             * @param [properties] Properties to set
             * @returns RenewAck instance
             */
            public static create(properties?: loom.ipam.IRenewAck): loom.ipam.RenewAck;

            /**
             * Encodes the specified RenewAck message. Does not implicitly {@link loom.ipam.RenewAck.verify|verify} messages.
             * @param m RenewAck message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IRenewAck, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified RenewAck message, length delimited. Does not implicitly {@link loom.ipam.RenewAck.verify|verify} messages.
             * @param message RenewAck message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IRenewAck, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a RenewAck message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns RenewAck
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.RenewAck;

            /**
             * Decodes a RenewAck message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns RenewAck
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.RenewAck;

            /**
             * Verifies a RenewAck message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a RenewAck message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns RenewAck
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.RenewAck;

            /**
             * Creates a plain object from a RenewAck message. Also converts values to other types if specified.
             * @param m RenewAck
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.RenewAck, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this RenewAck to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for RenewAck
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a JoinRequest. */
        interface IJoinRequest {
        }

        /** Represents a JoinRequest. */
        class JoinRequest implements IJoinRequest {

            /**
             * Constructs a new JoinRequest.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IJoinRequest);

            /**
             * Creates a new JoinRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns JoinRequest instance
             */
            public static create(properties?: loom.ipam.IJoinRequest): loom.ipam.JoinRequest;

            /**
             * Encodes the specified JoinRequest message. Does not implicitly {@link loom.ipam.JoinRequest.verify|verify} messages.
             * @param m JoinRequest message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IJoinRequest, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified JoinRequest message, length delimited. Does not implicitly {@link loom.ipam.JoinRequest.verify|verify} messages.
             * @param message JoinRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IJoinRequest, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a JoinRequest message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns JoinRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.JoinRequest;

            /**
             * Decodes a JoinRequest message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns JoinRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.JoinRequest;

            /**
             * Verifies a JoinRequest message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a JoinRequest message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns JoinRequest
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.JoinRequest;

            /**
             * Creates a plain object from a JoinRequest message. Also converts values to other types if specified.
             * @param m JoinRequest
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.JoinRequest, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this JoinRequest to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for JoinRequest
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a Fetch. */
        interface IFetch {

            /** Fetch fromSlot */
            fromSlot?: (number|null);
        }

        /** Represents a Fetch. */
        class Fetch implements IFetch {

            /**
             * Constructs a new Fetch.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IFetch);

            /** Fetch fromSlot. */
            public fromSlot: number;

            /**
             * Creates a new Fetch instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Fetch instance
             */
            public static create(properties?: loom.ipam.IFetch): loom.ipam.Fetch;

            /**
             * Encodes the specified Fetch message. Does not implicitly {@link loom.ipam.Fetch.verify|verify} messages.
             * @param m Fetch message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IFetch, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Fetch message, length delimited. Does not implicitly {@link loom.ipam.Fetch.verify|verify} messages.
             * @param message Fetch message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IFetch, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Fetch message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Fetch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.Fetch;

            /**
             * Decodes a Fetch message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Fetch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.Fetch;

            /**
             * Verifies a Fetch message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a Fetch message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Fetch
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.Fetch;

            /**
             * Creates a plain object from a Fetch message. Also converts values to other types if specified.
             * @param m Fetch
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.Fetch, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Fetch to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Fetch
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a Request. */
        interface IRequest {

            /** Request ops */
            ops?: (loom.ipam.IOp[]|null);
        }

        /** Represents a Request. */
        class Request implements IRequest {

            /**
             * Constructs a new Request.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IRequest);

            /** Request ops. */
            public ops: loom.ipam.IOp[];

            /**
             * Creates a new Request instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Request instance
             */
            public static create(properties?: loom.ipam.IRequest): loom.ipam.Request;

            /**
             * Encodes the specified Request message. Does not implicitly {@link loom.ipam.Request.verify|verify} messages.
             * @param m Request message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IRequest, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Request message, length delimited. Does not implicitly {@link loom.ipam.Request.verify|verify} messages.
             * @param message Request message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IRequest, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Request message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Request
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.Request;

            /**
             * Decodes a Request message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Request
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.Request;

            /**
             * Verifies a Request message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a Request message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Request
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.Request;

            /**
             * Creates a plain object from a Request message. Also converts values to other types if specified.
             * @param m Request
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.Request, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Request to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Request
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a Digest. */
        interface IDigest {

            /** Digest slot */
            slot?: (number|null);

            /** Digest configSlot */
            configSlot?: (number|null);
        }

        /** Represents a Digest. */
        class Digest implements IDigest {

            /**
             * Constructs a new Digest.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IDigest);

            /** Digest slot. */
            public slot: number;

            /** Digest configSlot. */
            public configSlot: number;

            /**
             * Creates a new Digest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Digest instance
             */
            public static create(properties?: loom.ipam.IDigest): loom.ipam.Digest;

            /**
             * Encodes the specified Digest message. Does not implicitly {@link loom.ipam.Digest.verify|verify} messages.
             * @param m Digest message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IDigest, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Digest message, length delimited. Does not implicitly {@link loom.ipam.Digest.verify|verify} messages.
             * @param message Digest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IDigest, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Digest message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Digest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.Digest;

            /**
             * Decodes a Digest message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Digest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.Digest;

            /**
             * Verifies a Digest message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a Digest message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Digest
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.Digest;

            /**
             * Creates a plain object from a Digest message. Also converts values to other types if specified.
             * @param m Digest
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.Digest, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Digest to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Digest
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of an Envelope. */
        interface IEnvelope {

            /** Envelope version */
            version?: (number|null);

            /** Envelope clusterId */
            clusterId?: (string|null);

            /** Envelope from */
            from?: (string|null);

            /** Envelope applied */
            applied?: (number|null);

            /** Envelope prepare */
            prepare?: (loom.ipam.IPrepare|null);

            /** Envelope promise */
            promise?: (loom.ipam.IPromise|null);

            /** Envelope accept */
            accept?: (loom.ipam.IAccept|null);

            /** Envelope accepted */
            accepted?: (loom.ipam.IAccepted|null);

            /** Envelope decided */
            decided?: (loom.ipam.IDecided|null);

            /** Envelope renew */
            renew?: (loom.ipam.IRenew|null);

            /** Envelope renewAck */
            renewAck?: (loom.ipam.IRenewAck|null);

            /** Envelope joinRequest */
            joinRequest?: (loom.ipam.IJoinRequest|null);

            /** Envelope fetch */
            fetch?: (loom.ipam.IFetch|null);

            /** Envelope state */
            state?: (loom.ipam.IClusterState|null);

            /** Envelope digest */
            digest?: (loom.ipam.IDigest|null);

            /** Envelope request */
            request?: (loom.ipam.IRequest|null);
        }

        /** Represents an Envelope. */
        class Envelope implements IEnvelope {

            /**
             * Constructs a new Envelope.
             * @param [p] Properties to set
             */
            constructor(p?: loom.ipam.IEnvelope);

            /** Envelope version. */
            public version: number;

            /** Envelope clusterId. */
            public clusterId: string;

            /** Envelope from. */
            public from: string;

            /** Envelope applied. */
            public applied: number;

            /** Envelope prepare. */
            public prepare?: (loom.ipam.IPrepare|null);

            /** Envelope promise. */
            public promise?: (loom.ipam.IPromise|null);

            /** Envelope accept. */
            public accept?: (loom.ipam.IAccept|null);

            /** Envelope accepted. */
            public accepted?: (loom.ipam.IAccepted|null);

            /** Envelope decided. */
            public decided?: (loom.ipam.IDecided|null);

            /** Envelope renew. */
            public renew?: (loom.ipam.IRenew|null);

            /** Envelope renewAck. */
            public renewAck?: (loom.ipam.IRenewAck|null);

            /** Envelope joinRequest. */
            public joinRequest?: (loom.ipam.IJoinRequest|null);

            /** Envelope fetch. */
            public fetch?: (loom.ipam.IFetch|null);

            /** Envelope state. */
            public state?: (loom.ipam.IClusterState|null);

            /** Envelope digest. */
            public digest?: (loom.ipam.IDigest|null);

            /** Envelope request. */
            public request?: (loom.ipam.IRequest|null);

            /** Envelope body. */
            public body?: ("prepare"|"promise"|"accept"|"accepted"|"decided"|"renew"|"renewAck"|"joinRequest"|"fetch"|"state"|"digest"|"request");

            /**
             * Creates a new Envelope instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Envelope instance
             */
            public static create(properties?: loom.ipam.IEnvelope): loom.ipam.Envelope;

            /**
             * Encodes the specified Envelope message. Does not implicitly {@link loom.ipam.Envelope.verify|verify} messages.
             * @param m Envelope message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.ipam.IEnvelope, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Envelope message, length delimited. Does not implicitly {@link loom.ipam.Envelope.verify|verify} messages.
             * @param message Envelope message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.ipam.IEnvelope, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Envelope message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Envelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.ipam.Envelope;

            /**
             * Decodes an Envelope message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Envelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.ipam.Envelope;

            /**
             * Verifies an Envelope message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates an Envelope message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Envelope
             */
            public static fromObject(d: { [k: string]: any }): loom.ipam.Envelope;

            /**
             * Creates a plain object from an Envelope message. Also converts values to other types if specified.
             * @param m Envelope
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.ipam.Envelope, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Envelope to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Envelope
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }

    /** Namespace nodestate. */
    namespace nodestate {

        /** Properties of an Entry. */
        interface IEntry {

            /** Entry nodeId */
            nodeId?: (Uint8Array|null);

            /** Entry nodeName */
            nodeName?: (string|null);

            /** Entry topic */
            topic?: (string|null);

            /** Entry generation */
            generation?: (number|null);

            /** Entry seq */
            seq?: (number|null);

            /** Entry value */
            value?: (Uint8Array|null);
        }

        /** Represents an Entry. */
        class Entry implements IEntry {

            /**
             * Constructs a new Entry.
             * @param [p] Properties to set
             */
            constructor(p?: loom.nodestate.IEntry);

            /** Entry nodeId. */
            public nodeId: Uint8Array;

            /** Entry nodeName. */
            public nodeName: string;

            /** Entry topic. */
            public topic: string;

            /** Entry generation. */
            public generation: number;

            /** Entry seq. */
            public seq: number;

            /** Entry value. */
            public value: Uint8Array;

            /**
             * Creates a new Entry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Entry instance
             */
            public static create(properties?: loom.nodestate.IEntry): loom.nodestate.Entry;

            /**
             * Encodes the specified Entry message. Does not implicitly {@link loom.nodestate.Entry.verify|verify} messages.
             * @param m Entry message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.nodestate.IEntry, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Entry message, length delimited. Does not implicitly {@link loom.nodestate.Entry.verify|verify} messages.
             * @param message Entry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.nodestate.IEntry, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Entry message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Entry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.nodestate.Entry;

            /**
             * Decodes an Entry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Entry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.nodestate.Entry;

            /**
             * Verifies an Entry message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates an Entry message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Entry
             */
            public static fromObject(d: { [k: string]: any }): loom.nodestate.Entry;

            /**
             * Creates a plain object from an Entry message. Also converts values to other types if specified.
             * @param m Entry
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.nodestate.Entry, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Entry to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Entry
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        /** Properties of a Full. */
        interface IFull {

            /** Full entries */
            entries?: (loom.nodestate.IEntry[]|null);
        }

        /** Represents a Full. */
        class Full implements IFull {

            /**
             * Constructs a new Full.
             * @param [p] Properties to set
             */
            constructor(p?: loom.nodestate.IFull);

            /** Full entries. */
            public entries: loom.nodestate.IEntry[];

            /**
             * Creates a new Full instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Full instance
             */
            public static create(properties?: loom.nodestate.IFull): loom.nodestate.Full;

            /**
             * Encodes the specified Full message. Does not implicitly {@link loom.nodestate.Full.verify|verify} messages.
             * @param m Full message or plain object to encode
             * @param [w] Writer to encode to
             * @returns Writer
             */
            public static encode(m: loom.nodestate.IFull, w?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Full message, length delimited. Does not implicitly {@link loom.nodestate.Full.verify|verify} messages.
             * @param message Full message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            public static encodeDelimited(message: loom.nodestate.IFull, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Full message from the specified reader or buffer.
             * @param r Reader or buffer to decode from
             * @param [l] Message length if known beforehand
             * @returns Full
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decode(r: ($protobuf.Reader|Uint8Array), l?: number): loom.nodestate.Full;

            /**
             * Decodes a Full message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns Full
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): loom.nodestate.Full;

            /**
             * Verifies a Full message.
             * @param m Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            public static verify(m: { [k: string]: any }): (string|null);

            /**
             * Creates a Full message from a plain object. Also converts values to their respective internal types.
             * @param d Plain object
             * @returns Full
             */
            public static fromObject(d: { [k: string]: any }): loom.nodestate.Full;

            /**
             * Creates a plain object from a Full message. Also converts values to other types if specified.
             * @param m Full
             * @param [o] Conversion options
             * @returns Plain object
             */
            public static toObject(m: loom.nodestate.Full, o?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Full to JSON.
             * @returns JSON object
             */
            public toJSON(): { [k: string]: any };

            /**
             * Gets the default type url for Full
             * @param [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns The default type url
             */
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }
}
