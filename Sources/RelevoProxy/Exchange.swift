import RelevoHTTP1

/// The state of one exchange — a request and its response — on a downstream connection.
struct Exchange {
    /// How much of the request body is still to come from the client.
    enum RequestBody: Equatable {
        /// This many bytes are still to be forwarded.
        case remaining(Int)
        /// A chunked body is being decoded and re-framed.
        case chunked
        /// The body is complete (or there was none).
        case complete
    }

    /// How far the response has got.
    enum Response: Equatable {
        /// No final response head yet.
        case awaitingHead
        /// The body streams as it came: this many bytes still to come (Content-Length).
        case lengthDelimited(remaining: Int)
        /// A chunked upstream body, re-framed chunk by chunk for an HTTP/1.1 client.
        case chunkedToChunked
        /// A chunked upstream body, decoded and sent as is to an HTTP/1.0 client, which then sees a close.
        case chunkedToClose
        /// A body delimited by the upstream closing, sent chunked to an HTTP/1.1 client.
        case closeDelimitedToChunked
        /// A body delimited by the upstream closing, sent as is to an HTTP/1.0 client, which then sees a close.
        case closeDelimited
        /// Every byte of the response is in ``DownstreamConnection/outbound`` or already written.
        case complete
    }

    var method = HTTPMethod.get
    var httpVersion = HTTPVersion.http11
    var requestKeepAlive = true
    var isUpgrade = false
    var requestBody = RequestBody.complete
    var requestDecoder = ChunkedDecoder()

    /// Whether any body byte left ``DownstreamConnection/inbound`` (then a retry is impossible).
    var bodyStarted = false

    /// Bytes of ``DownstreamConnection/upstreamOutbound`` written but kept for a retry.
    var upstreamSent = 0

    var response = Response.awaitingHead
    var responseDecoder = ChunkedDecoder()

    /// Whether a response head (relevo's own or the backend's) went into ``DownstreamConnection/outbound``.
    var responseStarted = false
    var status = 0
    var downstreamKeepAlive = false
    var upstreamKeepAlive = false

    /// The backend chosen for this exchange, for the access log.
    var backend: Backend?

    /// The backend whose outstanding count includes this exchange, until it ends.
    var countedBackend: Backend?

    /// Whether any response byte came from the current upstream connection.
    var sawResponseByte = false

    /// Tunnel directions that have ended: the client sent FIN, the upstream sent FIN.
    var tunnelClientDone = false
    var tunnelUpstreamDone = false

    /// Whether the exchange became a tunnel that is still counted as open.
    var isTunnel = false

    /// Whether the exchange still needs its access log line.
    var isOpen = false
    var version: VersionUpstreams?
    var attempts = 0

    /// The backend index the router asked for (a pinned session), if any.
    var preferredBackend: Int?

    /// What the router keeps between the request and the response.
    var session = ExchangeSession()
    var termination = Termination.normal

    /// Bytes received from the client, and written to it, for the access log.
    var bytesIn = 0
    var bytesOut = 0

    /// ``RelevoIO/MonotonicClock/nanoseconds()`` when the head was complete.
    var startedAt: Int64 = 0

    /// The method and target as the client sent them, kept only when an access log is written.
    var requestLine: [UInt8] = []
}
