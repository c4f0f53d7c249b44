/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars*/
"use strict";

var $protobuf = require("protobufjs/minimal");

// Common aliases
var $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;

// Exported root namespace
var $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

$root.loom = (function() {

    /**
     * Namespace loom.
     * @exports loom
     * @namespace
     */
    var loom = {};

    loom.gossip = (function() {

        /**
         * Namespace gossip.
         * @memberof loom
         * @namespace
         */
        var gossip = {};

        /**
         * MemberState enum.
         * @name loom.gossip.MemberState
         * @enum {number}
         * @property {number} MEMBER_STATE_UNSPECIFIED=0 MEMBER_STATE_UNSPECIFIED value
         * @property {number} MEMBER_STATE_ALIVE=1 MEMBER_STATE_ALIVE value
         * @property {number} MEMBER_STATE_SUSPECT=2 MEMBER_STATE_SUSPECT value
         * @property {number} MEMBER_STATE_DEAD=3 MEMBER_STATE_DEAD value
         * @property {number} MEMBER_STATE_LEFT=4 MEMBER_STATE_LEFT value
         */
        gossip.MemberState = (function() {
            var valuesById = {}, values = Object.create(valuesById);
            values[valuesById[0] = "MEMBER_STATE_UNSPECIFIED"] = 0;
            values[valuesById[1] = "MEMBER_STATE_ALIVE"] = 1;
            values[valuesById[2] = "MEMBER_STATE_SUSPECT"] = 2;
            values[valuesById[3] = "MEMBER_STATE_DEAD"] = 3;
            values[valuesById[4] = "MEMBER_STATE_LEFT"] = 4;
            return values;
        })();

        /**
         * Encapsulation enum.
         * @name loom.gossip.Encapsulation
         * @enum {number}
         * @property {number} ENCAPSULATION_UNSPECIFIED=0 ENCAPSULATION_UNSPECIFIED value
         * @property {number} ENCAPSULATION_UDP=1 ENCAPSULATION_UDP value
         * @property {number} ENCAPSULATION_VXLAN=2 ENCAPSULATION_VXLAN value
         */
        gossip.Encapsulation = (function() {
            var valuesById = {}, values = Object.create(valuesById);
            values[valuesById[0] = "ENCAPSULATION_UNSPECIFIED"] = 0;
            values[valuesById[1] = "ENCAPSULATION_UDP"] = 1;
            values[valuesById[2] = "ENCAPSULATION_VXLAN"] = 2;
            return values;
        })();

        gossip.MemberRecord = (function() {

            /**
             * Properties of a MemberRecord.
             * @memberof loom.gossip
             * @interface IMemberRecord
             * @property {string|null} [nodeName] MemberRecord nodeName
             * @property {Uint8Array|null} [nodeId] MemberRecord nodeId
             * @property {string|null} [address] MemberRecord address
             * @property {number|null} [dataPort] MemberRecord dataPort
             * @property {number|null} [gossipPort] MemberRecord gossipPort
             * @property {loom.gossip.Encapsulation|null} [encapsulation] MemberRecord encapsulation
             * @property {Uint8Array|null} [vtepMac] MemberRecord vtepMac
             * @property {Uint8Array|null} [publicKey] MemberRecord publicKey
             * @property {number|null} [incarnation] MemberRecord incarnation
             * @property {loom.gossip.MemberState|null} [state] MemberRecord state
             * @property {Uint8Array|null} [signingKey] MemberRecord signingKey
             * @property {Uint8Array|null} [signature] MemberRecord signature
             */

            /**
             * Constructs a new MemberRecord.
             * @memberof loom.gossip
             * @classdesc Represents a MemberRecord.
             * @implements IMemberRecord
             * @constructor
             * @param {loom.gossip.IMemberRecord=} [p] Properties to set
             */
            function MemberRecord(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * MemberRecord nodeName.
             * @member {string} nodeName
             * @memberof loom.gossip.MemberRecord
             * @instance
             */
            MemberRecord.prototype.nodeName = "";

            /**
             * MemberRecord nodeId.
             * @member {Uint8Array} nodeId
             * @memberof loom.gossip.MemberRecord
             * @instance
             */
            MemberRecord.prototype.nodeId = $util.newBuffer([]);

            /**
             * MemberRecord address.
             * @member {string} address
             * @memberof loom.gossip.MemberRecord
             * @instance
             */
            MemberRecord.prototype.address = "";

            /**
             * MemberRecord dataPort.
             * @member {number} dataPort
             * @memberof loom.gossip.MemberRecord
             * @instance
             */
            MemberRecord.prototype.dataPort = 0;

            /**
             * MemberRecord gossipPort.
             * @member {number} gossipPort
             * @memberof loom.gossip.MemberRecord
             * @instance
             */
            MemberRecord.prototype.gossipPort = 0;

            /**
             * MemberRecord encapsulation.
             * @member {loom.gossip.Encapsulation} encapsulation
             * @memberof loom.gossip.MemberRecord
             * @instance
             */
            MemberRecord.prototype.encapsulation = 0;

            /**
             * MemberRecord vtepMac.
             * @member {Uint8Array} vtepMac
             * @memberof loom.gossip.MemberRecord
             * @instance
             */
            MemberRecord.prototype.vtepMac = $util.newBuffer([]);

            /**
             * MemberRecord publicKey.
             * @member {Uint8Array} publicKey
             * @memberof loom.gossip.MemberRecord
             * @instance
             */
            MemberRecord.prototype.publicKey = $util.newBuffer([]);

            /**
             * MemberRecord incarnation.
             * @member {number} incarnation
             * @memberof loom.gossip.MemberRecord
             * @instance
             */
            MemberRecord.prototype.incarnation = 0;

            /**
             * MemberRecord state.
             * @member {loom.gossip.MemberState} state
             * @memberof loom.gossip.MemberRecord
             * @instance
             */
            MemberRecord.prototype.state = 0;

            /**
             * MemberRecord signingKey.
             * @member {Uint8Array} signingKey
             * @memberof loom.gossip.MemberRecord
             * @instance
             */
            MemberRecord.prototype.signingKey = $util.newBuffer([]);

            /**
             * MemberRecord signature.
             * @member {Uint8Array} signature
             * @memberof loom.gossip.MemberRecord
             * @instance
             */
            MemberRecord.prototype.signature = $util.newBuffer([]);

            /**
             * Creates a new MemberRecord instance using the specified properties.
             * @function create
             * @memberof loom.gossip.MemberRecord
             * @static
             * @param {loom.gossip.IMemberRecord=} [properties] Properties to set
             * @returns {loom.gossip.MemberRecord} MemberRecord instance
             */
            MemberRecord.create = function create(properties) {
                return new MemberRecord(properties);
            };

            /**
             * Encodes the specified MemberRecord message. Does not implicitly {@link loom.gossip.MemberRecord.verify|verify} messages.
             * @function encode
             * @memberof loom.gossip.MemberRecord
             * @static
             * @param {loom.gossip.IMemberRecord} m MemberRecord message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            MemberRecord.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.nodeName != null && Object.hasOwnProperty.call(m, "nodeName"))
                    w.uint32(10).string(m.nodeName);
                if (m.nodeId != null && Object.hasOwnProperty.call(m, "nodeId"))
                    w.uint32(18).bytes(m.nodeId);
                if (m.address != null && Object.hasOwnProperty.call(m, "address"))
                    w.uint32(26).string(m.address);
                if (m.dataPort != null && Object.hasOwnProperty.call(m, "dataPort"))
                    w.uint32(32).uint32(m.dataPort);
                if (m.gossipPort != null && Object.hasOwnProperty.call(m, "gossipPort"))
                    w.uint32(40).uint32(m.gossipPort);
                if (m.encapsulation != null && Object.hasOwnProperty.call(m, "encapsulation"))
                    w.uint32(48).int32(m.encapsulation);
                if (m.vtepMac != null && Object.hasOwnProperty.call(m, "vtepMac"))
                    w.uint32(58).bytes(m.vtepMac);
                if (m.publicKey != null && Object.hasOwnProperty.call(m, "publicKey"))
                    w.uint32(66).bytes(m.publicKey);
                if (m.incarnation != null && Object.hasOwnProperty.call(m, "incarnation"))
                    w.uint32(72).uint32(m.incarnation);
                if (m.state != null && Object.hasOwnProperty.call(m, "state"))
                    w.uint32(80).int32(m.state);
                if (m.signingKey != null && Object.hasOwnProperty.call(m, "signingKey"))
                    w.uint32(90).bytes(m.signingKey);
                if (m.signature != null && Object.hasOwnProperty.call(m, "signature"))
                    w.uint32(98).bytes(m.signature);
                return w;
            };

            /**
             * Encodes the specified MemberRecord message, length delimited. Does not implicitly {@link loom.gossip.MemberRecord.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.gossip.MemberRecord
             * @static
             * @param {loom.gossip.IMemberRecord} message MemberRecord message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            MemberRecord.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a MemberRecord message from the specified reader or buffer.
             * @function decode
             * @memberof loom.gossip.MemberRecord
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.gossip.MemberRecord} MemberRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            MemberRecord.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.gossip.MemberRecord();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.nodeName = r.string();
                            break;
                        }
                    case 2: {
                            m.nodeId = r.bytes();
                            break;
                        }
                    case 3: {
                            m.address = r.string();
                            break;
                        }
                    case 4: {
                            m.dataPort = r.uint32();
                            break;
                        }
                    case 5: {
                            m.gossipPort = r.uint32();
                            break;
                        }
                    case 6: {
                            m.encapsulation = r.int32();
                            break;
                        }
                    case 7: {
                            m.vtepMac = r.bytes();
                            break;
                        }
                    case 8: {
                            m.publicKey = r.bytes();
                            break;
                        }
                    case 9: {
                            m.incarnation = r.uint32();
                            break;
                        }
                    case 10: {
                            m.state = r.int32();
                            break;
                        }
                    case 11: {
                            m.signingKey = r.bytes();
                            break;
                        }
                    case 12: {
                            m.signature = r.bytes();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a MemberRecord message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.gossip.MemberRecord
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.gossip.MemberRecord} MemberRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            MemberRecord.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a MemberRecord message.
             * @function verify
             * @memberof loom.gossip.MemberRecord
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            MemberRecord.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.nodeName != null && Object.hasOwnProperty.call(m, "nodeName")) {
                    if (!$util.isString(m.nodeName))
                        return "nodeName: string expected";
                }
                if (m.nodeId != null && Object.hasOwnProperty.call(m, "nodeId")) {
                    if (!(m.nodeId && typeof m.nodeId.length === "number" || $util.isString(m.nodeId)))
                        return "nodeId: buffer expected";
                }
                if (m.address != null && Object.hasOwnProperty.call(m, "address")) {
                    if (!$util.isString(m.address))
                        return "address: string expected";
                }
                if (m.dataPort != null && Object.hasOwnProperty.call(m, "dataPort")) {
                    if (!$util.isInteger(m.dataPort))
                        return "dataPort: integer expected";
                }
                if (m.gossipPort != null && Object.hasOwnProperty.call(m, "gossipPort")) {
                    if (!$util.isInteger(m.gossipPort))
                        return "gossipPort: integer expected";
                }
                if (m.encapsulation != null && Object.hasOwnProperty.call(m, "encapsulation")) {
                    switch (m.encapsulation) {
                    default:
                        return "encapsulation: enum value expected";
                    case 0:
                    case 1:
                    case 2:
                        break;
                    }
                }
                if (m.vtepMac != null && Object.hasOwnProperty.call(m, "vtepMac")) {
                    if (!(m.vtepMac && typeof m.vtepMac.length === "number" || $util.isString(m.vtepMac)))
                        return "vtepMac: buffer expected";
                }
                if (m.publicKey != null && Object.hasOwnProperty.call(m, "publicKey")) {
                    if (!(m.publicKey && typeof m.publicKey.length === "number" || $util.isString(m.publicKey)))
                        return "publicKey: buffer expected";
                }
                if (m.incarnation != null && Object.hasOwnProperty.call(m, "incarnation")) {
                    if (!$util.isInteger(m.incarnation))
                        return "incarnation: integer expected";
                }
                if (m.state != null && Object.hasOwnProperty.call(m, "state")) {
                    switch (m.state) {
                    default:
                        return "state: enum value expected";
                    case 0:
                    case 1:
                    case 2:
                    case 3:
                    case 4:
                        break;
                    }
                }
                if (m.signingKey != null && Object.hasOwnProperty.call(m, "signingKey")) {
                    if (!(m.signingKey && typeof m.signingKey.length === "number" || $util.isString(m.signingKey)))
                        return "signingKey: buffer expected";
                }
                if (m.signature != null && Object.hasOwnProperty.call(m, "signature")) {
                    if (!(m.signature && typeof m.signature.length === "number" || $util.isString(m.signature)))
                        return "signature: buffer expected";
                }
                return null;
            };

            /**
             * Creates a MemberRecord message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.gossip.MemberRecord
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.gossip.MemberRecord} MemberRecord
             */
            MemberRecord.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.gossip.MemberRecord)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.gossip.MemberRecord: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.gossip.MemberRecord();
                if (d.nodeName != null) {
                    m.nodeName = String(d.nodeName);
                }
                if (d.nodeId != null) {
                    if (typeof d.nodeId === "string")
                        $util.base64.decode(d.nodeId, m.nodeId = $util.newBuffer($util.base64.length(d.nodeId)), 0);
                    else if (d.nodeId.length >= 0)
                        m.nodeId = d.nodeId;
                }
                if (d.address != null) {
                    m.address = String(d.address);
                }
                if (d.dataPort != null) {
                    m.dataPort = d.dataPort >>> 0;
                }
                if (d.gossipPort != null) {
                    m.gossipPort = d.gossipPort >>> 0;
                }
                switch (d.encapsulation) {
                default:
                    if (typeof d.encapsulation === "number") {
                        m.encapsulation = d.encapsulation;
                        break;
                    }
                    break;
                case "ENCAPSULATION_UNSPECIFIED":
                case 0:
                    m.encapsulation = 0;
                    break;
                case "ENCAPSULATION_UDP":
                case 1:
                    m.encapsulation = 1;
                    break;
                case "ENCAPSULATION_VXLAN":
                case 2:
                    m.encapsulation = 2;
                    break;
                }
                if (d.vtepMac != null) {
                    if (typeof d.vtepMac === "string")
                        $util.base64.decode(d.vtepMac, m.vtepMac = $util.newBuffer($util.base64.length(d.vtepMac)), 0);
                    else if (d.vtepMac.length >= 0)
                        m.vtepMac = d.vtepMac;
                }
                if (d.publicKey != null) {
                    if (typeof d.publicKey === "string")
                        $util.base64.decode(d.publicKey, m.publicKey = $util.newBuffer($util.base64.length(d.publicKey)), 0);
                    else if (d.publicKey.length >= 0)
                        m.publicKey = d.publicKey;
                }
                if (d.incarnation != null) {
                    m.incarnation = d.incarnation >>> 0;
                }
                switch (d.state) {
                default:
                    if (typeof d.state === "number") {
                        m.state = d.state;
                        break;
                    }
                    break;
                case "MEMBER_STATE_UNSPECIFIED":
                case 0:
                    m.state = 0;
                    break;
                case "MEMBER_STATE_ALIVE":
                case 1:
                    m.state = 1;
                    break;
                case "MEMBER_STATE_SUSPECT":
                case 2:
                    m.state = 2;
                    break;
                case "MEMBER_STATE_DEAD":
                case 3:
                    m.state = 3;
                    break;
                case "MEMBER_STATE_LEFT":
                case 4:
                    m.state = 4;
                    break;
                }
                if (d.signingKey != null) {
                    if (typeof d.signingKey === "string")
                        $util.base64.decode(d.signingKey, m.signingKey = $util.newBuffer($util.base64.length(d.signingKey)), 0);
                    else if (d.signingKey.length >= 0)
                        m.signingKey = d.signingKey;
                }
                if (d.signature != null) {
                    if (typeof d.signature === "string")
                        $util.base64.decode(d.signature, m.signature = $util.newBuffer($util.base64.length(d.signature)), 0);
                    else if (d.signature.length >= 0)
                        m.signature = d.signature;
                }
                return m;
            };

            /**
             * Creates a plain object from a MemberRecord message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.gossip.MemberRecord
             * @static
             * @param {loom.gossip.MemberRecord} m MemberRecord
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            MemberRecord.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.nodeName = "";
                    if (o.bytes === String)
                        d.nodeId = "";
                    else {
                        d.nodeId = [];
                        if (o.bytes !== Array)
                            d.nodeId = $util.newBuffer(d.nodeId);
                    }
                    d.address = "";
                    d.dataPort = 0;
                    d.gossipPort = 0;
                    d.encapsulation = o.enums === String ? "ENCAPSULATION_UNSPECIFIED" : 0;
                    if (o.bytes === String)
                        d.vtepMac = "";
                    else {
                        d.vtepMac = [];
                        if (o.bytes !== Array)
                            d.vtepMac = $util.newBuffer(d.vtepMac);
                    }
                    if (o.bytes === String)
                        d.publicKey = "";
                    else {
                        d.publicKey = [];
                        if (o.bytes !== Array)
                            d.publicKey = $util.newBuffer(d.publicKey);
                    }
                    d.incarnation = 0;
                    d.state = o.enums === String ? "MEMBER_STATE_UNSPECIFIED" : 0;
                    if (o.bytes === String)
                        d.signingKey = "";
                    else {
                        d.signingKey = [];
                        if (o.bytes !== Array)
                            d.signingKey = $util.newBuffer(d.signingKey);
                    }
                    if (o.bytes === String)
                        d.signature = "";
                    else {
                        d.signature = [];
                        if (o.bytes !== Array)
                            d.signature = $util.newBuffer(d.signature);
                    }
                }
                if (m.nodeName != null && Object.hasOwnProperty.call(m, "nodeName")) {
                    d.nodeName = m.nodeName;
                }
                if (m.nodeId != null && Object.hasOwnProperty.call(m, "nodeId")) {
                    d.nodeId = o.bytes === String ? $util.base64.encode(m.nodeId, 0, m.nodeId.length) : o.bytes === Array ? Array.prototype.slice.call(m.nodeId) : m.nodeId;
                }
                if (m.address != null && Object.hasOwnProperty.call(m, "address")) {
                    d.address = m.address;
                }
                if (m.dataPort != null && Object.hasOwnProperty.call(m, "dataPort")) {
                    d.dataPort = m.dataPort;
                }
                if (m.gossipPort != null && Object.hasOwnProperty.call(m, "gossipPort")) {
                    d.gossipPort = m.gossipPort;
                }
                if (m.encapsulation != null && Object.hasOwnProperty.call(m, "encapsulation")) {
                    d.encapsulation = o.enums === String ? $root.loom.gossip.Encapsulation[m.encapsulation] === undefined ? m.encapsulation : $root.loom.gossip.Encapsulation[m.encapsulation] : m.encapsulation;
                }
                if (m.vtepMac != null && Object.hasOwnProperty.call(m, "vtepMac")) {
                    d.vtepMac = o.bytes === String ? $util.base64.encode(m.vtepMac, 0, m.vtepMac.length) : o.bytes === Array ? Array.prototype.slice.call(m.vtepMac) : m.vtepMac;
                }
                if (m.publicKey != null && Object.hasOwnProperty.call(m, "publicKey")) {
                    d.publicKey = o.bytes === String ? $util.base64.encode(m.publicKey, 0, m.publicKey.length) : o.bytes === Array ? Array.prototype.slice.call(m.publicKey) : m.publicKey;
                }
                if (m.incarnation != null && Object.hasOwnProperty.call(m, "incarnation")) {
                    d.incarnation = m.incarnation;
                }
                if (m.state != null && Object.hasOwnProperty.call(m, "state")) {
                    d.state = o.enums === String ? $root.loom.gossip.MemberState[m.state] === undefined ? m.state : $root.loom.gossip.MemberState[m.state] : m.state;
                }
                if (m.signingKey != null && Object.hasOwnProperty.call(m, "signingKey")) {
                    d.signingKey = o.bytes === String ? $util.base64.encode(m.signingKey, 0, m.signingKey.length) : o.bytes === Array ? Array.prototype.slice.call(m.signingKey) : m.signingKey;
                }
                if (m.signature != null && Object.hasOwnProperty.call(m, "signature")) {
                    d.signature = o.bytes === String ? $util.base64.encode(m.signature, 0, m.signature.length) : o.bytes === Array ? Array.prototype.slice.call(m.signature) : m.signature;
                }
                return d;
            };

            /**
             * Converts this MemberRecord to JSON.
             * @function toJSON
             * @memberof loom.gossip.MemberRecord
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            MemberRecord.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for MemberRecord
             * @function getTypeUrl
             * @memberof loom.gossip.MemberRecord
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            MemberRecord.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.gossip.MemberRecord";
            };

            return MemberRecord;
        })();

        gossip.MemberUpdate = (function() {

            /**
             * Properties of a MemberUpdate.
             * @memberof loom.gossip
             * @interface IMemberUpdate
             * @property {loom.gossip.IMemberRecord|null} [member] MemberUpdate member
             * @property {Uint8Array|null} [fromId] MemberUpdate fromId
             */

            /**
             * Constructs a new MemberUpdate.
             * @memberof loom.gossip
             * @classdesc Represents a MemberUpdate.
             * @implements IMemberUpdate
             * @constructor
             * @param {loom.gossip.IMemberUpdate=} [p] Properties to set
             */
            function MemberUpdate(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * MemberUpdate member.
             * @member {loom.gossip.IMemberRecord|null|undefined} member
             * @memberof loom.gossip.MemberUpdate
             * @instance
             */
            MemberUpdate.prototype.member = null;

            /**
             * MemberUpdate fromId.
             * @member {Uint8Array} fromId
             * @memberof loom.gossip.MemberUpdate
             * @instance
             */
            MemberUpdate.prototype.fromId = $util.newBuffer([]);

            /**
             * Creates a new MemberUpdate instance using the specified properties.
             * @function create
             * @memberof loom.gossip.MemberUpdate
             * @static
             * @param {loom.gossip.IMemberUpdate=} [properties] Properties to set
             * @returns {loom.gossip.MemberUpdate} MemberUpdate instance
             */
            MemberUpdate.create = function create(properties) {
                return new MemberUpdate(properties);
            };

            /**
             * Encodes the specified MemberUpdate message. Does not implicitly {@link loom.gossip.MemberUpdate.verify|verify} messages.
             * @function encode
             * @memberof loom.gossip.MemberUpdate
             * @static
             * @param {loom.gossip.IMemberUpdate} m MemberUpdate message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            MemberUpdate.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.member != null && Object.hasOwnProperty.call(m, "member"))
                    $root.loom.gossip.MemberRecord.encode(m.member, w.uint32(10).fork(), q + 1).ldelim();
                if (m.fromId != null && Object.hasOwnProperty.call(m, "fromId"))
                    w.uint32(18).bytes(m.fromId);
                return w;
            };

            /**
             * Encodes the specified MemberUpdate message, length delimited. Does not implicitly {@link loom.gossip.MemberUpdate.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.gossip.MemberUpdate
             * @static
             * @param {loom.gossip.IMemberUpdate} message MemberUpdate message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            MemberUpdate.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a MemberUpdate message from the specified reader or buffer.
             * @function decode
             * @memberof loom.gossip.MemberUpdate
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.gossip.MemberUpdate} MemberUpdate
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            MemberUpdate.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.gossip.MemberUpdate();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.member = $root.loom.gossip.MemberRecord.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 2: {
                            m.fromId = r.bytes();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a MemberUpdate message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.gossip.MemberUpdate
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.gossip.MemberUpdate} MemberUpdate
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            MemberUpdate.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a MemberUpdate message.
             * @function verify
             * @memberof loom.gossip.MemberUpdate
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            MemberUpdate.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.member != null && Object.hasOwnProperty.call(m, "member")) {
                    {
                        var e = $root.loom.gossip.MemberRecord.verify(m.member, n + 1);
                        if (e)
                            return "member." + e;
                    }
                }
                if (m.fromId != null && Object.hasOwnProperty.call(m, "fromId")) {
                    if (!(m.fromId && typeof m.fromId.length === "number" || $util.isString(m.fromId)))
                        return "fromId: buffer expected";
                }
                return null;
            };

            /**
             * Creates a MemberUpdate message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.gossip.MemberUpdate
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.gossip.MemberUpdate} MemberUpdate
             */
            MemberUpdate.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.gossip.MemberUpdate)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.gossip.MemberUpdate: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.gossip.MemberUpdate();
                if (d.member != null) {
                    if (!$util.isObject(d.member))
                        throw TypeError(".loom.gossip.MemberUpdate.member: object expected");
                    m.member = $root.loom.gossip.MemberRecord.fromObject(d.member, n + 1);
                }
                if (d.fromId != null) {
                    if (typeof d.fromId === "string")
                        $util.base64.decode(d.fromId, m.fromId = $util.newBuffer($util.base64.length(d.fromId)), 0);
                    else if (d.fromId.length >= 0)
                        m.fromId = d.fromId;
                }
                return m;
            };

            /**
             * Creates a plain object from a MemberUpdate message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.gossip.MemberUpdate
             * @static
             * @param {loom.gossip.MemberUpdate} m MemberUpdate
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            MemberUpdate.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.member = null;
                    if (o.bytes === String)
                        d.fromId = "";
                    else {
                        d.fromId = [];
                        if (o.bytes !== Array)
                            d.fromId = $util.newBuffer(d.fromId);
                    }
                }
                if (m.member != null && Object.hasOwnProperty.call(m, "member")) {
                    d.member = $root.loom.gossip.MemberRecord.toObject(m.member, o, q + 1);
                }
                if (m.fromId != null && Object.hasOwnProperty.call(m, "fromId")) {
                    d.fromId = o.bytes === String ? $util.base64.encode(m.fromId, 0, m.fromId.length) : o.bytes === Array ? Array.prototype.slice.call(m.fromId) : m.fromId;
                }
                return d;
            };

            /**
             * Converts this MemberUpdate to JSON.
             * @function toJSON
             * @memberof loom.gossip.MemberUpdate
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            MemberUpdate.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for MemberUpdate
             * @function getTypeUrl
             * @memberof loom.gossip.MemberUpdate
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            MemberUpdate.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.gossip.MemberUpdate";
            };

            return MemberUpdate;
        })();

        gossip.Ping = (function() {

            /**
             * Properties of a Ping.
             * @memberof loom.gossip
             * @interface IPing
             * @property {number|null} [seqNo] Ping seqNo
             * @property {Uint8Array|null} [targetId] Ping targetId
             */

            /**
             * Constructs a new Ping.
             * @memberof loom.gossip
             * @classdesc Represents a Ping.
             * @implements IPing
             * @constructor
             * @param {loom.gossip.IPing=} [p] Properties to set
             */
            function Ping(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Ping seqNo.
             * @member {number} seqNo
             * @memberof loom.gossip.Ping
             * @instance
             */
            Ping.prototype.seqNo = 0;

            /**
             * Ping targetId.
             * @member {Uint8Array} targetId
             * @memberof loom.gossip.Ping
             * @instance
             */
            Ping.prototype.targetId = $util.newBuffer([]);

            /**
             * Creates a new Ping instance using the specified properties.
             * @function create
             * @memberof loom.gossip.Ping
             * @static
             * @param {loom.gossip.IPing=} [properties] Properties to set
             * @returns {loom.gossip.Ping} Ping instance
             */
            Ping.create = function create(properties) {
                return new Ping(properties);
            };

            /**
             * Encodes the specified Ping message. Does not implicitly {@link loom.gossip.Ping.verify|verify} messages.
             * @function encode
             * @memberof loom.gossip.Ping
             * @static
             * @param {loom.gossip.IPing} m Ping message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Ping.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.seqNo != null && Object.hasOwnProperty.call(m, "seqNo"))
                    w.uint32(8).uint32(m.seqNo);
                if (m.targetId != null && Object.hasOwnProperty.call(m, "targetId"))
                    w.uint32(18).bytes(m.targetId);
                return w;
            };

            /**
             * Encodes the specified Ping message, length delimited. Does not implicitly {@link loom.gossip.Ping.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.gossip.Ping
             * @static
             * @param {loom.gossip.IPing} message Ping message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Ping.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a Ping message from the specified reader or buffer.
             * @function decode
             * @memberof loom.gossip.Ping
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.gossip.Ping} Ping
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Ping.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.gossip.Ping();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.seqNo = r.uint32();
                            break;
                        }
                    case 2: {
                            m.targetId = r.bytes();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a Ping message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.gossip.Ping
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.gossip.Ping} Ping
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Ping.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a Ping message.
             * @function verify
             * @memberof loom.gossip.Ping
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Ping.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.seqNo != null && Object.hasOwnProperty.call(m, "seqNo")) {
                    if (!$util.isInteger(m.seqNo))
                        return "seqNo: integer expected";
                }
                if (m.targetId != null && Object.hasOwnProperty.call(m, "targetId")) {
                    if (!(m.targetId && typeof m.targetId.length === "number" || $util.isString(m.targetId)))
                        return "targetId: buffer expected";
                }
                return null;
            };

            /**
             * Creates a Ping message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.gossip.Ping
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.gossip.Ping} Ping
             */
            Ping.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.gossip.Ping)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.gossip.Ping: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.gossip.Ping();
                if (d.seqNo != null) {
                    m.seqNo = d.seqNo >>> 0;
                }
                if (d.targetId != null) {
                    if (typeof d.targetId === "string")
                        $util.base64.decode(d.targetId, m.targetId = $util.newBuffer($util.base64.length(d.targetId)), 0);
                    else if (d.targetId.length >= 0)
                        m.targetId = d.targetId;
                }
                return m;
            };

            /**
             * Creates a plain object from a Ping message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.gossip.Ping
             * @static
             * @param {loom.gossip.Ping} m Ping
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Ping.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.seqNo = 0;
                    if (o.bytes === String)
                        d.targetId = "";
                    else {
                        d.targetId = [];
                        if (o.bytes !== Array)
                            d.targetId = $util.newBuffer(d.targetId);
                    }
                }
                if (m.seqNo != null && Object.hasOwnProperty.call(m, "seqNo")) {
                    d.seqNo = m.seqNo;
                }
                if (m.targetId != null && Object.hasOwnProperty.call(m, "targetId")) {
                    d.targetId = o.bytes === String ? $util.base64.encode(m.targetId, 0, m.targetId.length) : o.bytes === Array ? Array.prototype.slice.call(m.targetId) : m.targetId;
                }
                return d;
            };

            /**
             * Converts this Ping to JSON.
             * @function toJSON
             * @memberof loom.gossip.Ping
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Ping.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Ping
             * @function getTypeUrl
             * @memberof loom.gossip.Ping
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Ping.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.gossip.Ping";
            };

            return Ping;
        })();

        gossip.Ack = (function() {

            /**
             * Properties of an Ack.
             * @memberof loom.gossip
             * @interface IAck
             * @property {number|null} [seqNo] Ack seqNo
             * @property {boolean|null} [nack] Ack nack
             */

            /**
             * Constructs a new Ack.
             * @memberof loom.gossip
             * @classdesc Represents an Ack.
             * @implements IAck
             * @constructor
             * @param {loom.gossip.IAck=} [p] Properties to set
             */
            function Ack(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Ack seqNo.
             * @member {number} seqNo
             * @memberof loom.gossip.Ack
             * @instance
             */
            Ack.prototype.seqNo = 0;

            /**
             * Ack nack.
             * @member {boolean} nack
             * @memberof loom.gossip.Ack
             * @instance
             */
            Ack.prototype.nack = false;

            /**
             * Creates a new Ack instance using the specified properties.
             * @function create
             * @memberof loom.gossip.Ack
             * @static
             * @param {loom.gossip.IAck=} [properties] Properties to set
             * @returns {loom.gossip.Ack} Ack instance
             */
            Ack.create = function create(properties) {
                return new Ack(properties);
            };

            /**
             * Encodes the specified Ack message. Does not implicitly {@link loom.gossip.Ack.verify|verify} messages.
             * @function encode
             * @memberof loom.gossip.Ack
             * @static
             * @param {loom.gossip.IAck} m Ack message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Ack.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.seqNo != null && Object.hasOwnProperty.call(m, "seqNo"))
                    w.uint32(8).uint32(m.seqNo);
                if (m.nack != null && Object.hasOwnProperty.call(m, "nack"))
                    w.uint32(16).bool(m.nack);
                return w;
            };

            /**
             * Encodes the specified Ack message, length delimited. Does not implicitly {@link loom.gossip.Ack.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.gossip.Ack
             * @static
             * @param {loom.gossip.IAck} message Ack message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Ack.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes an Ack message from the specified reader or buffer.
             * @function decode
             * @memberof loom.gossip.Ack
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.gossip.Ack} Ack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Ack.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.gossip.Ack();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.seqNo = r.uint32();
                            break;
                        }
                    case 2: {
                            m.nack = r.bool();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes an Ack message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.gossip.Ack
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.gossip.Ack} Ack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Ack.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies an Ack message.
             * @function verify
             * @memberof loom.gossip.Ack
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Ack.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.seqNo != null && Object.hasOwnProperty.call(m, "seqNo")) {
                    if (!$util.isInteger(m.seqNo))
                        return "seqNo: integer expected";
                }
                if (m.nack != null && Object.hasOwnProperty.call(m, "nack")) {
                    if (typeof m.nack !== "boolean")
                        return "nack: boolean expected";
                }
                return null;
            };

            /**
             * Creates an Ack message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.gossip.Ack
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.gossip.Ack} Ack
             */
            Ack.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.gossip.Ack)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.gossip.Ack: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.gossip.Ack();
                if (d.seqNo != null) {
                    m.seqNo = d.seqNo >>> 0;
                }
                if (d.nack != null) {
                    m.nack = Boolean(d.nack);
                }
                return m;
            };

            /**
             * Creates a plain object from an Ack message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.gossip.Ack
             * @static
             * @param {loom.gossip.Ack} m Ack
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Ack.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.seqNo = 0;
                    d.nack = false;
                }
                if (m.seqNo != null && Object.hasOwnProperty.call(m, "seqNo")) {
                    d.seqNo = m.seqNo;
                }
                if (m.nack != null && Object.hasOwnProperty.call(m, "nack")) {
                    d.nack = m.nack;
                }
                return d;
            };

            /**
             * Converts this Ack to JSON.
             * @function toJSON
             * @memberof loom.gossip.Ack
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Ack.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Ack
             * @function getTypeUrl
             * @memberof loom.gossip.Ack
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Ack.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.gossip.Ack";
            };

            return Ack;
        })();

        gossip.PingReq = (function() {

            /**
             * Properties of a PingReq.
             * @memberof loom.gossip
             * @interface IPingReq
             * @property {number|null} [seqNo] PingReq seqNo
             * @property {Uint8Array|null} [targetId] PingReq targetId
             * @property {string|null} [targetAddress] PingReq targetAddress
             * @property {number|null} [targetPort] PingReq targetPort
             */

            /**
             * Constructs a new PingReq.
             * @memberof loom.gossip
             * @classdesc Represents a PingReq.
             * @implements IPingReq
             * @constructor
             * @param {loom.gossip.IPingReq=} [p] Properties to set
             */
            function PingReq(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * PingReq seqNo.
             * @member {number} seqNo
             * @memberof loom.gossip.PingReq
             * @instance
             */
            PingReq.prototype.seqNo = 0;

            /**
             * PingReq targetId.
             * @member {Uint8Array} targetId
             * @memberof loom.gossip.PingReq
             * @instance
             */
            PingReq.prototype.targetId = $util.newBuffer([]);

            /**
             * PingReq targetAddress.
             * @member {string} targetAddress
             * @memberof loom.gossip.PingReq
             * @instance
             */
            PingReq.prototype.targetAddress = "";

            /**
             * PingReq targetPort.
             * @member {number} targetPort
             * @memberof loom.gossip.PingReq
             * @instance
             */
            PingReq.prototype.targetPort = 0;

            /**
             * Creates a new PingReq instance using the specified properties.
             * @function create
             * @memberof loom.gossip.PingReq
             * @static
             * @param {loom.gossip.IPingReq=} [properties] Properties to set
             * @returns {loom.gossip.PingReq} PingReq instance
             */
            PingReq.create = function create(properties) {
                return new PingReq(properties);
            };

            /**
             * Encodes the specified PingReq message. Does not implicitly {@link loom.gossip.PingReq.verify|verify} messages.
             * @function encode
             * @memberof loom.gossip.PingReq
             * @static
             * @param {loom.gossip.IPingReq} m PingReq message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            PingReq.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.seqNo != null && Object.hasOwnProperty.call(m, "seqNo"))
                    w.uint32(8).uint32(m.seqNo);
                if (m.targetId != null && Object.hasOwnProperty.call(m, "targetId"))
                    w.uint32(18).bytes(m.targetId);
                if (m.targetAddress != null && Object.hasOwnProperty.call(m, "targetAddress"))
                    w.uint32(26).string(m.targetAddress);
                if (m.targetPort != null && Object.hasOwnProperty.call(m, "targetPort"))
                    w.uint32(32).uint32(m.targetPort);
                return w;
            };

            /**
             * Encodes the specified PingReq message, length delimited. Does not implicitly {@link loom.gossip.PingReq.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.gossip.PingReq
             * @static
             * @param {loom.gossip.IPingReq} message PingReq message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            PingReq.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a PingReq message from the specified reader or buffer.
             * @function decode
             * @memberof loom.gossip.PingReq
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.gossip.PingReq} PingReq
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            PingReq.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.gossip.PingReq();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.seqNo = r.uint32();
                            break;
                        }
                    case 2: {
                            m.targetId = r.bytes();
                            break;
                        }
                    case 3: {
                            m.targetAddress = r.string();
                            break;
                        }
                    case 4: {
                            m.targetPort = r.uint32();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a PingReq message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.gossip.PingReq
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.gossip.PingReq} PingReq
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            PingReq.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a PingReq message.
             * @function verify
             * @memberof loom.gossip.PingReq
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            PingReq.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.seqNo != null && Object.hasOwnProperty.call(m, "seqNo")) {
                    if (!$util.isInteger(m.seqNo))
                        return "seqNo: integer expected";
                }
                if (m.targetId != null && Object.hasOwnProperty.call(m, "targetId")) {
                    if (!(m.targetId && typeof m.targetId.length === "number" || $util.isString(m.targetId)))
                        return "targetId: buffer expected";
                }
                if (m.targetAddress != null && Object.hasOwnProperty.call(m, "targetAddress")) {
                    if (!$util.isString(m.targetAddress))
                        return "targetAddress: string expected";
                }
                if (m.targetPort != null && Object.hasOwnProperty.call(m, "targetPort")) {
                    if (!$util.isInteger(m.targetPort))
                        return "targetPort: integer expected";
                }
                return null;
            };

            /**
             * Creates a PingReq message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.gossip.PingReq
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.gossip.PingReq} PingReq
             */
            PingReq.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.gossip.PingReq)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.gossip.PingReq: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.gossip.PingReq();
                if (d.seqNo != null) {
                    m.seqNo = d.seqNo >>> 0;
                }
                if (d.targetId != null) {
                    if (typeof d.targetId === "string")
                        $util.base64.decode(d.targetId, m.targetId = $util.newBuffer($util.base64.length(d.targetId)), 0);
                    else if (d.targetId.length >= 0)
                        m.targetId = d.targetId;
                }
                if (d.targetAddress != null) {
                    m.targetAddress = String(d.targetAddress);
                }
                if (d.targetPort != null) {
                    m.targetPort = d.targetPort >>> 0;
                }
                return m;
            };

            /**
             * Creates a plain object from a PingReq message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.gossip.PingReq
             * @static
             * @param {loom.gossip.PingReq} m PingReq
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            PingReq.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.seqNo = 0;
                    if (o.bytes === String)
                        d.targetId = "";
                    else {
                        d.targetId = [];
                        if (o.bytes !== Array)
                            d.targetId = $util.newBuffer(d.targetId);
                    }
                    d.targetAddress = "";
                    d.targetPort = 0;
                }
                if (m.seqNo != null && Object.hasOwnProperty.call(m, "seqNo")) {
                    d.seqNo = m.seqNo;
                }
                if (m.targetId != null && Object.hasOwnProperty.call(m, "targetId")) {
                    d.targetId = o.bytes === String ? $util.base64.encode(m.targetId, 0, m.targetId.length) : o.bytes === Array ? Array.prototype.slice.call(m.targetId) : m.targetId;
                }
                if (m.targetAddress != null && Object.hasOwnProperty.call(m, "targetAddress")) {
                    d.targetAddress = m.targetAddress;
                }
                if (m.targetPort != null && Object.hasOwnProperty.call(m, "targetPort")) {
                    d.targetPort = m.targetPort;
                }
                return d;
            };

            /**
             * Converts this PingReq to JSON.
             * @function toJSON
             * @memberof loom.gossip.PingReq
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            PingReq.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for PingReq
             * @function getTypeUrl
             * @memberof loom.gossip.PingReq
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            PingReq.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.gossip.PingReq";
            };

            return PingReq;
        })();

        gossip.PushPull = (function() {

            /**
             * Properties of a PushPull.
             * @memberof loom.gossip
             * @interface IPushPull
             * @property {boolean|null} [join] PushPull join
             * @property {boolean|null} [reply] PushPull reply
             * @property {Array.<loom.gossip.IMemberRecord>|null} [members] PushPull members
             * @property {Uint8Array|null} [appState] PushPull appState
             */

            /**
             * Constructs a new PushPull.
             * @memberof loom.gossip
             * @classdesc Represents a PushPull.
             * @implements IPushPull
             * @constructor
             * @param {loom.gossip.IPushPull=} [p] Properties to set
             */
            function PushPull(p) {
                this.members = [];
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * PushPull join.
             * @member {boolean} join
             * @memberof loom.gossip.PushPull
             * @instance
             */
            PushPull.prototype.join = false;

            /**
             * PushPull reply.
             * @member {boolean} reply
             * @memberof loom.gossip.PushPull
             * @instance
             */
            PushPull.prototype.reply = false;

            /**
             * PushPull members.
             * @member {Array.<loom.gossip.IMemberRecord>} members
             * @memberof loom.gossip.PushPull
             * @instance
             */
            PushPull.prototype.members = $util.emptyArray;

            /**
             * PushPull appState.
             * @member {Uint8Array} appState
             * @memberof loom.gossip.PushPull
             * @instance
             */
            PushPull.prototype.appState = $util.newBuffer([]);

            /**
             * Creates a new PushPull instance using the specified properties.
             * @function create
             * @memberof loom.gossip.PushPull
             * @static
             * @param {loom.gossip.IPushPull=} [properties] Properties to set
             * @returns {loom.gossip.PushPull} PushPull instance
             */
            PushPull.create = function create(properties) {
                return new PushPull(properties);
            };

            /**
             * Encodes the specified PushPull message. Does not implicitly {@link loom.gossip.PushPull.verify|verify} messages.
             * @function encode
             * @memberof loom.gossip.PushPull
             * @static
             * @param {loom.gossip.IPushPull} m PushPull message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            PushPull.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.join != null && Object.hasOwnProperty.call(m, "join"))
                    w.uint32(8).bool(m.join);
                if (m.reply != null && Object.hasOwnProperty.call(m, "reply"))
                    w.uint32(16).bool(m.reply);
                if (m.members != null && m.members.length) {
                    for (var i = 0; i < m.members.length; ++i)
                        $root.loom.gossip.MemberRecord.encode(m.members[i], w.uint32(26).fork(), q + 1).ldelim();
                }
                if (m.appState != null && Object.hasOwnProperty.call(m, "appState"))
                    w.uint32(34).bytes(m.appState);
                return w;
            };

            /**
             * Encodes the specified PushPull message, length delimited. Does not implicitly {@link loom.gossip.PushPull.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.gossip.PushPull
             * @static
             * @param {loom.gossip.IPushPull} message PushPull message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            PushPull.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a PushPull message from the specified reader or buffer.
             * @function decode
             * @memberof loom.gossip.PushPull
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.gossip.PushPull} PushPull
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            PushPull.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.gossip.PushPull();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.join = r.bool();
                            break;
                        }
                    case 2: {
                            m.reply = r.bool();
                            break;
                        }
                    case 3: {
                            if (!(m.members && m.members.length))
                                m.members = [];
                            m.members.push($root.loom.gossip.MemberRecord.decode(r, r.uint32(), undefined, n + 1));
                            break;
                        }
                    case 4: {
                            m.appState = r.bytes();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a PushPull message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.gossip.PushPull
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.gossip.PushPull} PushPull
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            PushPull.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a PushPull message.
             * @function verify
             * @memberof loom.gossip.PushPull
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            PushPull.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.join != null && Object.hasOwnProperty.call(m, "join")) {
                    if (typeof m.join !== "boolean")
                        return "join: boolean expected";
                }
                if (m.reply != null && Object.hasOwnProperty.call(m, "reply")) {
                    if (typeof m.reply !== "boolean")
                        return "reply: boolean expected";
                }
                if (m.members != null && Object.hasOwnProperty.call(m, "members")) {
                    if (!Array.isArray(m.members))
                        return "members: array expected";
                    for (var i = 0; i < m.members.length; ++i) {
                        {
                            var e = $root.loom.gossip.MemberRecord.verify(m.members[i], n + 1);
                            if (e)
                                return "members." + e;
                        }
                    }
                }
                if (m.appState != null && Object.hasOwnProperty.call(m, "appState")) {
                    if (!(m.appState && typeof m.appState.length === "number" || $util.isString(m.appState)))
                        return "appState: buffer expected";
                }
                return null;
            };

            /**
             * Creates a PushPull message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.gossip.PushPull
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.gossip.PushPull} PushPull
             */
            PushPull.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.gossip.PushPull)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.gossip.PushPull: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.gossip.PushPull();
                if (d.join != null) {
                    m.join = Boolean(d.join);
                }
                if (d.reply != null) {
                    m.reply = Boolean(d.reply);
                }
                if (d.members) {
                    if (!Array.isArray(d.members))
                        throw TypeError(".loom.gossip.PushPull.members: array expected");
                    m.members = [];
                    for (var i = 0; i < d.members.length; ++i) {
                        if (!$util.isObject(d.members[i]))
                            throw TypeError(".loom.gossip.PushPull.members: object expected");
                        m.members[i] = $root.loom.gossip.MemberRecord.fromObject(d.members[i], n + 1);
                    }
                }
                if (d.appState != null) {
                    if (typeof d.appState === "string")
                        $util.base64.decode(d.appState, m.appState = $util.newBuffer($util.base64.length(d.appState)), 0);
                    else if (d.appState.length >= 0)
                        m.appState = d.appState;
                }
                return m;
            };

            /**
             * Creates a plain object from a PushPull message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.gossip.PushPull
             * @static
             * @param {loom.gossip.PushPull} m PushPull
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            PushPull.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.arrays || o.defaults) {
                    d.members = [];
                }
                if (o.defaults) {
                    d.join = false;
                    d.reply = false;
                    if (o.bytes === String)
                        d.appState = "";
                    else {
                        d.appState = [];
                        if (o.bytes !== Array)
                            d.appState = $util.newBuffer(d.appState);
                    }
                }
                if (m.join != null && Object.hasOwnProperty.call(m, "join")) {
                    d.join = m.join;
                }
                if (m.reply != null && Object.hasOwnProperty.call(m, "reply")) {
                    d.reply = m.reply;
                }
                if (m.members && m.members.length) {
                    d.members = [];
                    for (var j = 0; j < m.members.length; ++j) {
                        d.members[j] = $root.loom.gossip.MemberRecord.toObject(m.members[j], o, q + 1);
                    }
                }
                if (m.appState != null && Object.hasOwnProperty.call(m, "appState")) {
                    d.appState = o.bytes === String ? $util.base64.encode(m.appState, 0, m.appState.length) : o.bytes === Array ? Array.prototype.slice.call(m.appState) : m.appState;
                }
                return d;
            };

            /**
             * Converts this PushPull to JSON.
             * @function toJSON
             * @memberof loom.gossip.PushPull
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            PushPull.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for PushPull
             * @function getTypeUrl
             * @memberof loom.gossip.PushPull
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            PushPull.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.gossip.PushPull";
            };

            return PushPull;
        })();

        gossip.GossipPacket = (function() {

            /**
             * Properties of a GossipPacket.
             * @memberof loom.gossip
             * @interface IGossipPacket
             * @property {number|null} [version] GossipPacket version
             * @property {string|null} [clusterId] GossipPacket clusterId
             * @property {Uint8Array|null} [senderId] GossipPacket senderId
             * @property {loom.gossip.IPing|null} [ping] GossipPacket ping
             * @property {loom.gossip.IAck|null} [ack] GossipPacket ack
             * @property {loom.gossip.IPingReq|null} [pingReq] GossipPacket pingReq
             * @property {loom.gossip.IPushPull|null} [pushPull] GossipPacket pushPull
             * @property {Array.<loom.gossip.IMemberUpdate>|null} [updates] GossipPacket updates
             * @property {Array.<Uint8Array>|null} [appDeltas] GossipPacket appDeltas
             */

            /**
             * Constructs a new GossipPacket.
             * @memberof loom.gossip
             * @classdesc Represents a GossipPacket.
             * @implements IGossipPacket
             * @constructor
             * @param {loom.gossip.IGossipPacket=} [p] Properties to set
             */
            function GossipPacket(p) {
                this.updates = [];
                this.appDeltas = [];
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * GossipPacket version.
             * @member {number} version
             * @memberof loom.gossip.GossipPacket
             * @instance
             */
            GossipPacket.prototype.version = 0;

            /**
             * GossipPacket clusterId.
             * @member {string} clusterId
             * @memberof loom.gossip.GossipPacket
             * @instance
             */
            GossipPacket.prototype.clusterId = "";

            /**
             * GossipPacket senderId.
             * @member {Uint8Array} senderId
             * @memberof loom.gossip.GossipPacket
             * @instance
             */
            GossipPacket.prototype.senderId = $util.newBuffer([]);

            /**
             * GossipPacket ping.
             * @member {loom.gossip.IPing|null|undefined} ping
             * @memberof loom.gossip.GossipPacket
             * @instance
             */
            GossipPacket.prototype.ping = null;

            /**
             * GossipPacket ack.
             * @member {loom.gossip.IAck|null|undefined} ack
             * @memberof loom.gossip.GossipPacket
             * @instance
             */
            GossipPacket.prototype.ack = null;

            /**
             * GossipPacket pingReq.
             * @member {loom.gossip.IPingReq|null|undefined} pingReq
             * @memberof loom.gossip.GossipPacket
             * @instance
             */
            GossipPacket.prototype.pingReq = null;

            /**
             * GossipPacket pushPull.
             * @member {loom.gossip.IPushPull|null|undefined} pushPull
             * @memberof loom.gossip.GossipPacket
             * @instance
             */
            GossipPacket.prototype.pushPull = null;

            /**
             * GossipPacket updates.
             * @member {Array.<loom.gossip.IMemberUpdate>} updates
             * @memberof loom.gossip.GossipPacket
             * @instance
             */
            GossipPacket.prototype.updates = $util.emptyArray;

            /**
             * GossipPacket appDeltas.
             * @member {Array.<Uint8Array>} appDeltas
             * @memberof loom.gossip.GossipPacket
             * @instance
             */
            GossipPacket.prototype.appDeltas = $util.emptyArray;

            // OneOf field names bound to virtual getters and setters
            var $oneOfFields;

            /**
             * GossipPacket body.
             * @member {"ping"|"ack"|"pingReq"|"pushPull"|undefined} body
             * @memberof loom.gossip.GossipPacket
             * @instance
             */
            Object.defineProperty(GossipPacket.prototype, "body", {
                get: $util.oneOfGetter($oneOfFields = ["ping", "ack", "pingReq", "pushPull"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new GossipPacket instance using the specified properties.
             * @function create
             * @memberof loom.gossip.GossipPacket
             * @static
             * @param {loom.gossip.IGossipPacket=} [properties] Properties to set
             * @returns {loom.gossip.GossipPacket} GossipPacket instance
             */
            GossipPacket.create = function create(properties) {
                return new GossipPacket(properties);
            };

            /**
             * Encodes the specified GossipPacket message. Does not implicitly {@link loom.gossip.GossipPacket.verify|verify} messages.
             * @function encode
             * @memberof loom.gossip.GossipPacket
             * @static
             * @param {loom.gossip.IGossipPacket} m GossipPacket message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            GossipPacket.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.version != null && Object.hasOwnProperty.call(m, "version"))
                    w.uint32(8).uint32(m.version);
                if (m.clusterId != null && Object.hasOwnProperty.call(m, "clusterId"))
                    w.uint32(18).string(m.clusterId);
                if (m.senderId != null && Object.hasOwnProperty.call(m, "senderId"))
                    w.uint32(26).bytes(m.senderId);
                if (m.ping != null && Object.hasOwnProperty.call(m, "ping"))
                    $root.loom.gossip.Ping.encode(m.ping, w.uint32(34).fork(), q + 1).ldelim();
                if (m.ack != null && Object.hasOwnProperty.call(m, "ack"))
                    $root.loom.gossip.Ack.encode(m.ack, w.uint32(42).fork(), q + 1).ldelim();
                if (m.pingReq != null && Object.hasOwnProperty.call(m, "pingReq"))
                    $root.loom.gossip.PingReq.encode(m.pingReq, w.uint32(50).fork(), q + 1).ldelim();
                if (m.pushPull != null && Object.hasOwnProperty.call(m, "pushPull"))
                    $root.loom.gossip.PushPull.encode(m.pushPull, w.uint32(58).fork(), q + 1).ldelim();
                if (m.updates != null && m.updates.length) {
                    for (var i = 0; i < m.updates.length; ++i)
                        $root.loom.gossip.MemberUpdate.encode(m.updates[i], w.uint32(66).fork(), q + 1).ldelim();
                }
                if (m.appDeltas != null && m.appDeltas.length) {
                    for (var i = 0; i < m.appDeltas.length; ++i)
                        w.uint32(74).bytes(m.appDeltas[i]);
                }
                return w;
            };

            /**
             * Encodes the specified GossipPacket message, length delimited. Does not implicitly {@link loom.gossip.GossipPacket.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.gossip.GossipPacket
             * @static
             * @param {loom.gossip.IGossipPacket} message GossipPacket message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            GossipPacket.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a GossipPacket message from the specified reader or buffer.
             * @function decode
             * @memberof loom.gossip.GossipPacket
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.gossip.GossipPacket} GossipPacket
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            GossipPacket.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.gossip.GossipPacket();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.version = r.uint32();
                            break;
                        }
                    case 2: {
                            m.clusterId = r.string();
                            break;
                        }
                    case 3: {
                            m.senderId = r.bytes();
                            break;
                        }
                    case 4: {
                            m.ping = $root.loom.gossip.Ping.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 5: {
                            m.ack = $root.loom.gossip.Ack.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 6: {
                            m.pingReq = $root.loom.gossip.PingReq.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 7: {
                            m.pushPull = $root.loom.gossip.PushPull.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 8: {
                            if (!(m.updates && m.updates.length))
                                m.updates = [];
                            m.updates.push($root.loom.gossip.MemberUpdate.decode(r, r.uint32(), undefined, n + 1));
                            break;
                        }
                    case 9: {
                            if (!(m.appDeltas && m.appDeltas.length))
                                m.appDeltas = [];
                            m.appDeltas.push(r.bytes());
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a GossipPacket message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.gossip.GossipPacket
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.gossip.GossipPacket} GossipPacket
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            GossipPacket.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a GossipPacket message.
             * @function verify
             * @memberof loom.gossip.GossipPacket
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            GossipPacket.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                var p = {};
                if (m.version != null && Object.hasOwnProperty.call(m, "version")) {
                    if (!$util.isInteger(m.version))
                        return "version: integer expected";
                }
                if (m.clusterId != null && Object.hasOwnProperty.call(m, "clusterId")) {
                    if (!$util.isString(m.clusterId))
                        return "clusterId: string expected";
                }
                if (m.senderId != null && Object.hasOwnProperty.call(m, "senderId")) {
                    if (!(m.senderId && typeof m.senderId.length === "number" || $util.isString(m.senderId)))
                        return "senderId: buffer expected";
                }
                if (m.ping != null && Object.hasOwnProperty.call(m, "ping")) {
                    p.body = 1;
                    {
                        var e = $root.loom.gossip.Ping.verify(m.ping, n + 1);
                        if (e)
                            return "ping." + e;
                    }
                }
                if (m.ack != null && Object.hasOwnProperty.call(m, "ack")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.gossip.Ack.verify(m.ack, n + 1);
                        if (e)
                            return "ack." + e;
                    }
                }
                if (m.pingReq != null && Object.hasOwnProperty.call(m, "pingReq")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.gossip.PingReq.verify(m.pingReq, n + 1);
                        if (e)
                            return "pingReq." + e;
                    }
                }
                if (m.pushPull != null && Object.hasOwnProperty.call(m, "pushPull")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.gossip.PushPull.verify(m.pushPull, n + 1);
                        if (e)
                            return "pushPull." + e;
                    }
                }
                if (m.updates != null && Object.hasOwnProperty.call(m, "updates")) {
                    if (!Array.isArray(m.updates))
                        return "updates: array expected";
                    for (var i = 0; i < m.updates.length; ++i) {
                        {
                            var e = $root.loom.gossip.MemberUpdate.verify(m.updates[i], n + 1);
                            if (e)
                                return "updates." + e;
                        }
                    }
                }
                if (m.appDeltas != null && Object.hasOwnProperty.call(m, "appDeltas")) {
                    if (!Array.isArray(m.appDeltas))
                        return "appDeltas: array expected";
                    for (var i = 0; i < m.appDeltas.length; ++i) {
                        if (!(m.appDeltas[i] && typeof m.appDeltas[i].length === "number" || $util.isString(m.appDeltas[i])))
                            return "appDeltas: buffer[] expected";
                    }
                }
                return null;
            };

            /**
             * Creates a GossipPacket message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.gossip.GossipPacket
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.gossip.GossipPacket} GossipPacket
             */
            GossipPacket.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.gossip.GossipPacket)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.gossip.GossipPacket: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.gossip.GossipPacket();
                if (d.version != null) {
                    m.version = d.version >>> 0;
                }
                if (d.clusterId != null) {
                    m.clusterId = String(d.clusterId);
                }
                if (d.senderId != null) {
                    if (typeof d.senderId === "string")
                        $util.base64.decode(d.senderId, m.senderId = $util.newBuffer($util.base64.length(d.senderId)), 0);
                    else if (d.senderId.length >= 0)
                        m.senderId = d.senderId;
                }
                if (d.ping != null) {
                    if (!$util.isObject(d.ping))
                        throw TypeError(".loom.gossip.GossipPacket.ping: object expected");
                    m.ping = $root.loom.gossip.Ping.fromObject(d.ping, n + 1);
                }
                if (d.ack != null) {
                    if (!$util.isObject(d.ack))
                        throw TypeError(".loom.gossip.GossipPacket.ack: object expected");
                    m.ack = $root.loom.gossip.Ack.fromObject(d.ack, n + 1);
                }
                if (d.pingReq != null) {
                    if (!$util.isObject(d.pingReq))
                        throw TypeError(".loom.gossip.GossipPacket.pingReq: object expected");
                    m.pingReq = $root.loom.gossip.PingReq.fromObject(d.pingReq, n + 1);
                }
                if (d.pushPull != null) {
                    if (!$util.isObject(d.pushPull))
                        throw TypeError(".loom.gossip.GossipPacket.pushPull: object expected");
                    m.pushPull = $root.loom.gossip.PushPull.fromObject(d.pushPull, n + 1);
                }
                if (d.updates) {
                    if (!Array.isArray(d.updates))
                        throw TypeError(".loom.gossip.GossipPacket.updates: array expected");
                    m.updates = [];
                    for (var i = 0; i < d.updates.length; ++i) {
                        if (!$util.isObject(d.updates[i]))
                            throw TypeError(".loom.gossip.GossipPacket.updates: object expected");
                        m.updates[i] = $root.loom.gossip.MemberUpdate.fromObject(d.updates[i], n + 1);
                    }
                }
                if (d.appDeltas) {
                    if (!Array.isArray(d.appDeltas))
                        throw TypeError(".loom.gossip.GossipPacket.appDeltas: array expected");
                    m.appDeltas = [];
                    for (var i = 0; i < d.appDeltas.length; ++i) {
                        if (typeof d.appDeltas[i] === "string")
                            $util.base64.decode(d.appDeltas[i], m.appDeltas[i] = $util.newBuffer($util.base64.length(d.appDeltas[i])), 0);
                        else if (d.appDeltas[i].length >= 0)
                            m.appDeltas[i] = d.appDeltas[i];
                    }
                }
                return m;
            };

            /**
             * Creates a plain object from a GossipPacket message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.gossip.GossipPacket
             * @static
             * @param {loom.gossip.GossipPacket} m GossipPacket
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            GossipPacket.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.arrays || o.defaults) {
                    d.updates = [];
                    d.appDeltas = [];
                }
                if (o.defaults) {
                    d.version = 0;
                    d.clusterId = "";
                    if (o.bytes === String)
                        d.senderId = "";
                    else {
                        d.senderId = [];
                        if (o.bytes !== Array)
                            d.senderId = $util.newBuffer(d.senderId);
                    }
                }
                if (m.version != null && Object.hasOwnProperty.call(m, "version")) {
                    d.version = m.version;
                }
                if (m.clusterId != null && Object.hasOwnProperty.call(m, "clusterId")) {
                    d.clusterId = m.clusterId;
                }
                if (m.senderId != null && Object.hasOwnProperty.call(m, "senderId")) {
                    d.senderId = o.bytes === String ? $util.base64.encode(m.senderId, 0, m.senderId.length) : o.bytes === Array ? Array.prototype.slice.call(m.senderId) : m.senderId;
                }
                if (m.ping != null && Object.hasOwnProperty.call(m, "ping")) {
                    d.ping = $root.loom.gossip.Ping.toObject(m.ping, o, q + 1);
                    if (o.oneofs)
                        d.body = "ping";
                }
                if (m.ack != null && Object.hasOwnProperty.call(m, "ack")) {
                    d.ack = $root.loom.gossip.Ack.toObject(m.ack, o, q + 1);
                    if (o.oneofs)
                        d.body = "ack";
                }
                if (m.pingReq != null && Object.hasOwnProperty.call(m, "pingReq")) {
                    d.pingReq = $root.loom.gossip.PingReq.toObject(m.pingReq, o, q + 1);
                    if (o.oneofs)
                        d.body = "pingReq";
                }
                if (m.pushPull != null && Object.hasOwnProperty.call(m, "pushPull")) {
                    d.pushPull = $root.loom.gossip.PushPull.toObject(m.pushPull, o, q + 1);
                    if (o.oneofs)
                        d.body = "pushPull";
                }
                if (m.updates && m.updates.length) {
                    d.updates = [];
                    for (var j = 0; j < m.updates.length; ++j) {
                        d.updates[j] = $root.loom.gossip.MemberUpdate.toObject(m.updates[j], o, q + 1);
                    }
                }
                if (m.appDeltas && m.appDeltas.length) {
                    d.appDeltas = [];
                    for (var j = 0; j < m.appDeltas.length; ++j) {
                        d.appDeltas[j] = o.bytes === String ? $util.base64.encode(m.appDeltas[j], 0, m.appDeltas[j].length) : o.bytes === Array ? Array.prototype.slice.call(m.appDeltas[j]) : m.appDeltas[j];
                    }
                }
                return d;
            };

            /**
             * Converts this GossipPacket to JSON.
             * @function toJSON
             * @memberof loom.gossip.GossipPacket
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            GossipPacket.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for GossipPacket
             * @function getTypeUrl
             * @memberof loom.gossip.GossipPacket
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            GossipPacket.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.gossip.GossipPacket";
            };

            return GossipPacket;
        })();

        return gossip;
    })();

    loom.ipam = (function() {

        /**
         * Namespace ipam.
         * @memberof loom
         * @namespace
         */
        var ipam = {};

        ipam.Ballot = (function() {

            /**
             * Properties of a Ballot.
             * @memberof loom.ipam
             * @interface IBallot
             * @property {number|null} [round] Ballot round
             * @property {string|null} [node] Ballot node
             */

            /**
             * Constructs a new Ballot.
             * @memberof loom.ipam
             * @classdesc Represents a Ballot.
             * @implements IBallot
             * @constructor
             * @param {loom.ipam.IBallot=} [p] Properties to set
             */
            function Ballot(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Ballot round.
             * @member {number} round
             * @memberof loom.ipam.Ballot
             * @instance
             */
            Ballot.prototype.round = 0;

            /**
             * Ballot node.
             * @member {string} node
             * @memberof loom.ipam.Ballot
             * @instance
             */
            Ballot.prototype.node = "";

            /**
             * Creates a new Ballot instance using the specified properties.
             * @function create
             * @memberof loom.ipam.Ballot
             * @static
             * @param {loom.ipam.IBallot=} [properties] Properties to set
             * @returns {loom.ipam.Ballot} Ballot instance
             */
            Ballot.create = function create(properties) {
                return new Ballot(properties);
            };

            /**
             * Encodes the specified Ballot message. Does not implicitly {@link loom.ipam.Ballot.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.Ballot
             * @static
             * @param {loom.ipam.IBallot} m Ballot message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Ballot.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.round != null && Object.hasOwnProperty.call(m, "round"))
                    w.uint32(8).uint32(m.round);
                if (m.node != null && Object.hasOwnProperty.call(m, "node"))
                    w.uint32(18).string(m.node);
                return w;
            };

            /**
             * Encodes the specified Ballot message, length delimited. Does not implicitly {@link loom.ipam.Ballot.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.Ballot
             * @static
             * @param {loom.ipam.IBallot} message Ballot message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Ballot.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a Ballot message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.Ballot
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.Ballot} Ballot
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Ballot.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.Ballot();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.round = r.uint32();
                            break;
                        }
                    case 2: {
                            m.node = r.string();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a Ballot message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.Ballot
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.Ballot} Ballot
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Ballot.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a Ballot message.
             * @function verify
             * @memberof loom.ipam.Ballot
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Ballot.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.round != null && Object.hasOwnProperty.call(m, "round")) {
                    if (!$util.isInteger(m.round))
                        return "round: integer expected";
                }
                if (m.node != null && Object.hasOwnProperty.call(m, "node")) {
                    if (!$util.isString(m.node))
                        return "node: string expected";
                }
                return null;
            };

            /**
             * Creates a Ballot message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.Ballot
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.Ballot} Ballot
             */
            Ballot.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.Ballot)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.Ballot: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.Ballot();
                if (d.round != null) {
                    m.round = d.round >>> 0;
                }
                if (d.node != null) {
                    m.node = String(d.node);
                }
                return m;
            };

            /**
             * Creates a plain object from a Ballot message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.Ballot
             * @static
             * @param {loom.ipam.Ballot} m Ballot
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Ballot.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.round = 0;
                    d.node = "";
                }
                if (m.round != null && Object.hasOwnProperty.call(m, "round")) {
                    d.round = m.round;
                }
                if (m.node != null && Object.hasOwnProperty.call(m, "node")) {
                    d.node = m.node;
                }
                return d;
            };

            /**
             * Converts this Ballot to JSON.
             * @function toJSON
             * @memberof loom.ipam.Ballot
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Ballot.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Ballot
             * @function getTypeUrl
             * @memberof loom.ipam.Ballot
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Ballot.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.Ballot";
            };

            return Ballot;
        })();

        ipam.Op = (function() {

            /**
             * Properties of an Op.
             * @memberof loom.ipam
             * @interface IOp
             * @property {loom.ipam.Op.Kind|null} [kind] Op kind
             * @property {string|null} [node] Op node
             * @property {number|null} [block] Op block
             * @property {boolean|null} [forced] Op forced
             * @property {boolean|null} [anyBlock] Op anyBlock
             */

            /**
             * Constructs a new Op.
             * @memberof loom.ipam
             * @classdesc Represents an Op.
             * @implements IOp
             * @constructor
             * @param {loom.ipam.IOp=} [p] Properties to set
             */
            function Op(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Op kind.
             * @member {loom.ipam.Op.Kind} kind
             * @memberof loom.ipam.Op
             * @instance
             */
            Op.prototype.kind = 0;

            /**
             * Op node.
             * @member {string} node
             * @memberof loom.ipam.Op
             * @instance
             */
            Op.prototype.node = "";

            /**
             * Op block.
             * @member {number} block
             * @memberof loom.ipam.Op
             * @instance
             */
            Op.prototype.block = 0;

            /**
             * Op forced.
             * @member {boolean} forced
             * @memberof loom.ipam.Op
             * @instance
             */
            Op.prototype.forced = false;

            /**
             * Op anyBlock.
             * @member {boolean} anyBlock
             * @memberof loom.ipam.Op
             * @instance
             */
            Op.prototype.anyBlock = false;

            /**
             * Creates a new Op instance using the specified properties.
             * @function create
             * @memberof loom.ipam.Op
             * @static
             * @param {loom.ipam.IOp=} [properties] Properties to set
             * @returns {loom.ipam.Op} Op instance
             */
            Op.create = function create(properties) {
                return new Op(properties);
            };

            /**
             * Encodes the specified Op message. Does not implicitly {@link loom.ipam.Op.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.Op
             * @static
             * @param {loom.ipam.IOp} m Op message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Op.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.kind != null && Object.hasOwnProperty.call(m, "kind"))
                    w.uint32(8).int32(m.kind);
                if (m.node != null && Object.hasOwnProperty.call(m, "node"))
                    w.uint32(18).string(m.node);
                if (m.block != null && Object.hasOwnProperty.call(m, "block"))
                    w.uint32(24).uint32(m.block);
                if (m.forced != null && Object.hasOwnProperty.call(m, "forced"))
                    w.uint32(32).bool(m.forced);
                if (m.anyBlock != null && Object.hasOwnProperty.call(m, "anyBlock"))
                    w.uint32(40).bool(m.anyBlock);
                return w;
            };

            /**
             * Encodes the specified Op message, length delimited. Does not implicitly {@link loom.ipam.Op.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.Op
             * @static
             * @param {loom.ipam.IOp} message Op message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Op.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes an Op message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.Op
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.Op} Op
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Op.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.Op();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.kind = r.int32();
                            break;
                        }
                    case 2: {
                            m.node = r.string();
                            break;
                        }
                    case 3: {
                            m.block = r.uint32();
                            break;
                        }
                    case 4: {
                            m.forced = r.bool();
                            break;
                        }
                    case 5: {
                            m.anyBlock = r.bool();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes an Op message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.Op
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.Op} Op
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Op.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies an Op message.
             * @function verify
             * @memberof loom.ipam.Op
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Op.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.kind != null && Object.hasOwnProperty.call(m, "kind")) {
                    switch (m.kind) {
                    default:
                        return "kind: enum value expected";
                    case 0:
                    case 1:
                    case 2:
                    case 3:
                    case 4:
                    case 5:
                        break;
                    }
                }
                if (m.node != null && Object.hasOwnProperty.call(m, "node")) {
                    if (!$util.isString(m.node))
                        return "node: string expected";
                }
                if (m.block != null && Object.hasOwnProperty.call(m, "block")) {
                    if (!$util.isInteger(m.block))
                        return "block: integer expected";
                }
                if (m.forced != null && Object.hasOwnProperty.call(m, "forced")) {
                    if (typeof m.forced !== "boolean")
                        return "forced: boolean expected";
                }
                if (m.anyBlock != null && Object.hasOwnProperty.call(m, "anyBlock")) {
                    if (typeof m.anyBlock !== "boolean")
                        return "anyBlock: boolean expected";
                }
                return null;
            };

            /**
             * Creates an Op message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.Op
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.Op} Op
             */
            Op.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.Op)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.Op: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.Op();
                switch (d.kind) {
                default:
                    if (typeof d.kind === "number") {
                        m.kind = d.kind;
                        break;
                    }
                    break;
                case "JOIN":
                case 0:
                    m.kind = 0;
                    break;
                case "CLAIM":
                case 1:
                    m.kind = 1;
                    break;
                case "RELEASE":
                case 2:
                    m.kind = 2;
                    break;
                case "SUSPECT":
                case 3:
                    m.kind = 3;
                    break;
                case "UNSUSPECT":
                case 4:
                    m.kind = 4;
                    break;
                case "REMOVE":
                case 5:
                    m.kind = 5;
                    break;
                }
                if (d.node != null) {
                    m.node = String(d.node);
                }
                if (d.block != null) {
                    m.block = d.block >>> 0;
                }
                if (d.forced != null) {
                    m.forced = Boolean(d.forced);
                }
                if (d.anyBlock != null) {
                    m.anyBlock = Boolean(d.anyBlock);
                }
                return m;
            };

            /**
             * Creates a plain object from an Op message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.Op
             * @static
             * @param {loom.ipam.Op} m Op
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Op.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.kind = o.enums === String ? "JOIN" : 0;
                    d.node = "";
                    d.block = 0;
                    d.forced = false;
                    d.anyBlock = false;
                }
                if (m.kind != null && Object.hasOwnProperty.call(m, "kind")) {
                    d.kind = o.enums === String ? $root.loom.ipam.Op.Kind[m.kind] === undefined ? m.kind : $root.loom.ipam.Op.Kind[m.kind] : m.kind;
                }
                if (m.node != null && Object.hasOwnProperty.call(m, "node")) {
                    d.node = m.node;
                }
                if (m.block != null && Object.hasOwnProperty.call(m, "block")) {
                    d.block = m.block;
                }
                if (m.forced != null && Object.hasOwnProperty.call(m, "forced")) {
                    d.forced = m.forced;
                }
                if (m.anyBlock != null && Object.hasOwnProperty.call(m, "anyBlock")) {
                    d.anyBlock = m.anyBlock;
                }
                return d;
            };

            /**
             * Converts this Op to JSON.
             * @function toJSON
             * @memberof loom.ipam.Op
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Op.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Op
             * @function getTypeUrl
             * @memberof loom.ipam.Op
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Op.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.Op";
            };

            /**
             * Kind enum.
             * @name loom.ipam.Op.Kind
             * @enum {number}
             * @property {number} JOIN=0 JOIN value
             * @property {number} CLAIM=1 CLAIM value
             * @property {number} RELEASE=2 RELEASE value
             * @property {number} SUSPECT=3 SUSPECT value
             * @property {number} UNSUSPECT=4 UNSUSPECT value
             * @property {number} REMOVE=5 REMOVE value
             */
            Op.Kind = (function() {
                var valuesById = {}, values = Object.create(valuesById);
                values[valuesById[0] = "JOIN"] = 0;
                values[valuesById[1] = "CLAIM"] = 1;
                values[valuesById[2] = "RELEASE"] = 2;
                values[valuesById[3] = "SUSPECT"] = 3;
                values[valuesById[4] = "UNSUSPECT"] = 4;
                values[valuesById[5] = "REMOVE"] = 5;
                return values;
            })();

            return Op;
        })();

        ipam.BlockRecord = (function() {

            /**
             * Properties of a BlockRecord.
             * @memberof loom.ipam
             * @interface IBlockRecord
             * @property {number|null} [block] BlockRecord block
             * @property {string|null} [owner] BlockRecord owner
             * @property {number|null} [epoch] BlockRecord epoch
             * @property {loom.ipam.BlockRecord.State|null} [state] BlockRecord state
             */

            /**
             * Constructs a new BlockRecord.
             * @memberof loom.ipam
             * @classdesc Represents a BlockRecord.
             * @implements IBlockRecord
             * @constructor
             * @param {loom.ipam.IBlockRecord=} [p] Properties to set
             */
            function BlockRecord(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * BlockRecord block.
             * @member {number} block
             * @memberof loom.ipam.BlockRecord
             * @instance
             */
            BlockRecord.prototype.block = 0;

            /**
             * BlockRecord owner.
             * @member {string} owner
             * @memberof loom.ipam.BlockRecord
             * @instance
             */
            BlockRecord.prototype.owner = "";

            /**
             * BlockRecord epoch.
             * @member {number} epoch
             * @memberof loom.ipam.BlockRecord
             * @instance
             */
            BlockRecord.prototype.epoch = 0;

            /**
             * BlockRecord state.
             * @member {loom.ipam.BlockRecord.State} state
             * @memberof loom.ipam.BlockRecord
             * @instance
             */
            BlockRecord.prototype.state = 0;

            /**
             * Creates a new BlockRecord instance using the specified properties.
             * @function create
             * @memberof loom.ipam.BlockRecord
             * @static
             * @param {loom.ipam.IBlockRecord=} [properties] Properties to set
             * @returns {loom.ipam.BlockRecord} BlockRecord instance
             */
            BlockRecord.create = function create(properties) {
                return new BlockRecord(properties);
            };

            /**
             * Encodes the specified BlockRecord message. Does not implicitly {@link loom.ipam.BlockRecord.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.BlockRecord
             * @static
             * @param {loom.ipam.IBlockRecord} m BlockRecord message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            BlockRecord.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.block != null && Object.hasOwnProperty.call(m, "block"))
                    w.uint32(8).uint32(m.block);
                if (m.owner != null && Object.hasOwnProperty.call(m, "owner"))
                    w.uint32(18).string(m.owner);
                if (m.epoch != null && Object.hasOwnProperty.call(m, "epoch"))
                    w.uint32(24).uint32(m.epoch);
                if (m.state != null && Object.hasOwnProperty.call(m, "state"))
                    w.uint32(32).int32(m.state);
                return w;
            };

            /**
             * Encodes the specified BlockRecord message, length delimited. Does not implicitly {@link loom.ipam.BlockRecord.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.BlockRecord
             * @static
             * @param {loom.ipam.IBlockRecord} message BlockRecord message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            BlockRecord.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a BlockRecord message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.BlockRecord
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.BlockRecord} BlockRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            BlockRecord.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.BlockRecord();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.block = r.uint32();
                            break;
                        }
                    case 2: {
                            m.owner = r.string();
                            break;
                        }
                    case 3: {
                            m.epoch = r.uint32();
                            break;
                        }
                    case 4: {
                            m.state = r.int32();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a BlockRecord message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.BlockRecord
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.BlockRecord} BlockRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            BlockRecord.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a BlockRecord message.
             * @function verify
             * @memberof loom.ipam.BlockRecord
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            BlockRecord.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.block != null && Object.hasOwnProperty.call(m, "block")) {
                    if (!$util.isInteger(m.block))
                        return "block: integer expected";
                }
                if (m.owner != null && Object.hasOwnProperty.call(m, "owner")) {
                    if (!$util.isString(m.owner))
                        return "owner: string expected";
                }
                if (m.epoch != null && Object.hasOwnProperty.call(m, "epoch")) {
                    if (!$util.isInteger(m.epoch))
                        return "epoch: integer expected";
                }
                if (m.state != null && Object.hasOwnProperty.call(m, "state")) {
                    switch (m.state) {
                    default:
                        return "state: enum value expected";
                    case 0:
                    case 1:
                        break;
                    }
                }
                return null;
            };

            /**
             * Creates a BlockRecord message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.BlockRecord
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.BlockRecord} BlockRecord
             */
            BlockRecord.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.BlockRecord)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.BlockRecord: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.BlockRecord();
                if (d.block != null) {
                    m.block = d.block >>> 0;
                }
                if (d.owner != null) {
                    m.owner = String(d.owner);
                }
                if (d.epoch != null) {
                    m.epoch = d.epoch >>> 0;
                }
                switch (d.state) {
                default:
                    if (typeof d.state === "number") {
                        m.state = d.state;
                        break;
                    }
                    break;
                case "FREE":
                case 0:
                    m.state = 0;
                    break;
                case "OWNED":
                case 1:
                    m.state = 1;
                    break;
                }
                return m;
            };

            /**
             * Creates a plain object from a BlockRecord message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.BlockRecord
             * @static
             * @param {loom.ipam.BlockRecord} m BlockRecord
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            BlockRecord.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.block = 0;
                    d.owner = "";
                    d.epoch = 0;
                    d.state = o.enums === String ? "FREE" : 0;
                }
                if (m.block != null && Object.hasOwnProperty.call(m, "block")) {
                    d.block = m.block;
                }
                if (m.owner != null && Object.hasOwnProperty.call(m, "owner")) {
                    d.owner = m.owner;
                }
                if (m.epoch != null && Object.hasOwnProperty.call(m, "epoch")) {
                    d.epoch = m.epoch;
                }
                if (m.state != null && Object.hasOwnProperty.call(m, "state")) {
                    d.state = o.enums === String ? $root.loom.ipam.BlockRecord.State[m.state] === undefined ? m.state : $root.loom.ipam.BlockRecord.State[m.state] : m.state;
                }
                return d;
            };

            /**
             * Converts this BlockRecord to JSON.
             * @function toJSON
             * @memberof loom.ipam.BlockRecord
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            BlockRecord.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for BlockRecord
             * @function getTypeUrl
             * @memberof loom.ipam.BlockRecord
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            BlockRecord.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.BlockRecord";
            };

            /**
             * State enum.
             * @name loom.ipam.BlockRecord.State
             * @enum {number}
             * @property {number} FREE=0 FREE value
             * @property {number} OWNED=1 OWNED value
             */
            BlockRecord.State = (function() {
                var valuesById = {}, values = Object.create(valuesById);
                values[valuesById[0] = "FREE"] = 0;
                values[valuesById[1] = "OWNED"] = 1;
                return values;
            })();

            return BlockRecord;
        })();

        ipam.MemberRecord = (function() {

            /**
             * Properties of a MemberRecord.
             * @memberof loom.ipam
             * @interface IMemberRecord
             * @property {string|null} [id] MemberRecord id
             * @property {number|null} [joinedSlot] MemberRecord joinedSlot
             * @property {number|null} [suspectSlot] MemberRecord suspectSlot
             * @property {boolean|null} [forced] MemberRecord forced
             */

            /**
             * Constructs a new MemberRecord.
             * @memberof loom.ipam
             * @classdesc Represents a MemberRecord.
             * @implements IMemberRecord
             * @constructor
             * @param {loom.ipam.IMemberRecord=} [p] Properties to set
             */
            function MemberRecord(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * MemberRecord id.
             * @member {string} id
             * @memberof loom.ipam.MemberRecord
             * @instance
             */
            MemberRecord.prototype.id = "";

            /**
             * MemberRecord joinedSlot.
             * @member {number} joinedSlot
             * @memberof loom.ipam.MemberRecord
             * @instance
             */
            MemberRecord.prototype.joinedSlot = 0;

            /**
             * MemberRecord suspectSlot.
             * @member {number} suspectSlot
             * @memberof loom.ipam.MemberRecord
             * @instance
             */
            MemberRecord.prototype.suspectSlot = 0;

            /**
             * MemberRecord forced.
             * @member {boolean} forced
             * @memberof loom.ipam.MemberRecord
             * @instance
             */
            MemberRecord.prototype.forced = false;

            /**
             * Creates a new MemberRecord instance using the specified properties.
             * @function create
             * @memberof loom.ipam.MemberRecord
             * @static
             * @param {loom.ipam.IMemberRecord=} [properties] Properties to set
             * @returns {loom.ipam.MemberRecord} MemberRecord instance
             */
            MemberRecord.create = function create(properties) {
                return new MemberRecord(properties);
            };

            /**
             * Encodes the specified MemberRecord message. Does not implicitly {@link loom.ipam.MemberRecord.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.MemberRecord
             * @static
             * @param {loom.ipam.IMemberRecord} m MemberRecord message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            MemberRecord.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.id != null && Object.hasOwnProperty.call(m, "id"))
                    w.uint32(10).string(m.id);
                if (m.joinedSlot != null && Object.hasOwnProperty.call(m, "joinedSlot"))
                    w.uint32(16).uint32(m.joinedSlot);
                if (m.suspectSlot != null && Object.hasOwnProperty.call(m, "suspectSlot"))
                    w.uint32(24).uint32(m.suspectSlot);
                if (m.forced != null && Object.hasOwnProperty.call(m, "forced"))
                    w.uint32(32).bool(m.forced);
                return w;
            };

            /**
             * Encodes the specified MemberRecord message, length delimited. Does not implicitly {@link loom.ipam.MemberRecord.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.MemberRecord
             * @static
             * @param {loom.ipam.IMemberRecord} message MemberRecord message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            MemberRecord.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a MemberRecord message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.MemberRecord
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.MemberRecord} MemberRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            MemberRecord.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.MemberRecord();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.id = r.string();
                            break;
                        }
                    case 2: {
                            m.joinedSlot = r.uint32();
                            break;
                        }
                    case 3: {
                            m.suspectSlot = r.uint32();
                            break;
                        }
                    case 4: {
                            m.forced = r.bool();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a MemberRecord message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.MemberRecord
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.MemberRecord} MemberRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            MemberRecord.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a MemberRecord message.
             * @function verify
             * @memberof loom.ipam.MemberRecord
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            MemberRecord.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.id != null && Object.hasOwnProperty.call(m, "id")) {
                    if (!$util.isString(m.id))
                        return "id: string expected";
                }
                if (m.joinedSlot != null && Object.hasOwnProperty.call(m, "joinedSlot")) {
                    if (!$util.isInteger(m.joinedSlot))
                        return "joinedSlot: integer expected";
                }
                if (m.suspectSlot != null && Object.hasOwnProperty.call(m, "suspectSlot")) {
                    if (!$util.isInteger(m.suspectSlot))
                        return "suspectSlot: integer expected";
                }
                if (m.forced != null && Object.hasOwnProperty.call(m, "forced")) {
                    if (typeof m.forced !== "boolean")
                        return "forced: boolean expected";
                }
                return null;
            };

            /**
             * Creates a MemberRecord message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.MemberRecord
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.MemberRecord} MemberRecord
             */
            MemberRecord.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.MemberRecord)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.MemberRecord: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.MemberRecord();
                if (d.id != null) {
                    m.id = String(d.id);
                }
                if (d.joinedSlot != null) {
                    m.joinedSlot = d.joinedSlot >>> 0;
                }
                if (d.suspectSlot != null) {
                    m.suspectSlot = d.suspectSlot >>> 0;
                }
                if (d.forced != null) {
                    m.forced = Boolean(d.forced);
                }
                return m;
            };

            /**
             * Creates a plain object from a MemberRecord message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.MemberRecord
             * @static
             * @param {loom.ipam.MemberRecord} m MemberRecord
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            MemberRecord.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.id = "";
                    d.joinedSlot = 0;
                    d.suspectSlot = 0;
                    d.forced = false;
                }
                if (m.id != null && Object.hasOwnProperty.call(m, "id")) {
                    d.id = m.id;
                }
                if (m.joinedSlot != null && Object.hasOwnProperty.call(m, "joinedSlot")) {
                    d.joinedSlot = m.joinedSlot;
                }
                if (m.suspectSlot != null && Object.hasOwnProperty.call(m, "suspectSlot")) {
                    d.suspectSlot = m.suspectSlot;
                }
                if (m.forced != null && Object.hasOwnProperty.call(m, "forced")) {
                    d.forced = m.forced;
                }
                return d;
            };

            /**
             * Converts this MemberRecord to JSON.
             * @function toJSON
             * @memberof loom.ipam.MemberRecord
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            MemberRecord.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for MemberRecord
             * @function getTypeUrl
             * @memberof loom.ipam.MemberRecord
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            MemberRecord.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.MemberRecord";
            };

            return MemberRecord;
        })();

        ipam.ClusterState = (function() {

            /**
             * Properties of a ClusterState.
             * @memberof loom.ipam
             * @interface IClusterState
             * @property {string|null} [clusterId] ClusterState clusterId
             * @property {number|null} [slot] ClusterState slot
             * @property {number|null} [configSlot] ClusterState configSlot
             * @property {Array.<loom.ipam.IMemberRecord>|null} [members] ClusterState members
             * @property {Array.<loom.ipam.IBlockRecord>|null} [blocks] ClusterState blocks
             * @property {Array.<string>|null} [removed] ClusterState removed
             */

            /**
             * Constructs a new ClusterState.
             * @memberof loom.ipam
             * @classdesc Represents a ClusterState.
             * @implements IClusterState
             * @constructor
             * @param {loom.ipam.IClusterState=} [p] Properties to set
             */
            function ClusterState(p) {
                this.members = [];
                this.blocks = [];
                this.removed = [];
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * ClusterState clusterId.
             * @member {string} clusterId
             * @memberof loom.ipam.ClusterState
             * @instance
             */
            ClusterState.prototype.clusterId = "";

            /**
             * ClusterState slot.
             * @member {number} slot
             * @memberof loom.ipam.ClusterState
             * @instance
             */
            ClusterState.prototype.slot = 0;

            /**
             * ClusterState configSlot.
             * @member {number} configSlot
             * @memberof loom.ipam.ClusterState
             * @instance
             */
            ClusterState.prototype.configSlot = 0;

            /**
             * ClusterState members.
             * @member {Array.<loom.ipam.IMemberRecord>} members
             * @memberof loom.ipam.ClusterState
             * @instance
             */
            ClusterState.prototype.members = $util.emptyArray;

            /**
             * ClusterState blocks.
             * @member {Array.<loom.ipam.IBlockRecord>} blocks
             * @memberof loom.ipam.ClusterState
             * @instance
             */
            ClusterState.prototype.blocks = $util.emptyArray;

            /**
             * ClusterState removed.
             * @member {Array.<string>} removed
             * @memberof loom.ipam.ClusterState
             * @instance
             */
            ClusterState.prototype.removed = $util.emptyArray;

            /**
             * Creates a new ClusterState instance using the specified properties.
             * @function create
             * @memberof loom.ipam.ClusterState
             * @static
             * @param {loom.ipam.IClusterState=} [properties] Properties to set
             * @returns {loom.ipam.ClusterState} ClusterState instance
             */
            ClusterState.create = function create(properties) {
                return new ClusterState(properties);
            };

            /**
             * Encodes the specified ClusterState message. Does not implicitly {@link loom.ipam.ClusterState.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.ClusterState
             * @static
             * @param {loom.ipam.IClusterState} m ClusterState message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ClusterState.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.clusterId != null && Object.hasOwnProperty.call(m, "clusterId"))
                    w.uint32(10).string(m.clusterId);
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot"))
                    w.uint32(16).uint32(m.slot);
                if (m.configSlot != null && Object.hasOwnProperty.call(m, "configSlot"))
                    w.uint32(24).uint32(m.configSlot);
                if (m.members != null && m.members.length) {
                    for (var i = 0; i < m.members.length; ++i)
                        $root.loom.ipam.MemberRecord.encode(m.members[i], w.uint32(34).fork(), q + 1).ldelim();
                }
                if (m.blocks != null && m.blocks.length) {
                    for (var i = 0; i < m.blocks.length; ++i)
                        $root.loom.ipam.BlockRecord.encode(m.blocks[i], w.uint32(42).fork(), q + 1).ldelim();
                }
                if (m.removed != null && m.removed.length) {
                    for (var i = 0; i < m.removed.length; ++i)
                        w.uint32(50).string(m.removed[i]);
                }
                return w;
            };

            /**
             * Encodes the specified ClusterState message, length delimited. Does not implicitly {@link loom.ipam.ClusterState.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.ClusterState
             * @static
             * @param {loom.ipam.IClusterState} message ClusterState message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ClusterState.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a ClusterState message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.ClusterState
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.ClusterState} ClusterState
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ClusterState.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.ClusterState();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.clusterId = r.string();
                            break;
                        }
                    case 2: {
                            m.slot = r.uint32();
                            break;
                        }
                    case 3: {
                            m.configSlot = r.uint32();
                            break;
                        }
                    case 4: {
                            if (!(m.members && m.members.length))
                                m.members = [];
                            m.members.push($root.loom.ipam.MemberRecord.decode(r, r.uint32(), undefined, n + 1));
                            break;
                        }
                    case 5: {
                            if (!(m.blocks && m.blocks.length))
                                m.blocks = [];
                            m.blocks.push($root.loom.ipam.BlockRecord.decode(r, r.uint32(), undefined, n + 1));
                            break;
                        }
                    case 6: {
                            if (!(m.removed && m.removed.length))
                                m.removed = [];
                            m.removed.push(r.string());
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a ClusterState message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.ClusterState
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.ClusterState} ClusterState
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ClusterState.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a ClusterState message.
             * @function verify
             * @memberof loom.ipam.ClusterState
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            ClusterState.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.clusterId != null && Object.hasOwnProperty.call(m, "clusterId")) {
                    if (!$util.isString(m.clusterId))
                        return "clusterId: string expected";
                }
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    if (!$util.isInteger(m.slot))
                        return "slot: integer expected";
                }
                if (m.configSlot != null && Object.hasOwnProperty.call(m, "configSlot")) {
                    if (!$util.isInteger(m.configSlot))
                        return "configSlot: integer expected";
                }
                if (m.members != null && Object.hasOwnProperty.call(m, "members")) {
                    if (!Array.isArray(m.members))
                        return "members: array expected";
                    for (var i = 0; i < m.members.length; ++i) {
                        {
                            var e = $root.loom.ipam.MemberRecord.verify(m.members[i], n + 1);
                            if (e)
                                return "members." + e;
                        }
                    }
                }
                if (m.blocks != null && Object.hasOwnProperty.call(m, "blocks")) {
                    if (!Array.isArray(m.blocks))
                        return "blocks: array expected";
                    for (var i = 0; i < m.blocks.length; ++i) {
                        {
                            var e = $root.loom.ipam.BlockRecord.verify(m.blocks[i], n + 1);
                            if (e)
                                return "blocks." + e;
                        }
                    }
                }
                if (m.removed != null && Object.hasOwnProperty.call(m, "removed")) {
                    if (!Array.isArray(m.removed))
                        return "removed: array expected";
                    for (var i = 0; i < m.removed.length; ++i) {
                        if (!$util.isString(m.removed[i]))
                            return "removed: string[] expected";
                    }
                }
                return null;
            };

            /**
             * Creates a ClusterState message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.ClusterState
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.ClusterState} ClusterState
             */
            ClusterState.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.ClusterState)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.ClusterState: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.ClusterState();
                if (d.clusterId != null) {
                    m.clusterId = String(d.clusterId);
                }
                if (d.slot != null) {
                    m.slot = d.slot >>> 0;
                }
                if (d.configSlot != null) {
                    m.configSlot = d.configSlot >>> 0;
                }
                if (d.members) {
                    if (!Array.isArray(d.members))
                        throw TypeError(".loom.ipam.ClusterState.members: array expected");
                    m.members = [];
                    for (var i = 0; i < d.members.length; ++i) {
                        if (!$util.isObject(d.members[i]))
                            throw TypeError(".loom.ipam.ClusterState.members: object expected");
                        m.members[i] = $root.loom.ipam.MemberRecord.fromObject(d.members[i], n + 1);
                    }
                }
                if (d.blocks) {
                    if (!Array.isArray(d.blocks))
                        throw TypeError(".loom.ipam.ClusterState.blocks: array expected");
                    m.blocks = [];
                    for (var i = 0; i < d.blocks.length; ++i) {
                        if (!$util.isObject(d.blocks[i]))
                            throw TypeError(".loom.ipam.ClusterState.blocks: object expected");
                        m.blocks[i] = $root.loom.ipam.BlockRecord.fromObject(d.blocks[i], n + 1);
                    }
                }
                if (d.removed) {
                    if (!Array.isArray(d.removed))
                        throw TypeError(".loom.ipam.ClusterState.removed: array expected");
                    m.removed = [];
                    for (var i = 0; i < d.removed.length; ++i) {
                        m.removed[i] = String(d.removed[i]);
                    }
                }
                return m;
            };

            /**
             * Creates a plain object from a ClusterState message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.ClusterState
             * @static
             * @param {loom.ipam.ClusterState} m ClusterState
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            ClusterState.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.arrays || o.defaults) {
                    d.members = [];
                    d.blocks = [];
                    d.removed = [];
                }
                if (o.defaults) {
                    d.clusterId = "";
                    d.slot = 0;
                    d.configSlot = 0;
                }
                if (m.clusterId != null && Object.hasOwnProperty.call(m, "clusterId")) {
                    d.clusterId = m.clusterId;
                }
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    d.slot = m.slot;
                }
                if (m.configSlot != null && Object.hasOwnProperty.call(m, "configSlot")) {
                    d.configSlot = m.configSlot;
                }
                if (m.members && m.members.length) {
                    d.members = [];
                    for (var j = 0; j < m.members.length; ++j) {
                        d.members[j] = $root.loom.ipam.MemberRecord.toObject(m.members[j], o, q + 1);
                    }
                }
                if (m.blocks && m.blocks.length) {
                    d.blocks = [];
                    for (var j = 0; j < m.blocks.length; ++j) {
                        d.blocks[j] = $root.loom.ipam.BlockRecord.toObject(m.blocks[j], o, q + 1);
                    }
                }
                if (m.removed && m.removed.length) {
                    d.removed = [];
                    for (var j = 0; j < m.removed.length; ++j) {
                        d.removed[j] = m.removed[j];
                    }
                }
                return d;
            };

            /**
             * Converts this ClusterState to JSON.
             * @function toJSON
             * @memberof loom.ipam.ClusterState
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            ClusterState.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for ClusterState
             * @function getTypeUrl
             * @memberof loom.ipam.ClusterState
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            ClusterState.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.ClusterState";
            };

            return ClusterState;
        })();

        ipam.Prepare = (function() {

            /**
             * Properties of a Prepare.
             * @memberof loom.ipam
             * @interface IPrepare
             * @property {number|null} [slot] Prepare slot
             * @property {loom.ipam.IBallot|null} [ballot] Prepare ballot
             */

            /**
             * Constructs a new Prepare.
             * @memberof loom.ipam
             * @classdesc Represents a Prepare.
             * @implements IPrepare
             * @constructor
             * @param {loom.ipam.IPrepare=} [p] Properties to set
             */
            function Prepare(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Prepare slot.
             * @member {number} slot
             * @memberof loom.ipam.Prepare
             * @instance
             */
            Prepare.prototype.slot = 0;

            /**
             * Prepare ballot.
             * @member {loom.ipam.IBallot|null|undefined} ballot
             * @memberof loom.ipam.Prepare
             * @instance
             */
            Prepare.prototype.ballot = null;

            /**
             * Creates a new Prepare instance using the specified properties.
             * @function create
             * @memberof loom.ipam.Prepare
             * @static
             * @param {loom.ipam.IPrepare=} [properties] Properties to set
             * @returns {loom.ipam.Prepare} Prepare instance
             */
            Prepare.create = function create(properties) {
                return new Prepare(properties);
            };

            /**
             * Encodes the specified Prepare message. Does not implicitly {@link loom.ipam.Prepare.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.Prepare
             * @static
             * @param {loom.ipam.IPrepare} m Prepare message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Prepare.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot"))
                    w.uint32(8).uint32(m.slot);
                if (m.ballot != null && Object.hasOwnProperty.call(m, "ballot"))
                    $root.loom.ipam.Ballot.encode(m.ballot, w.uint32(18).fork(), q + 1).ldelim();
                return w;
            };

            /**
             * Encodes the specified Prepare message, length delimited. Does not implicitly {@link loom.ipam.Prepare.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.Prepare
             * @static
             * @param {loom.ipam.IPrepare} message Prepare message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Prepare.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a Prepare message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.Prepare
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.Prepare} Prepare
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Prepare.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.Prepare();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.slot = r.uint32();
                            break;
                        }
                    case 2: {
                            m.ballot = $root.loom.ipam.Ballot.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a Prepare message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.Prepare
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.Prepare} Prepare
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Prepare.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a Prepare message.
             * @function verify
             * @memberof loom.ipam.Prepare
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Prepare.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    if (!$util.isInteger(m.slot))
                        return "slot: integer expected";
                }
                if (m.ballot != null && Object.hasOwnProperty.call(m, "ballot")) {
                    {
                        var e = $root.loom.ipam.Ballot.verify(m.ballot, n + 1);
                        if (e)
                            return "ballot." + e;
                    }
                }
                return null;
            };

            /**
             * Creates a Prepare message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.Prepare
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.Prepare} Prepare
             */
            Prepare.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.Prepare)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.Prepare: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.Prepare();
                if (d.slot != null) {
                    m.slot = d.slot >>> 0;
                }
                if (d.ballot != null) {
                    if (!$util.isObject(d.ballot))
                        throw TypeError(".loom.ipam.Prepare.ballot: object expected");
                    m.ballot = $root.loom.ipam.Ballot.fromObject(d.ballot, n + 1);
                }
                return m;
            };

            /**
             * Creates a plain object from a Prepare message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.Prepare
             * @static
             * @param {loom.ipam.Prepare} m Prepare
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Prepare.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.slot = 0;
                    d.ballot = null;
                }
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    d.slot = m.slot;
                }
                if (m.ballot != null && Object.hasOwnProperty.call(m, "ballot")) {
                    d.ballot = $root.loom.ipam.Ballot.toObject(m.ballot, o, q + 1);
                }
                return d;
            };

            /**
             * Converts this Prepare to JSON.
             * @function toJSON
             * @memberof loom.ipam.Prepare
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Prepare.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Prepare
             * @function getTypeUrl
             * @memberof loom.ipam.Prepare
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Prepare.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.Prepare";
            };

            return Prepare;
        })();

        ipam.Promise = (function() {

            /**
             * Properties of a Promise.
             * @memberof loom.ipam
             * @interface IPromise
             * @property {number|null} [slot] Promise slot
             * @property {loom.ipam.IBallot|null} [ballot] Promise ballot
             * @property {boolean|null} [ok] Promise ok
             * @property {loom.ipam.IBallot|null} [promised] Promise promised
             * @property {boolean|null} [hasAccepted] Promise hasAccepted
             * @property {loom.ipam.IBallot|null} [acceptedBallot] Promise acceptedBallot
             * @property {Array.<loom.ipam.IOp>|null} [acceptedOps] Promise acceptedOps
             */

            /**
             * Constructs a new Promise.
             * @memberof loom.ipam
             * @classdesc Represents a Promise.
             * @implements IPromise
             * @constructor
             * @param {loom.ipam.IPromise=} [p] Properties to set
             */
            function Promise(p) {
                this.acceptedOps = [];
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Promise slot.
             * @member {number} slot
             * @memberof loom.ipam.Promise
             * @instance
             */
            Promise.prototype.slot = 0;

            /**
             * Promise ballot.
             * @member {loom.ipam.IBallot|null|undefined} ballot
             * @memberof loom.ipam.Promise
             * @instance
             */
            Promise.prototype.ballot = null;

            /**
             * Promise ok.
             * @member {boolean} ok
             * @memberof loom.ipam.Promise
             * @instance
             */
            Promise.prototype.ok = false;

            /**
             * Promise promised.
             * @member {loom.ipam.IBallot|null|undefined} promised
             * @memberof loom.ipam.Promise
             * @instance
             */
            Promise.prototype.promised = null;

            /**
             * Promise hasAccepted.
             * @member {boolean} hasAccepted
             * @memberof loom.ipam.Promise
             * @instance
             */
            Promise.prototype.hasAccepted = false;

            /**
             * Promise acceptedBallot.
             * @member {loom.ipam.IBallot|null|undefined} acceptedBallot
             * @memberof loom.ipam.Promise
             * @instance
             */
            Promise.prototype.acceptedBallot = null;

            /**
             * Promise acceptedOps.
             * @member {Array.<loom.ipam.IOp>} acceptedOps
             * @memberof loom.ipam.Promise
             * @instance
             */
            Promise.prototype.acceptedOps = $util.emptyArray;

            /**
             * Creates a new Promise instance using the specified properties.
             * @function create
             * @memberof loom.ipam.Promise
             * @static
             * @param {loom.ipam.IPromise=} [properties] Properties to set
             * @returns {loom.ipam.Promise} Promise instance
             */
            Promise.create = function create(properties) {
                return new Promise(properties);
            };

            /**
             * Encodes the specified Promise message. Does not implicitly {@link loom.ipam.Promise.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.Promise
             * @static
             * @param {loom.ipam.IPromise} m Promise message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Promise.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot"))
                    w.uint32(8).uint32(m.slot);
                if (m.ballot != null && Object.hasOwnProperty.call(m, "ballot"))
                    $root.loom.ipam.Ballot.encode(m.ballot, w.uint32(18).fork(), q + 1).ldelim();
                if (m.ok != null && Object.hasOwnProperty.call(m, "ok"))
                    w.uint32(24).bool(m.ok);
                if (m.promised != null && Object.hasOwnProperty.call(m, "promised"))
                    $root.loom.ipam.Ballot.encode(m.promised, w.uint32(34).fork(), q + 1).ldelim();
                if (m.hasAccepted != null && Object.hasOwnProperty.call(m, "hasAccepted"))
                    w.uint32(40).bool(m.hasAccepted);
                if (m.acceptedBallot != null && Object.hasOwnProperty.call(m, "acceptedBallot"))
                    $root.loom.ipam.Ballot.encode(m.acceptedBallot, w.uint32(50).fork(), q + 1).ldelim();
                if (m.acceptedOps != null && m.acceptedOps.length) {
                    for (var i = 0; i < m.acceptedOps.length; ++i)
                        $root.loom.ipam.Op.encode(m.acceptedOps[i], w.uint32(58).fork(), q + 1).ldelim();
                }
                return w;
            };

            /**
             * Encodes the specified Promise message, length delimited. Does not implicitly {@link loom.ipam.Promise.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.Promise
             * @static
             * @param {loom.ipam.IPromise} message Promise message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Promise.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a Promise message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.Promise
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.Promise} Promise
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Promise.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.Promise();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.slot = r.uint32();
                            break;
                        }
                    case 2: {
                            m.ballot = $root.loom.ipam.Ballot.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 3: {
                            m.ok = r.bool();
                            break;
                        }
                    case 4: {
                            m.promised = $root.loom.ipam.Ballot.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 5: {
                            m.hasAccepted = r.bool();
                            break;
                        }
                    case 6: {
                            m.acceptedBallot = $root.loom.ipam.Ballot.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 7: {
                            if (!(m.acceptedOps && m.acceptedOps.length))
                                m.acceptedOps = [];
                            m.acceptedOps.push($root.loom.ipam.Op.decode(r, r.uint32(), undefined, n + 1));
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a Promise message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.Promise
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.Promise} Promise
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Promise.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a Promise message.
             * @function verify
             * @memberof loom.ipam.Promise
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Promise.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    if (!$util.isInteger(m.slot))
                        return "slot: integer expected";
                }
                if (m.ballot != null && Object.hasOwnProperty.call(m, "ballot")) {
                    {
                        var e = $root.loom.ipam.Ballot.verify(m.ballot, n + 1);
                        if (e)
                            return "ballot." + e;
                    }
                }
                if (m.ok != null && Object.hasOwnProperty.call(m, "ok")) {
                    if (typeof m.ok !== "boolean")
                        return "ok: boolean expected";
                }
                if (m.promised != null && Object.hasOwnProperty.call(m, "promised")) {
                    {
                        var e = $root.loom.ipam.Ballot.verify(m.promised, n + 1);
                        if (e)
                            return "promised." + e;
                    }
                }
                if (m.hasAccepted != null && Object.hasOwnProperty.call(m, "hasAccepted")) {
                    if (typeof m.hasAccepted !== "boolean")
                        return "hasAccepted: boolean expected";
                }
                if (m.acceptedBallot != null && Object.hasOwnProperty.call(m, "acceptedBallot")) {
                    {
                        var e = $root.loom.ipam.Ballot.verify(m.acceptedBallot, n + 1);
                        if (e)
                            return "acceptedBallot." + e;
                    }
                }
                if (m.acceptedOps != null && Object.hasOwnProperty.call(m, "acceptedOps")) {
                    if (!Array.isArray(m.acceptedOps))
                        return "acceptedOps: array expected";
                    for (var i = 0; i < m.acceptedOps.length; ++i) {
                        {
                            var e = $root.loom.ipam.Op.verify(m.acceptedOps[i], n + 1);
                            if (e)
                                return "acceptedOps." + e;
                        }
                    }
                }
                return null;
            };

            /**
             * Creates a Promise message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.Promise
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.Promise} Promise
             */
            Promise.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.Promise)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.Promise: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.Promise();
                if (d.slot != null) {
                    m.slot = d.slot >>> 0;
                }
                if (d.ballot != null) {
                    if (!$util.isObject(d.ballot))
                        throw TypeError(".loom.ipam.Promise.ballot: object expected");
                    m.ballot = $root.loom.ipam.Ballot.fromObject(d.ballot, n + 1);
                }
                if (d.ok != null) {
                    m.ok = Boolean(d.ok);
                }
                if (d.promised != null) {
                    if (!$util.isObject(d.promised))
                        throw TypeError(".loom.ipam.Promise.promised: object expected");
                    m.promised = $root.loom.ipam.Ballot.fromObject(d.promised, n + 1);
                }
                if (d.hasAccepted != null) {
                    m.hasAccepted = Boolean(d.hasAccepted);
                }
                if (d.acceptedBallot != null) {
                    if (!$util.isObject(d.acceptedBallot))
                        throw TypeError(".loom.ipam.Promise.acceptedBallot: object expected");
                    m.acceptedBallot = $root.loom.ipam.Ballot.fromObject(d.acceptedBallot, n + 1);
                }
                if (d.acceptedOps) {
                    if (!Array.isArray(d.acceptedOps))
                        throw TypeError(".loom.ipam.Promise.acceptedOps: array expected");
                    m.acceptedOps = [];
                    for (var i = 0; i < d.acceptedOps.length; ++i) {
                        if (!$util.isObject(d.acceptedOps[i]))
                            throw TypeError(".loom.ipam.Promise.acceptedOps: object expected");
                        m.acceptedOps[i] = $root.loom.ipam.Op.fromObject(d.acceptedOps[i], n + 1);
                    }
                }
                return m;
            };

            /**
             * Creates a plain object from a Promise message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.Promise
             * @static
             * @param {loom.ipam.Promise} m Promise
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Promise.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.arrays || o.defaults) {
                    d.acceptedOps = [];
                }
                if (o.defaults) {
                    d.slot = 0;
                    d.ballot = null;
                    d.ok = false;
                    d.promised = null;
                    d.hasAccepted = false;
                    d.acceptedBallot = null;
                }
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    d.slot = m.slot;
                }
                if (m.ballot != null && Object.hasOwnProperty.call(m, "ballot")) {
                    d.ballot = $root.loom.ipam.Ballot.toObject(m.ballot, o, q + 1);
                }
                if (m.ok != null && Object.hasOwnProperty.call(m, "ok")) {
                    d.ok = m.ok;
                }
                if (m.promised != null && Object.hasOwnProperty.call(m, "promised")) {
                    d.promised = $root.loom.ipam.Ballot.toObject(m.promised, o, q + 1);
                }
                if (m.hasAccepted != null && Object.hasOwnProperty.call(m, "hasAccepted")) {
                    d.hasAccepted = m.hasAccepted;
                }
                if (m.acceptedBallot != null && Object.hasOwnProperty.call(m, "acceptedBallot")) {
                    d.acceptedBallot = $root.loom.ipam.Ballot.toObject(m.acceptedBallot, o, q + 1);
                }
                if (m.acceptedOps && m.acceptedOps.length) {
                    d.acceptedOps = [];
                    for (var j = 0; j < m.acceptedOps.length; ++j) {
                        d.acceptedOps[j] = $root.loom.ipam.Op.toObject(m.acceptedOps[j], o, q + 1);
                    }
                }
                return d;
            };

            /**
             * Converts this Promise to JSON.
             * @function toJSON
             * @memberof loom.ipam.Promise
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Promise.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Promise
             * @function getTypeUrl
             * @memberof loom.ipam.Promise
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Promise.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.Promise";
            };

            return Promise;
        })();

        ipam.Accept = (function() {

            /**
             * Properties of an Accept.
             * @memberof loom.ipam
             * @interface IAccept
             * @property {number|null} [slot] Accept slot
             * @property {loom.ipam.IBallot|null} [ballot] Accept ballot
             * @property {Array.<loom.ipam.IOp>|null} [ops] Accept ops
             */

            /**
             * Constructs a new Accept.
             * @memberof loom.ipam
             * @classdesc Represents an Accept.
             * @implements IAccept
             * @constructor
             * @param {loom.ipam.IAccept=} [p] Properties to set
             */
            function Accept(p) {
                this.ops = [];
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Accept slot.
             * @member {number} slot
             * @memberof loom.ipam.Accept
             * @instance
             */
            Accept.prototype.slot = 0;

            /**
             * Accept ballot.
             * @member {loom.ipam.IBallot|null|undefined} ballot
             * @memberof loom.ipam.Accept
             * @instance
             */
            Accept.prototype.ballot = null;

            /**
             * Accept ops.
             * @member {Array.<loom.ipam.IOp>} ops
             * @memberof loom.ipam.Accept
             * @instance
             */
            Accept.prototype.ops = $util.emptyArray;

            /**
             * Creates a new Accept instance using the specified properties.
             * @function create
             * @memberof loom.ipam.Accept
             * @static
             * @param {loom.ipam.IAccept=} [properties] Properties to set
             * @returns {loom.ipam.Accept} Accept instance
             */
            Accept.create = function create(properties) {
                return new Accept(properties);
            };

            /**
             * Encodes the specified Accept message. Does not implicitly {@link loom.ipam.Accept.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.Accept
             * @static
             * @param {loom.ipam.IAccept} m Accept message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Accept.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot"))
                    w.uint32(8).uint32(m.slot);
                if (m.ballot != null && Object.hasOwnProperty.call(m, "ballot"))
                    $root.loom.ipam.Ballot.encode(m.ballot, w.uint32(18).fork(), q + 1).ldelim();
                if (m.ops != null && m.ops.length) {
                    for (var i = 0; i < m.ops.length; ++i)
                        $root.loom.ipam.Op.encode(m.ops[i], w.uint32(26).fork(), q + 1).ldelim();
                }
                return w;
            };

            /**
             * Encodes the specified Accept message, length delimited. Does not implicitly {@link loom.ipam.Accept.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.Accept
             * @static
             * @param {loom.ipam.IAccept} message Accept message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Accept.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes an Accept message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.Accept
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.Accept} Accept
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Accept.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.Accept();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.slot = r.uint32();
                            break;
                        }
                    case 2: {
                            m.ballot = $root.loom.ipam.Ballot.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 3: {
                            if (!(m.ops && m.ops.length))
                                m.ops = [];
                            m.ops.push($root.loom.ipam.Op.decode(r, r.uint32(), undefined, n + 1));
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes an Accept message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.Accept
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.Accept} Accept
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Accept.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies an Accept message.
             * @function verify
             * @memberof loom.ipam.Accept
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Accept.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    if (!$util.isInteger(m.slot))
                        return "slot: integer expected";
                }
                if (m.ballot != null && Object.hasOwnProperty.call(m, "ballot")) {
                    {
                        var e = $root.loom.ipam.Ballot.verify(m.ballot, n + 1);
                        if (e)
                            return "ballot." + e;
                    }
                }
                if (m.ops != null && Object.hasOwnProperty.call(m, "ops")) {
                    if (!Array.isArray(m.ops))
                        return "ops: array expected";
                    for (var i = 0; i < m.ops.length; ++i) {
                        {
                            var e = $root.loom.ipam.Op.verify(m.ops[i], n + 1);
                            if (e)
                                return "ops." + e;
                        }
                    }
                }
                return null;
            };

            /**
             * Creates an Accept message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.Accept
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.Accept} Accept
             */
            Accept.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.Accept)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.Accept: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.Accept();
                if (d.slot != null) {
                    m.slot = d.slot >>> 0;
                }
                if (d.ballot != null) {
                    if (!$util.isObject(d.ballot))
                        throw TypeError(".loom.ipam.Accept.ballot: object expected");
                    m.ballot = $root.loom.ipam.Ballot.fromObject(d.ballot, n + 1);
                }
                if (d.ops) {
                    if (!Array.isArray(d.ops))
                        throw TypeError(".loom.ipam.Accept.ops: array expected");
                    m.ops = [];
                    for (var i = 0; i < d.ops.length; ++i) {
                        if (!$util.isObject(d.ops[i]))
                            throw TypeError(".loom.ipam.Accept.ops: object expected");
                        m.ops[i] = $root.loom.ipam.Op.fromObject(d.ops[i], n + 1);
                    }
                }
                return m;
            };

            /**
             * Creates a plain object from an Accept message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.Accept
             * @static
             * @param {loom.ipam.Accept} m Accept
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Accept.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.arrays || o.defaults) {
                    d.ops = [];
                }
                if (o.defaults) {
                    d.slot = 0;
                    d.ballot = null;
                }
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    d.slot = m.slot;
                }
                if (m.ballot != null && Object.hasOwnProperty.call(m, "ballot")) {
                    d.ballot = $root.loom.ipam.Ballot.toObject(m.ballot, o, q + 1);
                }
                if (m.ops && m.ops.length) {
                    d.ops = [];
                    for (var j = 0; j < m.ops.length; ++j) {
                        d.ops[j] = $root.loom.ipam.Op.toObject(m.ops[j], o, q + 1);
                    }
                }
                return d;
            };

            /**
             * Converts this Accept to JSON.
             * @function toJSON
             * @memberof loom.ipam.Accept
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Accept.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Accept
             * @function getTypeUrl
             * @memberof loom.ipam.Accept
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Accept.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.Accept";
            };

            return Accept;
        })();

        ipam.Accepted = (function() {

            /**
             * Properties of an Accepted.
             * @memberof loom.ipam
             * @interface IAccepted
             * @property {number|null} [slot] Accepted slot
             * @property {loom.ipam.IBallot|null} [ballot] Accepted ballot
             * @property {boolean|null} [ok] Accepted ok
             * @property {loom.ipam.IBallot|null} [promised] Accepted promised
             */

            /**
             * Constructs a new Accepted.
             * @memberof loom.ipam
             * @classdesc Represents an Accepted.
             * @implements IAccepted
             * @constructor
             * @param {loom.ipam.IAccepted=} [p] Properties to set
             */
            function Accepted(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Accepted slot.
             * @member {number} slot
             * @memberof loom.ipam.Accepted
             * @instance
             */
            Accepted.prototype.slot = 0;

            /**
             * Accepted ballot.
             * @member {loom.ipam.IBallot|null|undefined} ballot
             * @memberof loom.ipam.Accepted
             * @instance
             */
            Accepted.prototype.ballot = null;

            /**
             * Accepted ok.
             * @member {boolean} ok
             * @memberof loom.ipam.Accepted
             * @instance
             */
            Accepted.prototype.ok = false;

            /**
             * Accepted promised.
             * @member {loom.ipam.IBallot|null|undefined} promised
             * @memberof loom.ipam.Accepted
             * @instance
             */
            Accepted.prototype.promised = null;

            /**
             * Creates a new Accepted instance using the specified properties.
             * @function create
             * @memberof loom.ipam.Accepted
             * @static
             * @param {loom.ipam.IAccepted=} [properties] Properties to set
             * @returns {loom.ipam.Accepted} Accepted instance
             */
            Accepted.create = function create(properties) {
                return new Accepted(properties);
            };

            /**
             * Encodes the specified Accepted message. Does not implicitly {@link loom.ipam.Accepted.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.Accepted
             * @static
             * @param {loom.ipam.IAccepted} m Accepted message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Accepted.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot"))
                    w.uint32(8).uint32(m.slot);
                if (m.ballot != null && Object.hasOwnProperty.call(m, "ballot"))
                    $root.loom.ipam.Ballot.encode(m.ballot, w.uint32(18).fork(), q + 1).ldelim();
                if (m.ok != null && Object.hasOwnProperty.call(m, "ok"))
                    w.uint32(24).bool(m.ok);
                if (m.promised != null && Object.hasOwnProperty.call(m, "promised"))
                    $root.loom.ipam.Ballot.encode(m.promised, w.uint32(34).fork(), q + 1).ldelim();
                return w;
            };

            /**
             * Encodes the specified Accepted message, length delimited. Does not implicitly {@link loom.ipam.Accepted.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.Accepted
             * @static
             * @param {loom.ipam.IAccepted} message Accepted message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Accepted.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes an Accepted message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.Accepted
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.Accepted} Accepted
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Accepted.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.Accepted();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.slot = r.uint32();
                            break;
                        }
                    case 2: {
                            m.ballot = $root.loom.ipam.Ballot.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 3: {
                            m.ok = r.bool();
                            break;
                        }
                    case 4: {
                            m.promised = $root.loom.ipam.Ballot.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes an Accepted message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.Accepted
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.Accepted} Accepted
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Accepted.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies an Accepted message.
             * @function verify
             * @memberof loom.ipam.Accepted
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Accepted.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    if (!$util.isInteger(m.slot))
                        return "slot: integer expected";
                }
                if (m.ballot != null && Object.hasOwnProperty.call(m, "ballot")) {
                    {
                        var e = $root.loom.ipam.Ballot.verify(m.ballot, n + 1);
                        if (e)
                            return "ballot." + e;
                    }
                }
                if (m.ok != null && Object.hasOwnProperty.call(m, "ok")) {
                    if (typeof m.ok !== "boolean")
                        return "ok: boolean expected";
                }
                if (m.promised != null && Object.hasOwnProperty.call(m, "promised")) {
                    {
                        var e = $root.loom.ipam.Ballot.verify(m.promised, n + 1);
                        if (e)
                            return "promised." + e;
                    }
                }
                return null;
            };

            /**
             * Creates an Accepted message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.Accepted
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.Accepted} Accepted
             */
            Accepted.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.Accepted)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.Accepted: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.Accepted();
                if (d.slot != null) {
                    m.slot = d.slot >>> 0;
                }
                if (d.ballot != null) {
                    if (!$util.isObject(d.ballot))
                        throw TypeError(".loom.ipam.Accepted.ballot: object expected");
                    m.ballot = $root.loom.ipam.Ballot.fromObject(d.ballot, n + 1);
                }
                if (d.ok != null) {
                    m.ok = Boolean(d.ok);
                }
                if (d.promised != null) {
                    if (!$util.isObject(d.promised))
                        throw TypeError(".loom.ipam.Accepted.promised: object expected");
                    m.promised = $root.loom.ipam.Ballot.fromObject(d.promised, n + 1);
                }
                return m;
            };

            /**
             * Creates a plain object from an Accepted message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.Accepted
             * @static
             * @param {loom.ipam.Accepted} m Accepted
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Accepted.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.slot = 0;
                    d.ballot = null;
                    d.ok = false;
                    d.promised = null;
                }
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    d.slot = m.slot;
                }
                if (m.ballot != null && Object.hasOwnProperty.call(m, "ballot")) {
                    d.ballot = $root.loom.ipam.Ballot.toObject(m.ballot, o, q + 1);
                }
                if (m.ok != null && Object.hasOwnProperty.call(m, "ok")) {
                    d.ok = m.ok;
                }
                if (m.promised != null && Object.hasOwnProperty.call(m, "promised")) {
                    d.promised = $root.loom.ipam.Ballot.toObject(m.promised, o, q + 1);
                }
                return d;
            };

            /**
             * Converts this Accepted to JSON.
             * @function toJSON
             * @memberof loom.ipam.Accepted
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Accepted.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Accepted
             * @function getTypeUrl
             * @memberof loom.ipam.Accepted
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Accepted.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.Accepted";
            };

            return Accepted;
        })();

        ipam.Decided = (function() {

            /**
             * Properties of a Decided.
             * @memberof loom.ipam
             * @interface IDecided
             * @property {number|null} [slot] Decided slot
             * @property {Array.<loom.ipam.IOp>|null} [ops] Decided ops
             */

            /**
             * Constructs a new Decided.
             * @memberof loom.ipam
             * @classdesc Represents a Decided.
             * @implements IDecided
             * @constructor
             * @param {loom.ipam.IDecided=} [p] Properties to set
             */
            function Decided(p) {
                this.ops = [];
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Decided slot.
             * @member {number} slot
             * @memberof loom.ipam.Decided
             * @instance
             */
            Decided.prototype.slot = 0;

            /**
             * Decided ops.
             * @member {Array.<loom.ipam.IOp>} ops
             * @memberof loom.ipam.Decided
             * @instance
             */
            Decided.prototype.ops = $util.emptyArray;

            /**
             * Creates a new Decided instance using the specified properties.
             * @function create
             * @memberof loom.ipam.Decided
             * @static
             * @param {loom.ipam.IDecided=} [properties] Properties to set
             * @returns {loom.ipam.Decided} Decided instance
             */
            Decided.create = function create(properties) {
                return new Decided(properties);
            };

            /**
             * Encodes the specified Decided message. Does not implicitly {@link loom.ipam.Decided.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.Decided
             * @static
             * @param {loom.ipam.IDecided} m Decided message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Decided.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot"))
                    w.uint32(8).uint32(m.slot);
                if (m.ops != null && m.ops.length) {
                    for (var i = 0; i < m.ops.length; ++i)
                        $root.loom.ipam.Op.encode(m.ops[i], w.uint32(18).fork(), q + 1).ldelim();
                }
                return w;
            };

            /**
             * Encodes the specified Decided message, length delimited. Does not implicitly {@link loom.ipam.Decided.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.Decided
             * @static
             * @param {loom.ipam.IDecided} message Decided message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Decided.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a Decided message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.Decided
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.Decided} Decided
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Decided.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.Decided();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.slot = r.uint32();
                            break;
                        }
                    case 2: {
                            if (!(m.ops && m.ops.length))
                                m.ops = [];
                            m.ops.push($root.loom.ipam.Op.decode(r, r.uint32(), undefined, n + 1));
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a Decided message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.Decided
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.Decided} Decided
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Decided.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a Decided message.
             * @function verify
             * @memberof loom.ipam.Decided
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Decided.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    if (!$util.isInteger(m.slot))
                        return "slot: integer expected";
                }
                if (m.ops != null && Object.hasOwnProperty.call(m, "ops")) {
                    if (!Array.isArray(m.ops))
                        return "ops: array expected";
                    for (var i = 0; i < m.ops.length; ++i) {
                        {
                            var e = $root.loom.ipam.Op.verify(m.ops[i], n + 1);
                            if (e)
                                return "ops." + e;
                        }
                    }
                }
                return null;
            };

            /**
             * Creates a Decided message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.Decided
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.Decided} Decided
             */
            Decided.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.Decided)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.Decided: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.Decided();
                if (d.slot != null) {
                    m.slot = d.slot >>> 0;
                }
                if (d.ops) {
                    if (!Array.isArray(d.ops))
                        throw TypeError(".loom.ipam.Decided.ops: array expected");
                    m.ops = [];
                    for (var i = 0; i < d.ops.length; ++i) {
                        if (!$util.isObject(d.ops[i]))
                            throw TypeError(".loom.ipam.Decided.ops: object expected");
                        m.ops[i] = $root.loom.ipam.Op.fromObject(d.ops[i], n + 1);
                    }
                }
                return m;
            };

            /**
             * Creates a plain object from a Decided message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.Decided
             * @static
             * @param {loom.ipam.Decided} m Decided
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Decided.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.arrays || o.defaults) {
                    d.ops = [];
                }
                if (o.defaults) {
                    d.slot = 0;
                }
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    d.slot = m.slot;
                }
                if (m.ops && m.ops.length) {
                    d.ops = [];
                    for (var j = 0; j < m.ops.length; ++j) {
                        d.ops[j] = $root.loom.ipam.Op.toObject(m.ops[j], o, q + 1);
                    }
                }
                return d;
            };

            /**
             * Converts this Decided to JSON.
             * @function toJSON
             * @memberof loom.ipam.Decided
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Decided.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Decided
             * @function getTypeUrl
             * @memberof loom.ipam.Decided
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Decided.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.Decided";
            };

            return Decided;
        })();

        ipam.Renew = (function() {

            /**
             * Properties of a Renew.
             * @memberof loom.ipam
             * @interface IRenew
             * @property {number|null} [seq] Renew seq
             * @property {number|null} [configSlot] Renew configSlot
             */

            /**
             * Constructs a new Renew.
             * @memberof loom.ipam
             * @classdesc Represents a Renew.
             * @implements IRenew
             * @constructor
             * @param {loom.ipam.IRenew=} [p] Properties to set
             */
            function Renew(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Renew seq.
             * @member {number} seq
             * @memberof loom.ipam.Renew
             * @instance
             */
            Renew.prototype.seq = 0;

            /**
             * Renew configSlot.
             * @member {number} configSlot
             * @memberof loom.ipam.Renew
             * @instance
             */
            Renew.prototype.configSlot = 0;

            /**
             * Creates a new Renew instance using the specified properties.
             * @function create
             * @memberof loom.ipam.Renew
             * @static
             * @param {loom.ipam.IRenew=} [properties] Properties to set
             * @returns {loom.ipam.Renew} Renew instance
             */
            Renew.create = function create(properties) {
                return new Renew(properties);
            };

            /**
             * Encodes the specified Renew message. Does not implicitly {@link loom.ipam.Renew.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.Renew
             * @static
             * @param {loom.ipam.IRenew} m Renew message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Renew.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.seq != null && Object.hasOwnProperty.call(m, "seq"))
                    w.uint32(8).uint32(m.seq);
                if (m.configSlot != null && Object.hasOwnProperty.call(m, "configSlot"))
                    w.uint32(16).uint32(m.configSlot);
                return w;
            };

            /**
             * Encodes the specified Renew message, length delimited. Does not implicitly {@link loom.ipam.Renew.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.Renew
             * @static
             * @param {loom.ipam.IRenew} message Renew message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Renew.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a Renew message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.Renew
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.Renew} Renew
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Renew.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.Renew();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.seq = r.uint32();
                            break;
                        }
                    case 2: {
                            m.configSlot = r.uint32();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a Renew message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.Renew
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.Renew} Renew
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Renew.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a Renew message.
             * @function verify
             * @memberof loom.ipam.Renew
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Renew.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.seq != null && Object.hasOwnProperty.call(m, "seq")) {
                    if (!$util.isInteger(m.seq))
                        return "seq: integer expected";
                }
                if (m.configSlot != null && Object.hasOwnProperty.call(m, "configSlot")) {
                    if (!$util.isInteger(m.configSlot))
                        return "configSlot: integer expected";
                }
                return null;
            };

            /**
             * Creates a Renew message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.Renew
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.Renew} Renew
             */
            Renew.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.Renew)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.Renew: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.Renew();
                if (d.seq != null) {
                    m.seq = d.seq >>> 0;
                }
                if (d.configSlot != null) {
                    m.configSlot = d.configSlot >>> 0;
                }
                return m;
            };

            /**
             * Creates a plain object from a Renew message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.Renew
             * @static
             * @param {loom.ipam.Renew} m Renew
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Renew.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.seq = 0;
                    d.configSlot = 0;
                }
                if (m.seq != null && Object.hasOwnProperty.call(m, "seq")) {
                    d.seq = m.seq;
                }
                if (m.configSlot != null && Object.hasOwnProperty.call(m, "configSlot")) {
                    d.configSlot = m.configSlot;
                }
                return d;
            };

            /**
             * Converts this Renew to JSON.
             * @function toJSON
             * @memberof loom.ipam.Renew
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Renew.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Renew
             * @function getTypeUrl
             * @memberof loom.ipam.Renew
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Renew.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.Renew";
            };

            return Renew;
        })();

        ipam.RenewAck = (function() {

            /**
             * Properties of a RenewAck.
             * @memberof loom.ipam
             * @interface IRenewAck
             * @property {number|null} [seq] RenewAck seq
             * @property {boolean|null} [ok] RenewAck ok
             */

            /**
             * Constructs a new RenewAck.
             * @memberof loom.ipam
             * @classdesc Represents a RenewAck.
             * @implements IRenewAck
             * @constructor
             * @param {loom.ipam.IRenewAck=} [p] Properties to set
             */
            function RenewAck(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * RenewAck seq.
             * @member {number} seq
             * @memberof loom.ipam.RenewAck
             * @instance
             */
            RenewAck.prototype.seq = 0;

            /**
             * RenewAck ok.
             * @member {boolean} ok
             * @memberof loom.ipam.RenewAck
             * @instance
             */
            RenewAck.prototype.ok = false;

            /**
             * Creates a new RenewAck instance using the specified properties.
             * @function create
             * @memberof loom.ipam.RenewAck
             * @static
             * @param {loom.ipam.IRenewAck=} [properties] Properties to set
             * @returns {loom.ipam.RenewAck} RenewAck instance
             */
            RenewAck.create = function create(properties) {
                return new RenewAck(properties);
            };

            /**
             * Encodes the specified RenewAck message. Does not implicitly {@link loom.ipam.RenewAck.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.RenewAck
             * @static
             * @param {loom.ipam.IRenewAck} m RenewAck message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            RenewAck.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.seq != null && Object.hasOwnProperty.call(m, "seq"))
                    w.uint32(8).uint32(m.seq);
                if (m.ok != null && Object.hasOwnProperty.call(m, "ok"))
                    w.uint32(16).bool(m.ok);
                return w;
            };

            /**
             * Encodes the specified RenewAck message, length delimited. Does not implicitly {@link loom.ipam.RenewAck.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.RenewAck
             * @static
             * @param {loom.ipam.IRenewAck} message RenewAck message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            RenewAck.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a RenewAck message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.RenewAck
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.RenewAck} RenewAck
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            RenewAck.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.RenewAck();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.seq = r.uint32();
                            break;
                        }
                    case 2: {
                            m.ok = r.bool();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a RenewAck message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.RenewAck
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.RenewAck} RenewAck
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            RenewAck.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a RenewAck message.
             * @function verify
             * @memberof loom.ipam.RenewAck
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            RenewAck.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.seq != null && Object.hasOwnProperty.call(m, "seq")) {
                    if (!$util.isInteger(m.seq))
                        return "seq: integer expected";
                }
                if (m.ok != null && Object.hasOwnProperty.call(m, "ok")) {
                    if (typeof m.ok !== "boolean")
                        return "ok: boolean expected";
                }
                return null;
            };

            /**
             * Creates a RenewAck message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.RenewAck
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.RenewAck} RenewAck
             */
            RenewAck.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.RenewAck)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.RenewAck: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.RenewAck();
                if (d.seq != null) {
                    m.seq = d.seq >>> 0;
                }
                if (d.ok != null) {
                    m.ok = Boolean(d.ok);
                }
                return m;
            };

            /**
             * Creates a plain object from a RenewAck message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.RenewAck
             * @static
             * @param {loom.ipam.RenewAck} m RenewAck
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            RenewAck.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.seq = 0;
                    d.ok = false;
                }
                if (m.seq != null && Object.hasOwnProperty.call(m, "seq")) {
                    d.seq = m.seq;
                }
                if (m.ok != null && Object.hasOwnProperty.call(m, "ok")) {
                    d.ok = m.ok;
                }
                return d;
            };

            /**
             * Converts this RenewAck to JSON.
             * @function toJSON
             * @memberof loom.ipam.RenewAck
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            RenewAck.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for RenewAck
             * @function getTypeUrl
             * @memberof loom.ipam.RenewAck
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            RenewAck.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.RenewAck";
            };

            return RenewAck;
        })();

        ipam.JoinRequest = (function() {

            /**
             * Properties of a JoinRequest.
             * @memberof loom.ipam
             * @interface IJoinRequest
             */

            /**
             * Constructs a new JoinRequest.
             * @memberof loom.ipam
             * @classdesc Represents a JoinRequest.
             * @implements IJoinRequest
             * @constructor
             * @param {loom.ipam.IJoinRequest=} [p] Properties to set
             */
            function JoinRequest(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Creates a new JoinRequest instance using the specified properties.
             * @function create
             * @memberof loom.ipam.JoinRequest
             * @static
             * @param {loom.ipam.IJoinRequest=} [properties] Properties to set
             * @returns {loom.ipam.JoinRequest} JoinRequest instance
             */
            JoinRequest.create = function create(properties) {
                return new JoinRequest(properties);
            };

            /**
             * Encodes the specified JoinRequest message. Does not implicitly {@link loom.ipam.JoinRequest.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.JoinRequest
             * @static
             * @param {loom.ipam.IJoinRequest} m JoinRequest message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            JoinRequest.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                return w;
            };

            /**
             * Encodes the specified JoinRequest message, length delimited. Does not implicitly {@link loom.ipam.JoinRequest.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.JoinRequest
             * @static
             * @param {loom.ipam.IJoinRequest} message JoinRequest message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            JoinRequest.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a JoinRequest message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.JoinRequest
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.JoinRequest} JoinRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            JoinRequest.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.JoinRequest();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a JoinRequest message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.JoinRequest
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.JoinRequest} JoinRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            JoinRequest.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a JoinRequest message.
             * @function verify
             * @memberof loom.ipam.JoinRequest
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            JoinRequest.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                return null;
            };

            /**
             * Creates a JoinRequest message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.JoinRequest
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.JoinRequest} JoinRequest
             */
            JoinRequest.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.JoinRequest)
                    return d;
                return new $root.loom.ipam.JoinRequest();
            };

            /**
             * Creates a plain object from a JoinRequest message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.JoinRequest
             * @static
             * @param {loom.ipam.JoinRequest} m JoinRequest
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            JoinRequest.toObject = function toObject() {
                return {};
            };

            /**
             * Converts this JoinRequest to JSON.
             * @function toJSON
             * @memberof loom.ipam.JoinRequest
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            JoinRequest.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for JoinRequest
             * @function getTypeUrl
             * @memberof loom.ipam.JoinRequest
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            JoinRequest.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.JoinRequest";
            };

            return JoinRequest;
        })();

        ipam.Fetch = (function() {

            /**
             * Properties of a Fetch.
             * @memberof loom.ipam
             * @interface IFetch
             * @property {number|null} [fromSlot] Fetch fromSlot
             */

            /**
             * Constructs a new Fetch.
             * @memberof loom.ipam
             * @classdesc Represents a Fetch.
             * @implements IFetch
             * @constructor
             * @param {loom.ipam.IFetch=} [p] Properties to set
             */
            function Fetch(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Fetch fromSlot.
             * @member {number} fromSlot
             * @memberof loom.ipam.Fetch
             * @instance
             */
            Fetch.prototype.fromSlot = 0;

            /**
             * Creates a new Fetch instance using the specified properties.
             * @function create
             * @memberof loom.ipam.Fetch
             * @static
             * @param {loom.ipam.IFetch=} [properties] Properties to set
             * @returns {loom.ipam.Fetch} Fetch instance
             */
            Fetch.create = function create(properties) {
                return new Fetch(properties);
            };

            /**
             * Encodes the specified Fetch message. Does not implicitly {@link loom.ipam.Fetch.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.Fetch
             * @static
             * @param {loom.ipam.IFetch} m Fetch message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Fetch.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.fromSlot != null && Object.hasOwnProperty.call(m, "fromSlot"))
                    w.uint32(8).uint32(m.fromSlot);
                return w;
            };

            /**
             * Encodes the specified Fetch message, length delimited. Does not implicitly {@link loom.ipam.Fetch.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.Fetch
             * @static
             * @param {loom.ipam.IFetch} message Fetch message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Fetch.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a Fetch message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.Fetch
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.Fetch} Fetch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Fetch.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.Fetch();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.fromSlot = r.uint32();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a Fetch message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.Fetch
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.Fetch} Fetch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Fetch.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a Fetch message.
             * @function verify
             * @memberof loom.ipam.Fetch
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Fetch.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.fromSlot != null && Object.hasOwnProperty.call(m, "fromSlot")) {
                    if (!$util.isInteger(m.fromSlot))
                        return "fromSlot: integer expected";
                }
                return null;
            };

            /**
             * Creates a Fetch message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.Fetch
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.Fetch} Fetch
             */
            Fetch.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.Fetch)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.Fetch: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.Fetch();
                if (d.fromSlot != null) {
                    m.fromSlot = d.fromSlot >>> 0;
                }
                return m;
            };

            /**
             * Creates a plain object from a Fetch message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.Fetch
             * @static
             * @param {loom.ipam.Fetch} m Fetch
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Fetch.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.fromSlot = 0;
                }
                if (m.fromSlot != null && Object.hasOwnProperty.call(m, "fromSlot")) {
                    d.fromSlot = m.fromSlot;
                }
                return d;
            };

            /**
             * Converts this Fetch to JSON.
             * @function toJSON
             * @memberof loom.ipam.Fetch
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Fetch.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Fetch
             * @function getTypeUrl
             * @memberof loom.ipam.Fetch
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Fetch.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.Fetch";
            };

            return Fetch;
        })();

        ipam.Request = (function() {

            /**
             * Properties of a Request.
             * @memberof loom.ipam
             * @interface IRequest
             * @property {Array.<loom.ipam.IOp>|null} [ops] Request ops
             */

            /**
             * Constructs a new Request.
             * @memberof loom.ipam
             * @classdesc Represents a Request.
             * @implements IRequest
             * @constructor
             * @param {loom.ipam.IRequest=} [p] Properties to set
             */
            function Request(p) {
                this.ops = [];
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Request ops.
             * @member {Array.<loom.ipam.IOp>} ops
             * @memberof loom.ipam.Request
             * @instance
             */
            Request.prototype.ops = $util.emptyArray;

            /**
             * Creates a new Request instance using the specified properties.
             * @function create
             * @memberof loom.ipam.Request
             * @static
             * @param {loom.ipam.IRequest=} [properties] Properties to set
             * @returns {loom.ipam.Request} Request instance
             */
            Request.create = function create(properties) {
                return new Request(properties);
            };

            /**
             * Encodes the specified Request message. Does not implicitly {@link loom.ipam.Request.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.Request
             * @static
             * @param {loom.ipam.IRequest} m Request message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Request.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.ops != null && m.ops.length) {
                    for (var i = 0; i < m.ops.length; ++i)
                        $root.loom.ipam.Op.encode(m.ops[i], w.uint32(10).fork(), q + 1).ldelim();
                }
                return w;
            };

            /**
             * Encodes the specified Request message, length delimited. Does not implicitly {@link loom.ipam.Request.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.Request
             * @static
             * @param {loom.ipam.IRequest} message Request message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Request.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a Request message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.Request
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.Request} Request
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Request.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.Request();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            if (!(m.ops && m.ops.length))
                                m.ops = [];
                            m.ops.push($root.loom.ipam.Op.decode(r, r.uint32(), undefined, n + 1));
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a Request message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.Request
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.Request} Request
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Request.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a Request message.
             * @function verify
             * @memberof loom.ipam.Request
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Request.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.ops != null && Object.hasOwnProperty.call(m, "ops")) {
                    if (!Array.isArray(m.ops))
                        return "ops: array expected";
                    for (var i = 0; i < m.ops.length; ++i) {
                        {
                            var e = $root.loom.ipam.Op.verify(m.ops[i], n + 1);
                            if (e)
                                return "ops." + e;
                        }
                    }
                }
                return null;
            };

            /**
             * Creates a Request message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.Request
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.Request} Request
             */
            Request.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.Request)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.Request: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.Request();
                if (d.ops) {
                    if (!Array.isArray(d.ops))
                        throw TypeError(".loom.ipam.Request.ops: array expected");
                    m.ops = [];
                    for (var i = 0; i < d.ops.length; ++i) {
                        if (!$util.isObject(d.ops[i]))
                            throw TypeError(".loom.ipam.Request.ops: object expected");
                        m.ops[i] = $root.loom.ipam.Op.fromObject(d.ops[i], n + 1);
                    }
                }
                return m;
            };

            /**
             * Creates a plain object from a Request message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.Request
             * @static
             * @param {loom.ipam.Request} m Request
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Request.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.arrays || o.defaults) {
                    d.ops = [];
                }
                if (m.ops && m.ops.length) {
                    d.ops = [];
                    for (var j = 0; j < m.ops.length; ++j) {
                        d.ops[j] = $root.loom.ipam.Op.toObject(m.ops[j], o, q + 1);
                    }
                }
                return d;
            };

            /**
             * Converts this Request to JSON.
             * @function toJSON
             * @memberof loom.ipam.Request
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Request.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Request
             * @function getTypeUrl
             * @memberof loom.ipam.Request
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Request.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.Request";
            };

            return Request;
        })();

        ipam.Digest = (function() {

            /**
             * Properties of a Digest.
             * @memberof loom.ipam
             * @interface IDigest
             * @property {number|null} [slot] Digest slot
             * @property {number|null} [configSlot] Digest configSlot
             */

            /**
             * Constructs a new Digest.
             * @memberof loom.ipam
             * @classdesc Represents a Digest.
             * @implements IDigest
             * @constructor
             * @param {loom.ipam.IDigest=} [p] Properties to set
             */
            function Digest(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Digest slot.
             * @member {number} slot
             * @memberof loom.ipam.Digest
             * @instance
             */
            Digest.prototype.slot = 0;

            /**
             * Digest configSlot.
             * @member {number} configSlot
             * @memberof loom.ipam.Digest
             * @instance
             */
            Digest.prototype.configSlot = 0;

            /**
             * Creates a new Digest instance using the specified properties.
             * @function create
             * @memberof loom.ipam.Digest
             * @static
             * @param {loom.ipam.IDigest=} [properties] Properties to set
             * @returns {loom.ipam.Digest} Digest instance
             */
            Digest.create = function create(properties) {
                return new Digest(properties);
            };

            /**
             * Encodes the specified Digest message. Does not implicitly {@link loom.ipam.Digest.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.Digest
             * @static
             * @param {loom.ipam.IDigest} m Digest message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Digest.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot"))
                    w.uint32(8).uint32(m.slot);
                if (m.configSlot != null && Object.hasOwnProperty.call(m, "configSlot"))
                    w.uint32(16).uint32(m.configSlot);
                return w;
            };

            /**
             * Encodes the specified Digest message, length delimited. Does not implicitly {@link loom.ipam.Digest.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.Digest
             * @static
             * @param {loom.ipam.IDigest} message Digest message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Digest.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a Digest message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.Digest
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.Digest} Digest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Digest.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.Digest();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.slot = r.uint32();
                            break;
                        }
                    case 2: {
                            m.configSlot = r.uint32();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a Digest message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.Digest
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.Digest} Digest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Digest.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a Digest message.
             * @function verify
             * @memberof loom.ipam.Digest
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Digest.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    if (!$util.isInteger(m.slot))
                        return "slot: integer expected";
                }
                if (m.configSlot != null && Object.hasOwnProperty.call(m, "configSlot")) {
                    if (!$util.isInteger(m.configSlot))
                        return "configSlot: integer expected";
                }
                return null;
            };

            /**
             * Creates a Digest message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.Digest
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.Digest} Digest
             */
            Digest.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.Digest)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.Digest: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.Digest();
                if (d.slot != null) {
                    m.slot = d.slot >>> 0;
                }
                if (d.configSlot != null) {
                    m.configSlot = d.configSlot >>> 0;
                }
                return m;
            };

            /**
             * Creates a plain object from a Digest message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.Digest
             * @static
             * @param {loom.ipam.Digest} m Digest
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Digest.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.slot = 0;
                    d.configSlot = 0;
                }
                if (m.slot != null && Object.hasOwnProperty.call(m, "slot")) {
                    d.slot = m.slot;
                }
                if (m.configSlot != null && Object.hasOwnProperty.call(m, "configSlot")) {
                    d.configSlot = m.configSlot;
                }
                return d;
            };

            /**
             * Converts this Digest to JSON.
             * @function toJSON
             * @memberof loom.ipam.Digest
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Digest.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Digest
             * @function getTypeUrl
             * @memberof loom.ipam.Digest
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Digest.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.Digest";
            };

            return Digest;
        })();

        ipam.Envelope = (function() {

            /**
             * Properties of an Envelope.
             * @memberof loom.ipam
             * @interface IEnvelope
             * @property {number|null} [version] Envelope version
             * @property {string|null} [clusterId] Envelope clusterId
             * @property {string|null} [from] Envelope from
             * @property {number|null} [applied] Envelope applied
             * @property {loom.ipam.IPrepare|null} [prepare] Envelope prepare
             * @property {loom.ipam.IPromise|null} [promise] Envelope promise
             * @property {loom.ipam.IAccept|null} [accept] Envelope accept
             * @property {loom.ipam.IAccepted|null} [accepted] Envelope accepted
             * @property {loom.ipam.IDecided|null} [decided] Envelope decided
             * @property {loom.ipam.IRenew|null} [renew] Envelope renew
             * @property {loom.ipam.IRenewAck|null} [renewAck] Envelope renewAck
             * @property {loom.ipam.IJoinRequest|null} [joinRequest] Envelope joinRequest
             * @property {loom.ipam.IFetch|null} [fetch] Envelope fetch
             * @property {loom.ipam.IClusterState|null} [state] Envelope state
             * @property {loom.ipam.IDigest|null} [digest] Envelope digest
             * @property {loom.ipam.IRequest|null} [request] Envelope request
             */

            /**
             * Constructs a new Envelope.
             * @memberof loom.ipam
             * @classdesc Represents an Envelope.
             * @implements IEnvelope
             * @constructor
             * @param {loom.ipam.IEnvelope=} [p] Properties to set
             */
            function Envelope(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Envelope version.
             * @member {number} version
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.version = 0;

            /**
             * Envelope clusterId.
             * @member {string} clusterId
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.clusterId = "";

            /**
             * Envelope from.
             * @member {string} from
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.from = "";

            /**
             * Envelope applied.
             * @member {number} applied
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.applied = 0;

            /**
             * Envelope prepare.
             * @member {loom.ipam.IPrepare|null|undefined} prepare
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.prepare = null;

            /**
             * Envelope promise.
             * @member {loom.ipam.IPromise|null|undefined} promise
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.promise = null;

            /**
             * Envelope accept.
             * @member {loom.ipam.IAccept|null|undefined} accept
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.accept = null;

            /**
             * Envelope accepted.
             * @member {loom.ipam.IAccepted|null|undefined} accepted
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.accepted = null;

            /**
             * Envelope decided.
             * @member {loom.ipam.IDecided|null|undefined} decided
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.decided = null;

            /**
             * Envelope renew.
             * @member {loom.ipam.IRenew|null|undefined} renew
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.renew = null;

            /**
             * Envelope renewAck.
             * @member {loom.ipam.IRenewAck|null|undefined} renewAck
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.renewAck = null;

            /**
             * Envelope joinRequest.
             * @member {loom.ipam.IJoinRequest|null|undefined} joinRequest
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.joinRequest = null;

            /**
             * Envelope fetch.
             * @member {loom.ipam.IFetch|null|undefined} fetch
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.fetch = null;

            /**
             * Envelope state.
             * @member {loom.ipam.IClusterState|null|undefined} state
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.state = null;

            /**
             * Envelope digest.
             * @member {loom.ipam.IDigest|null|undefined} digest
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.digest = null;

            /**
             * Envelope request.
             * @member {loom.ipam.IRequest|null|undefined} request
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Envelope.prototype.request = null;

            // OneOf field names bound to virtual getters and setters
            var $oneOfFields;

            /**
             * Envelope body.
             * @member {"prepare"|"promise"|"accept"|"accepted"|"decided"|"renew"|"renewAck"|"joinRequest"|"fetch"|"state"|"digest"|"request"|undefined} body
             * @memberof loom.ipam.Envelope
             * @instance
             */
            Object.defineProperty(Envelope.prototype, "body", {
                get: $util.oneOfGetter($oneOfFields = ["prepare", "promise", "accept", "accepted", "decided", "renew", "renewAck", "joinRequest", "fetch", "state", "digest", "request"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new Envelope instance using the specified properties.
             * @function create
             * @memberof loom.ipam.Envelope
             * @static
             * @param {loom.ipam.IEnvelope=} [properties] Properties to set
             * @returns {loom.ipam.Envelope} Envelope instance
             */
            Envelope.create = function create(properties) {
                return new Envelope(properties);
            };

            /**
             * Encodes the specified Envelope message. Does not implicitly {@link loom.ipam.Envelope.verify|verify} messages.
             * @function encode
             * @memberof loom.ipam.Envelope
             * @static
             * @param {loom.ipam.IEnvelope} m Envelope message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Envelope.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.version != null && Object.hasOwnProperty.call(m, "version"))
                    w.uint32(8).uint32(m.version);
                if (m.clusterId != null && Object.hasOwnProperty.call(m, "clusterId"))
                    w.uint32(18).string(m.clusterId);
                if (m.from != null && Object.hasOwnProperty.call(m, "from"))
                    w.uint32(26).string(m.from);
                if (m.applied != null && Object.hasOwnProperty.call(m, "applied"))
                    w.uint32(32).uint32(m.applied);
                if (m.prepare != null && Object.hasOwnProperty.call(m, "prepare"))
                    $root.loom.ipam.Prepare.encode(m.prepare, w.uint32(82).fork(), q + 1).ldelim();
                if (m.promise != null && Object.hasOwnProperty.call(m, "promise"))
                    $root.loom.ipam.Promise.encode(m.promise, w.uint32(90).fork(), q + 1).ldelim();
                if (m.accept != null && Object.hasOwnProperty.call(m, "accept"))
                    $root.loom.ipam.Accept.encode(m.accept, w.uint32(98).fork(), q + 1).ldelim();
                if (m.accepted != null && Object.hasOwnProperty.call(m, "accepted"))
                    $root.loom.ipam.Accepted.encode(m.accepted, w.uint32(106).fork(), q + 1).ldelim();
                if (m.decided != null && Object.hasOwnProperty.call(m, "decided"))
                    $root.loom.ipam.Decided.encode(m.decided, w.uint32(114).fork(), q + 1).ldelim();
                if (m.renew != null && Object.hasOwnProperty.call(m, "renew"))
                    $root.loom.ipam.Renew.encode(m.renew, w.uint32(122).fork(), q + 1).ldelim();
                if (m.renewAck != null && Object.hasOwnProperty.call(m, "renewAck"))
                    $root.loom.ipam.RenewAck.encode(m.renewAck, w.uint32(130).fork(), q + 1).ldelim();
                if (m.joinRequest != null && Object.hasOwnProperty.call(m, "joinRequest"))
                    $root.loom.ipam.JoinRequest.encode(m.joinRequest, w.uint32(138).fork(), q + 1).ldelim();
                if (m.fetch != null && Object.hasOwnProperty.call(m, "fetch"))
                    $root.loom.ipam.Fetch.encode(m.fetch, w.uint32(146).fork(), q + 1).ldelim();
                if (m.state != null && Object.hasOwnProperty.call(m, "state"))
                    $root.loom.ipam.ClusterState.encode(m.state, w.uint32(154).fork(), q + 1).ldelim();
                if (m.digest != null && Object.hasOwnProperty.call(m, "digest"))
                    $root.loom.ipam.Digest.encode(m.digest, w.uint32(162).fork(), q + 1).ldelim();
                if (m.request != null && Object.hasOwnProperty.call(m, "request"))
                    $root.loom.ipam.Request.encode(m.request, w.uint32(170).fork(), q + 1).ldelim();
                return w;
            };

            /**
             * Encodes the specified Envelope message, length delimited. Does not implicitly {@link loom.ipam.Envelope.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.ipam.Envelope
             * @static
             * @param {loom.ipam.IEnvelope} message Envelope message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Envelope.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes an Envelope message from the specified reader or buffer.
             * @function decode
             * @memberof loom.ipam.Envelope
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.ipam.Envelope} Envelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Envelope.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.ipam.Envelope();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.version = r.uint32();
                            break;
                        }
                    case 2: {
                            m.clusterId = r.string();
                            break;
                        }
                    case 3: {
                            m.from = r.string();
                            break;
                        }
                    case 4: {
                            m.applied = r.uint32();
                            break;
                        }
                    case 10: {
                            m.prepare = $root.loom.ipam.Prepare.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 11: {
                            m.promise = $root.loom.ipam.Promise.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 12: {
                            m.accept = $root.loom.ipam.Accept.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 13: {
                            m.accepted = $root.loom.ipam.Accepted.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 14: {
                            m.decided = $root.loom.ipam.Decided.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 15: {
                            m.renew = $root.loom.ipam.Renew.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 16: {
                            m.renewAck = $root.loom.ipam.RenewAck.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 17: {
                            m.joinRequest = $root.loom.ipam.JoinRequest.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 18: {
                            m.fetch = $root.loom.ipam.Fetch.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 19: {
                            m.state = $root.loom.ipam.ClusterState.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 20: {
                            m.digest = $root.loom.ipam.Digest.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    case 21: {
                            m.request = $root.loom.ipam.Request.decode(r, r.uint32(), undefined, n + 1);
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes an Envelope message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.ipam.Envelope
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.ipam.Envelope} Envelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Envelope.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies an Envelope message.
             * @function verify
             * @memberof loom.ipam.Envelope
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Envelope.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                var p = {};
                if (m.version != null && Object.hasOwnProperty.call(m, "version")) {
                    if (!$util.isInteger(m.version))
                        return "version: integer expected";
                }
                if (m.clusterId != null && Object.hasOwnProperty.call(m, "clusterId")) {
                    if (!$util.isString(m.clusterId))
                        return "clusterId: string expected";
                }
                if (m.from != null && Object.hasOwnProperty.call(m, "from")) {
                    if (!$util.isString(m.from))
                        return "from: string expected";
                }
                if (m.applied != null && Object.hasOwnProperty.call(m, "applied")) {
                    if (!$util.isInteger(m.applied))
                        return "applied: integer expected";
                }
                if (m.prepare != null && Object.hasOwnProperty.call(m, "prepare")) {
                    p.body = 1;
                    {
                        var e = $root.loom.ipam.Prepare.verify(m.prepare, n + 1);
                        if (e)
                            return "prepare." + e;
                    }
                }
                if (m.promise != null && Object.hasOwnProperty.call(m, "promise")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.ipam.Promise.verify(m.promise, n + 1);
                        if (e)
                            return "promise." + e;
                    }
                }
                if (m.accept != null && Object.hasOwnProperty.call(m, "accept")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.ipam.Accept.verify(m.accept, n + 1);
                        if (e)
                            return "accept." + e;
                    }
                }
                if (m.accepted != null && Object.hasOwnProperty.call(m, "accepted")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.ipam.Accepted.verify(m.accepted, n + 1);
                        if (e)
                            return "accepted." + e;
                    }
                }
                if (m.decided != null && Object.hasOwnProperty.call(m, "decided")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.ipam.Decided.verify(m.decided, n + 1);
                        if (e)
                            return "decided." + e;
                    }
                }
                if (m.renew != null && Object.hasOwnProperty.call(m, "renew")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.ipam.Renew.verify(m.renew, n + 1);
                        if (e)
                            return "renew." + e;
                    }
                }
                if (m.renewAck != null && Object.hasOwnProperty.call(m, "renewAck")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.ipam.RenewAck.verify(m.renewAck, n + 1);
                        if (e)
                            return "renewAck." + e;
                    }
                }
                if (m.joinRequest != null && Object.hasOwnProperty.call(m, "joinRequest")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.ipam.JoinRequest.verify(m.joinRequest, n + 1);
                        if (e)
                            return "joinRequest." + e;
                    }
                }
                if (m.fetch != null && Object.hasOwnProperty.call(m, "fetch")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.ipam.Fetch.verify(m.fetch, n + 1);
                        if (e)
                            return "fetch." + e;
                    }
                }
                if (m.state != null && Object.hasOwnProperty.call(m, "state")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.ipam.ClusterState.verify(m.state, n + 1);
                        if (e)
                            return "state." + e;
                    }
                }
                if (m.digest != null && Object.hasOwnProperty.call(m, "digest")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.ipam.Digest.verify(m.digest, n + 1);
                        if (e)
                            return "digest." + e;
                    }
                }
                if (m.request != null && Object.hasOwnProperty.call(m, "request")) {
                    if (p.body === 1)
                        return "body: multiple values";
                    p.body = 1;
                    {
                        var e = $root.loom.ipam.Request.verify(m.request, n + 1);
                        if (e)
                            return "request." + e;
                    }
                }
                return null;
            };

            /**
             * Creates an Envelope message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.ipam.Envelope
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.ipam.Envelope} Envelope
             */
            Envelope.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.ipam.Envelope)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.ipam.Envelope: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.ipam.Envelope();
                if (d.version != null) {
                    m.version = d.version >>> 0;
                }
                if (d.clusterId != null) {
                    m.clusterId = String(d.clusterId);
                }
                if (d.from != null) {
                    m.from = String(d.from);
                }
                if (d.applied != null) {
                    m.applied = d.applied >>> 0;
                }
                if (d.prepare != null) {
                    if (!$util.isObject(d.prepare))
                        throw TypeError(".loom.ipam.Envelope.prepare: object expected");
                    m.prepare = $root.loom.ipam.Prepare.fromObject(d.prepare, n + 1);
                }
                if (d.promise != null) {
                    if (!$util.isObject(d.promise))
                        throw TypeError(".loom.ipam.Envelope.promise: object expected");
                    m.promise = $root.loom.ipam.Promise.fromObject(d.promise, n + 1);
                }
                if (d.accept != null) {
                    if (!$util.isObject(d.accept))
                        throw TypeError(".loom.ipam.Envelope.accept: object expected");
                    m.accept = $root.loom.ipam.Accept.fromObject(d.accept, n + 1);
                }
                if (d.accepted != null) {
                    if (!$util.isObject(d.accepted))
                        throw TypeError(".loom.ipam.Envelope.accepted: object expected");
                    m.accepted = $root.loom.ipam.Accepted.fromObject(d.accepted, n + 1);
                }
                if (d.decided != null) {
                    if (!$util.isObject(d.decided))
                        throw TypeError(".loom.ipam.Envelope.decided: object expected");
                    m.decided = $root.loom.ipam.Decided.fromObject(d.decided, n + 1);
                }
                if (d.renew != null) {
                    if (!$util.isObject(d.renew))
                        throw TypeError(".loom.ipam.Envelope.renew: object expected");
                    m.renew = $root.loom.ipam.Renew.fromObject(d.renew, n + 1);
                }
                if (d.renewAck != null) {
                    if (!$util.isObject(d.renewAck))
                        throw TypeError(".loom.ipam.Envelope.renewAck: object expected");
                    m.renewAck = $root.loom.ipam.RenewAck.fromObject(d.renewAck, n + 1);
                }
                if (d.joinRequest != null) {
                    if (!$util.isObject(d.joinRequest))
                        throw TypeError(".loom.ipam.Envelope.joinRequest: object expected");
                    m.joinRequest = $root.loom.ipam.JoinRequest.fromObject(d.joinRequest, n + 1);
                }
                if (d.fetch != null) {
                    if (!$util.isObject(d.fetch))
                        throw TypeError(".loom.ipam.Envelope.fetch: object expected");
                    m.fetch = $root.loom.ipam.Fetch.fromObject(d.fetch, n + 1);
                }
                if (d.state != null) {
                    if (!$util.isObject(d.state))
                        throw TypeError(".loom.ipam.Envelope.state: object expected");
                    m.state = $root.loom.ipam.ClusterState.fromObject(d.state, n + 1);
                }
                if (d.digest != null) {
                    if (!$util.isObject(d.digest))
                        throw TypeError(".loom.ipam.Envelope.digest: object expected");
                    m.digest = $root.loom.ipam.Digest.fromObject(d.digest, n + 1);
                }
                if (d.request != null) {
                    if (!$util.isObject(d.request))
                        throw TypeError(".loom.ipam.Envelope.request: object expected");
                    m.request = $root.loom.ipam.Request.fromObject(d.request, n + 1);
                }
                return m;
            };

            /**
             * Creates a plain object from an Envelope message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.ipam.Envelope
             * @static
             * @param {loom.ipam.Envelope} m Envelope
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Envelope.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    d.version = 0;
                    d.clusterId = "";
                    d.from = "";
                    d.applied = 0;
                }
                if (m.version != null && Object.hasOwnProperty.call(m, "version")) {
                    d.version = m.version;
                }
                if (m.clusterId != null && Object.hasOwnProperty.call(m, "clusterId")) {
                    d.clusterId = m.clusterId;
                }
                if (m.from != null && Object.hasOwnProperty.call(m, "from")) {
                    d.from = m.from;
                }
                if (m.applied != null && Object.hasOwnProperty.call(m, "applied")) {
                    d.applied = m.applied;
                }
                if (m.prepare != null && Object.hasOwnProperty.call(m, "prepare")) {
                    d.prepare = $root.loom.ipam.Prepare.toObject(m.prepare, o, q + 1);
                    if (o.oneofs)
                        d.body = "prepare";
                }
                if (m.promise != null && Object.hasOwnProperty.call(m, "promise")) {
                    d.promise = $root.loom.ipam.Promise.toObject(m.promise, o, q + 1);
                    if (o.oneofs)
                        d.body = "promise";
                }
                if (m.accept != null && Object.hasOwnProperty.call(m, "accept")) {
                    d.accept = $root.loom.ipam.Accept.toObject(m.accept, o, q + 1);
                    if (o.oneofs)
                        d.body = "accept";
                }
                if (m.accepted != null && Object.hasOwnProperty.call(m, "accepted")) {
                    d.accepted = $root.loom.ipam.Accepted.toObject(m.accepted, o, q + 1);
                    if (o.oneofs)
                        d.body = "accepted";
                }
                if (m.decided != null && Object.hasOwnProperty.call(m, "decided")) {
                    d.decided = $root.loom.ipam.Decided.toObject(m.decided, o, q + 1);
                    if (o.oneofs)
                        d.body = "decided";
                }
                if (m.renew != null && Object.hasOwnProperty.call(m, "renew")) {
                    d.renew = $root.loom.ipam.Renew.toObject(m.renew, o, q + 1);
                    if (o.oneofs)
                        d.body = "renew";
                }
                if (m.renewAck != null && Object.hasOwnProperty.call(m, "renewAck")) {
                    d.renewAck = $root.loom.ipam.RenewAck.toObject(m.renewAck, o, q + 1);
                    if (o.oneofs)
                        d.body = "renewAck";
                }
                if (m.joinRequest != null && Object.hasOwnProperty.call(m, "joinRequest")) {
                    d.joinRequest = $root.loom.ipam.JoinRequest.toObject(m.joinRequest, o, q + 1);
                    if (o.oneofs)
                        d.body = "joinRequest";
                }
                if (m.fetch != null && Object.hasOwnProperty.call(m, "fetch")) {
                    d.fetch = $root.loom.ipam.Fetch.toObject(m.fetch, o, q + 1);
                    if (o.oneofs)
                        d.body = "fetch";
                }
                if (m.state != null && Object.hasOwnProperty.call(m, "state")) {
                    d.state = $root.loom.ipam.ClusterState.toObject(m.state, o, q + 1);
                    if (o.oneofs)
                        d.body = "state";
                }
                if (m.digest != null && Object.hasOwnProperty.call(m, "digest")) {
                    d.digest = $root.loom.ipam.Digest.toObject(m.digest, o, q + 1);
                    if (o.oneofs)
                        d.body = "digest";
                }
                if (m.request != null && Object.hasOwnProperty.call(m, "request")) {
                    d.request = $root.loom.ipam.Request.toObject(m.request, o, q + 1);
                    if (o.oneofs)
                        d.body = "request";
                }
                return d;
            };

            /**
             * Converts this Envelope to JSON.
             * @function toJSON
             * @memberof loom.ipam.Envelope
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Envelope.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Envelope
             * @function getTypeUrl
             * @memberof loom.ipam.Envelope
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Envelope.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.ipam.Envelope";
            };

            return Envelope;
        })();

        return ipam;
    })();

    loom.nodestate = (function() {

        /**
         * Namespace nodestate.
         * @memberof loom
         * @namespace
         */
        var nodestate = {};

        nodestate.Entry = (function() {

            /**
             * Properties of an Entry.
             * @memberof loom.nodestate
             * @interface IEntry
             * @property {Uint8Array|null} [nodeId] Entry nodeId
             * @property {string|null} [nodeName] Entry nodeName
             * @property {string|null} [topic] Entry topic
             * @property {number|null} [generation] Entry generation
             * @property {number|null} [seq] Entry seq
             * @property {Uint8Array|null} [value] Entry value
             */

            /**
             * Constructs a new Entry.
             * @memberof loom.nodestate
             * @classdesc Represents an Entry.
             * @implements IEntry
             * @constructor
             * @param {loom.nodestate.IEntry=} [p] Properties to set
             */
            function Entry(p) {
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Entry nodeId.
             * @member {Uint8Array} nodeId
             * @memberof loom.nodestate.Entry
             * @instance
             */
            Entry.prototype.nodeId = $util.newBuffer([]);

            /**
             * Entry nodeName.
             * @member {string} nodeName
             * @memberof loom.nodestate.Entry
             * @instance
             */
            Entry.prototype.nodeName = "";

            /**
             * Entry topic.
             * @member {string} topic
             * @memberof loom.nodestate.Entry
             * @instance
             */
            Entry.prototype.topic = "";

            /**
             * Entry generation.
             * @member {number} generation
             * @memberof loom.nodestate.Entry
             * @instance
             */
            Entry.prototype.generation = 0;

            /**
             * Entry seq.
             * @member {number} seq
             * @memberof loom.nodestate.Entry
             * @instance
             */
            Entry.prototype.seq = 0;

            /**
             * Entry value.
             * @member {Uint8Array} value
             * @memberof loom.nodestate.Entry
             * @instance
             */
            Entry.prototype.value = $util.newBuffer([]);

            /**
             * Creates a new Entry instance using the specified properties.
             * @function create
             * @memberof loom.nodestate.Entry
             * @static
             * @param {loom.nodestate.IEntry=} [properties] Properties to set
             * @returns {loom.nodestate.Entry} Entry instance
             */
            Entry.create = function create(properties) {
                return new Entry(properties);
            };

            /**
             * Encodes the specified Entry message. Does not implicitly {@link loom.nodestate.Entry.verify|verify} messages.
             * @function encode
             * @memberof loom.nodestate.Entry
             * @static
             * @param {loom.nodestate.IEntry} m Entry message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Entry.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.nodeId != null && Object.hasOwnProperty.call(m, "nodeId"))
                    w.uint32(10).bytes(m.nodeId);
                if (m.nodeName != null && Object.hasOwnProperty.call(m, "nodeName"))
                    w.uint32(18).string(m.nodeName);
                if (m.topic != null && Object.hasOwnProperty.call(m, "topic"))
                    w.uint32(26).string(m.topic);
                if (m.generation != null && Object.hasOwnProperty.call(m, "generation"))
                    w.uint32(32).uint32(m.generation);
                if (m.seq != null && Object.hasOwnProperty.call(m, "seq"))
                    w.uint32(40).uint32(m.seq);
                if (m.value != null && Object.hasOwnProperty.call(m, "value"))
                    w.uint32(50).bytes(m.value);
                return w;
            };

            /**
             * Encodes the specified Entry message, length delimited. Does not implicitly {@link loom.nodestate.Entry.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.nodestate.Entry
             * @static
             * @param {loom.nodestate.IEntry} message Entry message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Entry.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes an Entry message from the specified reader or buffer.
             * @function decode
             * @memberof loom.nodestate.Entry
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.nodestate.Entry} Entry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Entry.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.nodestate.Entry();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            m.nodeId = r.bytes();
                            break;
                        }
                    case 2: {
                            m.nodeName = r.string();
                            break;
                        }
                    case 3: {
                            m.topic = r.string();
                            break;
                        }
                    case 4: {
                            m.generation = r.uint32();
                            break;
                        }
                    case 5: {
                            m.seq = r.uint32();
                            break;
                        }
                    case 6: {
                            m.value = r.bytes();
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes an Entry message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.nodestate.Entry
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.nodestate.Entry} Entry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Entry.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies an Entry message.
             * @function verify
             * @memberof loom.nodestate.Entry
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Entry.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.nodeId != null && Object.hasOwnProperty.call(m, "nodeId")) {
                    if (!(m.nodeId && typeof m.nodeId.length === "number" || $util.isString(m.nodeId)))
                        return "nodeId: buffer expected";
                }
                if (m.nodeName != null && Object.hasOwnProperty.call(m, "nodeName")) {
                    if (!$util.isString(m.nodeName))
                        return "nodeName: string expected";
                }
                if (m.topic != null && Object.hasOwnProperty.call(m, "topic")) {
                    if (!$util.isString(m.topic))
                        return "topic: string expected";
                }
                if (m.generation != null && Object.hasOwnProperty.call(m, "generation")) {
                    if (!$util.isInteger(m.generation))
                        return "generation: integer expected";
                }
                if (m.seq != null && Object.hasOwnProperty.call(m, "seq")) {
                    if (!$util.isInteger(m.seq))
                        return "seq: integer expected";
                }
                if (m.value != null && Object.hasOwnProperty.call(m, "value")) {
                    if (!(m.value && typeof m.value.length === "number" || $util.isString(m.value)))
                        return "value: buffer expected";
                }
                return null;
            };

            /**
             * Creates an Entry message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.nodestate.Entry
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.nodestate.Entry} Entry
             */
            Entry.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.nodestate.Entry)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.nodestate.Entry: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.nodestate.Entry();
                if (d.nodeId != null) {
                    if (typeof d.nodeId === "string")
                        $util.base64.decode(d.nodeId, m.nodeId = $util.newBuffer($util.base64.length(d.nodeId)), 0);
                    else if (d.nodeId.length >= 0)
                        m.nodeId = d.nodeId;
                }
                if (d.nodeName != null) {
                    m.nodeName = String(d.nodeName);
                }
                if (d.topic != null) {
                    m.topic = String(d.topic);
                }
                if (d.generation != null) {
                    m.generation = d.generation >>> 0;
                }
                if (d.seq != null) {
                    m.seq = d.seq >>> 0;
                }
                if (d.value != null) {
                    if (typeof d.value === "string")
                        $util.base64.decode(d.value, m.value = $util.newBuffer($util.base64.length(d.value)), 0);
                    else if (d.value.length >= 0)
                        m.value = d.value;
                }
                return m;
            };

            /**
             * Creates a plain object from an Entry message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.nodestate.Entry
             * @static
             * @param {loom.nodestate.Entry} m Entry
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Entry.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.defaults) {
                    if (o.bytes === String)
                        d.nodeId = "";
                    else {
                        d.nodeId = [];
                        if (o.bytes !== Array)
                            d.nodeId = $util.newBuffer(d.nodeId);
                    }
                    d.nodeName = "";
                    d.topic = "";
                    d.generation = 0;
                    d.seq = 0;
                    if (o.bytes === String)
                        d.value = "";
                    else {
                        d.value = [];
                        if (o.bytes !== Array)
                            d.value = $util.newBuffer(d.value);
                    }
                }
                if (m.nodeId != null && Object.hasOwnProperty.call(m, "nodeId")) {
                    d.nodeId = o.bytes === String ? $util.base64.encode(m.nodeId, 0, m.nodeId.length) : o.bytes === Array ? Array.prototype.slice.call(m.nodeId) : m.nodeId;
                }
                if (m.nodeName != null && Object.hasOwnProperty.call(m, "nodeName")) {
                    d.nodeName = m.nodeName;
                }
                if (m.topic != null && Object.hasOwnProperty.call(m, "topic")) {
                    d.topic = m.topic;
                }
                if (m.generation != null && Object.hasOwnProperty.call(m, "generation")) {
                    d.generation = m.generation;
                }
                if (m.seq != null && Object.hasOwnProperty.call(m, "seq")) {
                    d.seq = m.seq;
                }
                if (m.value != null && Object.hasOwnProperty.call(m, "value")) {
                    d.value = o.bytes === String ? $util.base64.encode(m.value, 0, m.value.length) : o.bytes === Array ? Array.prototype.slice.call(m.value) : m.value;
                }
                return d;
            };

            /**
             * Converts this Entry to JSON.
             * @function toJSON
             * @memberof loom.nodestate.Entry
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Entry.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Entry
             * @function getTypeUrl
             * @memberof loom.nodestate.Entry
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Entry.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.nodestate.Entry";
            };

            return Entry;
        })();

        nodestate.Full = (function() {

            /**
             * Properties of a Full.
             * @memberof loom.nodestate
             * @interface IFull
             * @property {Array.<loom.nodestate.IEntry>|null} [entries] Full entries
             */

            /**
             * Constructs a new Full.
             * @memberof loom.nodestate
             * @classdesc Represents a Full.
             * @implements IFull
             * @constructor
             * @param {loom.nodestate.IFull=} [p] Properties to set
             */
            function Full(p) {
                this.entries = [];
                if (p)
                    for (var ks = Object.keys(p), i = 0; i < ks.length; ++i)
                        if (p[ks[i]] != null && ks[i] !== "__proto__")
                            this[ks[i]] = p[ks[i]];
            }

            /**
             * Full entries.
             * @member {Array.<loom.nodestate.IEntry>} entries
             * @memberof loom.nodestate.Full
             * @instance
             */
            Full.prototype.entries = $util.emptyArray;

            /**
             * Creates a new Full instance using the specified properties.
             * @function create
             * @memberof loom.nodestate.Full
             * @static
             * @param {loom.nodestate.IFull=} [properties] Properties to set
             * @returns {loom.nodestate.Full} Full instance
             */
            Full.create = function create(properties) {
                return new Full(properties);
            };

            /**
             * Encodes the specified Full message. Does not implicitly {@link loom.nodestate.Full.verify|verify} messages.
             * @function encode
             * @memberof loom.nodestate.Full
             * @static
             * @param {loom.nodestate.IFull} m Full message or plain object to encode
             * @param {$protobuf.Writer} [w] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Full.encode = function encode(m, w, q) {
                if (!w)
                    w = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (m.entries != null && m.entries.length) {
                    for (var i = 0; i < m.entries.length; ++i)
                        $root.loom.nodestate.Entry.encode(m.entries[i], w.uint32(10).fork(), q + 1).ldelim();
                }
                return w;
            };

            /**
             * Encodes the specified Full message, length delimited. Does not implicitly {@link loom.nodestate.Full.verify|verify} messages.
             * @function encodeDelimited
             * @memberof loom.nodestate.Full
             * @static
             * @param {loom.nodestate.IFull} message Full message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Full.encodeDelimited = function encodeDelimited(message, writer) {
                return this.encode(message, writer && writer.len ? writer.fork() : writer).ldelim();
            };

            /**
             * Decodes a Full message from the specified reader or buffer.
             * @function decode
             * @memberof loom.nodestate.Full
             * @static
             * @param {$protobuf.Reader|Uint8Array} r Reader or buffer to decode from
             * @param {number} [l] Message length if known beforehand
             * @returns {loom.nodestate.Full} Full
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Full.decode = function decode(r, l, e, n) {
                if (!(r instanceof $Reader))
                    r = $Reader.create(r);
                if (n === undefined)
                    n = 0;
                if (n > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var c, m;
                if (l === undefined)
                    c = r.len;
                else {
                    c = r.pos + l;
                    if (c > r.len)
                        throw RangeError("index out of range");
                    l = r.len;
                    r.len = c;
                }
                m = new $root.loom.nodestate.Full();
                while (r.pos < c) {
                    var t = r.uint32();
                    if (t === e)
                        break;
                    switch (t >>> 3) {
                    case 1: {
                            if (!(m.entries && m.entries.length))
                                m.entries = [];
                            m.entries.push($root.loom.nodestate.Entry.decode(r, r.uint32(), undefined, n + 1));
                            break;
                        }
                    default:
                        r.skipType(t & 7, n);
                        break;
                    }
                }
                if (l !== undefined) {
                    if (r.pos !== c)
                        throw RangeError("index out of range");
                    r.len = l;
                }
                return m;
            };

            /**
             * Decodes a Full message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof loom.nodestate.Full
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {loom.nodestate.Full} Full
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Full.decodeDelimited = function decodeDelimited(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.uint32());
            };

            /**
             * Verifies a Full message.
             * @function verify
             * @memberof loom.nodestate.Full
             * @static
             * @param {Object.<string,*>} m Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Full.verify = function verify(m, n) {
                if (typeof m !== "object" || m === null)
                    return "object expected";
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    return "maximum nesting depth exceeded";
                if (m.entries != null && Object.hasOwnProperty.call(m, "entries")) {
                    if (!Array.isArray(m.entries))
                        return "entries: array expected";
                    for (var i = 0; i < m.entries.length; ++i) {
                        {
                            var e = $root.loom.nodestate.Entry.verify(m.entries[i], n + 1);
                            if (e)
                                return "entries." + e;
                        }
                    }
                }
                return null;
            };

            /**
             * Creates a Full message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof loom.nodestate.Full
             * @static
             * @param {Object.<string,*>} d Plain object
             * @returns {loom.nodestate.Full} Full
             */
            Full.fromObject = function fromObject(d, n) {
                if (d instanceof $root.loom.nodestate.Full)
                    return d;
                if (!$util.isObject(d))
                    throw TypeError(".loom.nodestate.Full: object expected");
                if (n === undefined)
                    n = 0;
                if (n > $util.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                var m = new $root.loom.nodestate.Full();
                if (d.entries) {
                    if (!Array.isArray(d.entries))
                        throw TypeError(".loom.nodestate.Full.entries: array expected");
                    m.entries = [];
                    for (var i = 0; i < d.entries.length; ++i) {
                        if (!$util.isObject(d.entries[i]))
                            throw TypeError(".loom.nodestate.Full.entries: object expected");
                        m.entries[i] = $root.loom.nodestate.Entry.fromObject(d.entries[i], n + 1);
                    }
                }
                return m;
            };

            /**
             * Creates a plain object from a Full message. Also converts values to other types if specified.
             * @function toObject
             * @memberof loom.nodestate.Full
             * @static
             * @param {loom.nodestate.Full} m Full
             * @param {$protobuf.IConversionOptions} [o] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Full.toObject = function toObject(m, o, q) {
                if (!o)
                    o = {};
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                var d = {};
                if (o.arrays || o.defaults) {
                    d.entries = [];
                }
                if (m.entries && m.entries.length) {
                    d.entries = [];
                    for (var j = 0; j < m.entries.length; ++j) {
                        d.entries[j] = $root.loom.nodestate.Entry.toObject(m.entries[j], o, q + 1);
                    }
                }
                return d;
            };

            /**
             * Converts this Full to JSON.
             * @function toJSON
             * @memberof loom.nodestate.Full
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Full.prototype.toJSON = function toJSON() {
                return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the default type url for Full
             * @function getTypeUrl
             * @memberof loom.nodestate.Full
             * @static
             * @param {string} [typeUrlPrefix] your custom typeUrlPrefix(default "type.googleapis.com")
             * @returns {string} The default type url
             */
            Full.getTypeUrl = function getTypeUrl(typeUrlPrefix) {
                if (typeUrlPrefix === undefined) {
                    typeUrlPrefix = "type.googleapis.com";
                }
                return typeUrlPrefix + "/loom.nodestate.Full";
            };

            return Full;
        })();

        return nodestate;
    })();

    return loom;
})();

module.exports = $root;
