import RelevoHTTP1
import RelevoIO
import RelevoProxy

/// One downstream connection to the admin API, served on its own thread until either side closes.
///
/// Reads a request (head, then a Content-Length body), answers it, and goes on while both sides
/// keep the connection alive. Each request must arrive whole within the read timeout; an idle
/// connection is closed after it too.
struct AdminConnection {
    /// The connection.
    let socket: AdminSocket

    /// The peer's address.
    let peer: SocketAddress

    /// The routes and the control behind them.
    let router: AdminRouter

    /// Sizes and timeouts.
    let limits: AdminServer.Limits

    /// Bytes read and not yet consumed: the rest of a request, or a pipelined next one.
    private var buffer: [UInt8] = []

    /// Finds each request head in ``buffer``.
    private var parser: HTTPRequestParser

    /// Creates the connection's state.
    init(socket: AdminSocket, peer: SocketAddress, router: AdminRouter, limits: AdminServer.Limits) {
        self.socket = socket
        self.peer = peer
        self.router = router
        self.limits = limits
        self.parser = HTTPRequestParser(maximumHeadSize: limits.maximumHeadSize)
    }

    /// What reading the next request gave.
    private enum Arrival {
        /// A whole request.
        case request(AdminRequest)
        /// An answer to send before closing: the request was malformed, too large or too slow.
        case refusal(AdminResponse)
        /// The peer closed, or the connection failed or idled out between requests.
        case closed
    }

    /// Serves requests until the connection ends. Does not close the socket.
    mutating func run() {
        while true {
            switch nextRequest() {
            case .closed:
                return
            case .refusal(let response):
                send(response, keepAlive: false, includingBody: true)
                log(method: "-", path: "-", status: response.status)
                return
            case .request(let request):
                guard serve(request) else { return }
            }
        }
    }

    /// Answers one request; returns whether the connection stays open.
    private func serve(_ request: AdminRequest) -> Bool {
        let started = MonotonicClock.nanoseconds()
        let response = router.respond(to: request)

        let keepAlive = request.keepAlive && !response.closesConnection
        let sent = send(response, keepAlive: keepAlive, includingBody: request.method != "HEAD")
        log(method: request.method, path: request.path, status: response.status, started: started)
        return sent && keepAlive
    }

    /// Writes `response`; returns false if the connection failed.
    @discardableResult
    private func send(_ response: AdminResponse, keepAlive: Bool, includingBody: Bool) -> Bool {
        let bytes = response.serialized(keepAlive: keepAlive, includingBody: includingBody)
        do {
            try socket.write(bytes, deadline: AdminSocket.deadline(afterMilliseconds: limits.timeoutMilliseconds))
            return true
        } catch {
            return false
        }
    }

    /// One debug line per request.
    private func log(method: String, path: String, status: Int, started: Int64? = nil) {
        let elapsed = started.map { (MonotonicClock.nanoseconds() - $0) / 1_000 } ?? 0
        Log.debug(
            "admin_request",
            [
                "peer": peer.description, "method": method, "path": path, "status": "\(status)",
                "duration_us": "\(elapsed)",
            ])
    }
}

extension AdminConnection {
    /// Reads until a whole request is in ``buffer`` and takes it out.
    private mutating func nextRequest() -> Arrival {
        let deadline = AdminSocket.deadline(afterMilliseconds: limits.timeoutMilliseconds)
        var head = HTTPRequestHead()
        do {
            while try !parseHead(into: &head) {
                guard try socket.read(appendingTo: &buffer, deadline: deadline) > 0 else { return .closed }
            }
        } catch let error as HTTPParseError {
            return .refusal(.error(error.status, "malformed request: \(error.reason)"))
        } catch {
            return buffer.isEmpty ? .closed : Self.refusal(for: error)
        }

        return readBody(of: head, deadline: deadline)
    }

    /// Runs the parser over ``buffer``; true once a whole head is there.
    private mutating func parseHead(into head: inout HTTPRequestHead) throws(HTTPParseError) -> Bool {
        guard !buffer.isEmpty else { return false }
        let result = buffer.withUnsafeBytes { bytes in
            Result { () throws(HTTPParseError) in try parser.parse(bytes, into: &head) }
        }
        return try result.get()
    }

    /// Reads the body that `head` announces and takes the whole request out of ``buffer``.
    private mutating func readBody(of head: HTTPRequestHead, deadline: Int64) -> Arrival {
        let length: Int
        switch head.framing {
        case .chunked:
            return .refusal(.error(411, "chunked request bodies are not accepted: send a Content-Length"))
        case .contentLength(let count) where count > limits.maximumBodySize:
            return .refusal(.error(413, "request body over \(limits.maximumBodySize) bytes"))
        case .contentLength(let count):
            length = count
        case .none, .untilClose:
            length = 0
        }

        do {
            let complete = try receive(
                head.headLength + length, expectingContinue: head.expectsContinue, deadline: deadline)
            return complete ? .request(takeRequest(head, bodyLength: length)) : .closed
        } catch {
            return Self.refusal(for: error)
        }
    }

    /// Reads until ``buffer`` holds `count` bytes, sending `100 Continue` first if the client waits
    /// for it; false if the peer closed before.
    private mutating func receive(
        _ count: Int, expectingContinue: Bool, deadline: Int64
    ) throws(AdminSocketError) -> Bool {
        if expectingContinue && buffer.count < count {
            try socket.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), deadline: deadline)
        }
        while buffer.count < count {
            guard try socket.read(appendingTo: &buffer, deadline: deadline) > 0 else { return false }
        }
        return true
    }

    /// The request at the start of ``buffer``, removed from it.
    private mutating func takeRequest(_ head: HTTPRequestHead, bodyLength: Int) -> AdminRequest {
        let end = head.headLength + bodyLength
        let body = Array(buffer[head.headLength..<end])
        let request = buffer.withUnsafeBytes { AdminRequest(head: head, bytes: $0, body: body, peer: peer) }
        buffer.removeFirst(end)
        return request
    }

    /// The answer to a request that stopped arriving: 408 when too slow, nothing when the connection failed.
    private static func refusal(for error: any Error) -> Arrival {
        guard case AdminSocketError.timedOut = error else { return .closed }
        return .refusal(.error(408, "the request did not arrive whole in time"))
    }
}
