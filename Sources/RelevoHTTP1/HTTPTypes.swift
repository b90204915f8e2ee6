import RelevoIO

/// Why a message was refused, and the status relevo answers with.
///
/// `reason` is short, specific and safe to send to the peer: `"Content-Length with Transfer-Encoding"`.
public struct HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 400 for malformed messages, 431 for a head over the limit, 501 for an unknown method form.
    public let status: Int

    /// What was wrong, in a few words.
    public let reason: StaticString

    /// Creates an error answered with `status`.
    public init(status: Int, reason: StaticString) {
        self.status = status
        self.reason = reason
    }

    /// A malformed message: 400.
    public static func badRequest(_ reason: StaticString) -> HTTPParseError {
        HTTPParseError(status: 400, reason: reason)
    }

    public var description: String {
        "\(status) \(reason)"
    }

    public static func == (lhs: HTTPParseError, rhs: HTTPParseError) -> Bool {
        lhs.status == rhs.status && lhs.reason.description == rhs.reason.description
    }
}

/// The HTTP version of a message. Only 1.0 and 1.1 are accepted.
public enum HTTPVersion: Sendable, Equatable {
    case http10
    case http11
}

/// The request method, with the ones relevo treats specially named.
public enum HTTPMethod: Sendable, Equatable {
    case get, head, post, put, delete, options, patch, trace, connect
    /// Any other token; its bytes are at ``HTTPRequestHead/methodRange``.
    case other

    /// Whether a retry on a fresh upstream connection is safe after request bytes were sent
    /// (RFC 9110 §9.2.2).
    public var isIdempotent: Bool {
        switch self {
        case .get, .head, .put, .delete, .options, .trace: true
        case .post, .patch, .connect, .other: false
        }
    }
}

/// Header names relevo acts on; every other name is `.other`. Matching is case-insensitive.
public enum HTTPHeaderName: UInt8, Sendable, Equatable {
    case other
    case host
    case contentLength
    case transferEncoding
    case connection
    case keepAlive
    case proxyConnection
    case te
    case trailer
    case upgrade
    case expect
    case cookie
    case setCookie
    case xForwardedFor
    case xForwardedProto
    case xForwardedHost
}

/// One header field of a parsed head, as offsets into the head's bytes.
///
/// Offsets are relative to the first byte of the head as it was handed to the parser; the name and
/// value are exactly the bytes the peer sent (the value without surrounding whitespace).
public struct HTTPHeaderField: Sendable, Equatable {
    /// Offset and length of the name.
    public var nameStart: Int32
    public var nameLength: Int32

    /// Offset and length of the value, optional whitespace trimmed.
    public var valueStart: Int32
    public var valueLength: Int32

    /// The name, if it is one relevo acts on.
    public var name: HTTPHeaderName

    /// True for hop-by-hop fields, which are never forwarded: Connection, Keep-Alive,
    /// Proxy-Connection, TE, Trailer, Upgrade, Transfer-Encoding, and every field that a
    /// Connection header names. Upgrade is forwarded by the serialiser only when tunnelling.
    public var isHopByHop: Bool

    /// Creates a field from its offsets.
    public init(
        nameStart: Int32, nameLength: Int32, valueStart: Int32, valueLength: Int32,
        name: HTTPHeaderName, isHopByHop: Bool = false
    ) {
        self.nameStart = nameStart
        self.nameLength = nameLength
        self.valueStart = valueStart
        self.valueLength = valueLength
        self.name = name
        self.isHopByHop = isHopByHop
    }
}

/// How a message body is delimited.
public enum HTTPBodyFraming: Sendable, Equatable {
    /// No body at all.
    case none
    /// Exactly this many bytes (never negative; 0 is `.contentLength(0)` when the header said so).
    case contentLength(Int)
    /// `Transfer-Encoding: chunked`.
    case chunked
    /// Until the peer closes (responses only, without Content-Length or chunked).
    case untilClose
}

/// A parsed request head. All ranges are offsets into the head's bytes.
public struct HTTPRequestHead: Sendable {
    /// The method.
    public var method: HTTPMethod = .get

    /// The method token's bytes.
    public var methodRange: Range<Int> = 0..<0

    /// The request target in origin-form (`/path?query`, or `*` for OPTIONS). For an
    /// absolute-form target, only its path and query (an empty path reads as `/`, see
    /// ``targetIsEmptyPath``).
    public var targetRange: Range<Int> = 0..<0

    /// True when an absolute-form target had an empty path: send `/`.
    public var targetIsEmptyPath: Bool = false

    /// For an absolute-form target, its authority (`host:port`), which replaces Host upstream.
    public var absoluteAuthorityRange: Range<Int>?

    /// The HTTP version of the request line.
    public var version: HTTPVersion = .http11

    /// The header fields in the order they came.
    public var headers: [HTTPHeaderField] = []

    /// How the body is delimited: `.none`, `.contentLength` or `.chunked`, never `.untilClose`.
    public var framing: HTTPBodyFraming = .none

    /// Whether the connection may stay open after this exchange (version default and Connection).
    public var keepAlive: Bool = true

    /// Whether the request asks for a protocol upgrade (Upgrade present and Connection names it).
    public var isUpgrade: Bool = false

    /// Whether the request carries `Expect: 100-continue`.
    public var expectsContinue: Bool = false

    /// The index in ``headers`` of the Host field (a valid HTTP/1.1 request has exactly one).
    public var hostIndex: Int?

    /// Bytes of the head including its final empty line.
    public var headLength: Int = 0

    /// Creates an empty head, to be filled by ``HTTPRequestParser``.
    public init() {}
}

/// A parsed response head. All ranges are offsets into the head's bytes.
public struct HTTPResponseHead: Sendable {
    /// The status code, 100...599.
    public var status: Int = 0

    /// The status line's reason phrase (may be empty).
    public var reasonRange: Range<Int> = 0..<0

    /// The HTTP version of the status line.
    public var version: HTTPVersion = .http11

    /// The header fields in the order they came.
    public var headers: [HTTPHeaderField] = []

    /// How the body is delimited, given the request method and the status
    /// (HEAD, 1xx, 204 and 304 have none).
    public var framing: HTTPBodyFraming = .none

    /// Whether the upstream connection may be reused after this response.
    public var keepAlive: Bool = true

    /// Whether this is a 1xx interim response other than 101: forward it and wait for the final one.
    public var isInterim: Bool {
        status >= 100 && status < 200 && status != 101
    }

    /// Bytes of the head including its final empty line.
    public var headLength: Int = 0

    /// Creates an empty head, to be filled by ``HTTPResponseParser``.
    public init() {}
}

/// The headers relevo adds to a request it forwards upstream.
public struct ForwardingContext {
    /// The downstream peer's address as text (`192.0.2.1`, `2001:db8::1`), appended to X-Forwarded-For.
    public var clientAddress: [UInt8]

    /// `http` or `https`, sent as X-Forwarded-Proto.
    public var scheme: StaticString

    /// Creates the context of one downstream connection.
    public init(clientAddress: [UInt8], scheme: StaticString) {
        self.clientAddress = clientAddress
        self.scheme = scheme
    }
}
