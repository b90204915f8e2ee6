import Glibc
import RelevoHTTP1
import RelevoIO

/// One POST of a drained event to a webhook, on the hook thread: resolve, connect, send, read the
/// status. Blocking, with the settings' connect and read time-outs; never on an event loop.
struct WebhookAttempt {
    /// Why an attempt stopped early.
    private enum Stop: Error {
        /// Not delivered, for this reason; the runner retries.
        case failed(String)

        /// The runner is shutting down.
        case abandoned
    }

    /// The receiver's host name or numeric address, and its port.
    let host: String
    let port: UInt16

    /// The request's bytes, head and body.
    let request: [UInt8]

    /// The time-outs.
    let settings: DrainedHookSettings

    /// Cuts the attempt short when the runner shuts down.
    let abandonment: DrainedHookAbandonment

    /// An attempt to POST `event` to `path` on `host:port`, signed with `secret`.
    init(
        host: String, port: UInt16, path: String, event: DrainedEvent, secret: AffinitySecret,
        settings: DrainedHookSettings, abandonment: DrainedHookAbandonment
    ) {
        self.host = host
        self.port = port
        self.request = Self.request(host: host, port: port, path: path, event: event, secret: secret)
        self.settings = settings
        self.abandonment = abandonment
    }

    /// Makes the attempt: delivered on a 2xx status, retry on anything else.
    func run() -> DrainedHookAttemptResult {
        do throws(Stop) {
            let status = try exchange()
            return (200..<300).contains(status)
                ? .delivered(detail: "HTTP \(status)") : .retry(reason: "HTTP \(status)")
        } catch {
            switch error {
            case .abandoned: return .abandoned
            case .failed(let reason): return .retry(reason: reason)
            }
        }
    }

    /// Connects, sends the request and returns the response's status code.
    private func exchange() throws(Stop) -> Int {
        let address = try resolve()
        let descriptor = try connect(to: address)
        defer { Syscall.close(descriptor: descriptor) }

        let deadline = MonotonicClock.coarseMilliseconds() + settings.readTimeout
        try send(on: descriptor, by: deadline)
        return try readStatus(from: descriptor, by: deadline)
    }

    // MARK: The request

    /// The POST's head and body: JSON, its length, the event's name and id, and its signature.
    static func request(host: String, port: UInt16, path: String, event: DrainedEvent, secret: AffinitySecret)
        -> [UInt8]
    {
        let body = Array(event.json.utf8)
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let authority = port == 80 ? bracketed : "\(bracketed):\(port)"

        var head = "POST \(requestTarget(path)) HTTP/1.1\r\n"
        head += "Host: \(authority)\r\n"
        head += "Content-Type: application/json\r\n"
        head += "Content-Length: \(body.count)\r\n"
        head += "X-Relevo-Event: drained\r\n"
        head += "X-Relevo-Event-Id: \(event.id)\r\n"
        head += "X-Relevo-Signature: \(signature(of: body, secret: secret))\r\n"
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// `sha256=` and the lower-case hex HMAC-SHA256 of `body` under `secret`.
    static func signature(of body: [UInt8], secret: AffinitySecret) -> String {
        let tag = body.withUnsafeBytes { secret.makeMAC().authenticate($0) }
        var text: [UInt8] = Array("sha256=".utf8)
        for index in 0..<HMACSHA256.tagByteCount {
            text.append(SessionID.hexDigit(tag[index] >> 4))
            text.append(SessionID.hexDigit(tag[index] & 0x0F))
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `path` with every byte that may not appear in a request line percent-encoded, so a path from
    /// the conf can never add a header; `/` when empty.
    static func requestTarget(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }

        var bytes: [UInt8] = []
        for byte in path.utf8 {
            if byte > 0x20 && byte < 0x7F {
                bytes.append(byte)
            } else {
                bytes.append(0x25)
                bytes.append(SessionID.hexDigit(byte >> 4))
                bytes.append(SessionID.hexDigit(byte & 0x0F))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: The exchange

    /// The receiver's address: `host` as a numeric address, or its first address from the resolver.
    private func resolve() throws(Stop) -> SocketAddress {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let address = SocketAddress(host: bare, port: port) {
            return address
        }

        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(bare, nil, &hints, &list)
        guard code == 0, let first = list else {
            throw .failed("cannot resolve \(bare): \(String(cString: gai_strerror(code)))")
        }
        defer { freeaddrinfo(list) }

        var text = [CChar](repeating: 0, count: 1025)
        let named = getnameinfo(
            first.pointee.ai_addr, first.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST)
        let numeric = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard named == 0, let address = SocketAddress(host: numeric, port: port) else {
            throw .failed("cannot resolve \(bare): no usable address")
        }
        return address
    }

    /// A socket connected to `address` within the connect time-out.
    private func connect(to address: SocketAddress) throws(Stop) -> Int32 {
        let descriptor: Int32
        do {
            descriptor = try Syscall.socket(family: address.family)
        } catch {
            throw .failed("socket: \(error.reason)")
        }

        do {
            try finishConnecting(descriptor, to: address)
            return descriptor
        } catch {
            Syscall.close(descriptor: descriptor)
            throw error
        }
    }

    /// Starts a non-blocking connect and waits for it until the connect time-out.
    private func finishConnecting(_ descriptor: Int32, to address: SocketAddress) throws(Stop) {
        let started: IOResult<Bool>
        do {
            started = try Syscall.connect(descriptor: descriptor, to: address)
        } catch {
            throw .failed("connect to \(address): \(error.reason)")
        }
        guard case .wouldBlock = started else { return }

        let deadline = MonotonicClock.coarseMilliseconds() + settings.connectTimeout
        try wait(descriptor, for: Int16(POLLOUT), by: deadline, doing: "connect to \(address)")
        let code = Syscall.socketError(descriptor: descriptor)
        guard code == 0 else {
            throw .failed("connect to \(address): \(String(cString: strerror(code)))")
        }
    }

    /// Writes the whole request by `deadline`.
    private func send(on descriptor: Int32, by deadline: Int64) throws(Stop) {
        var sent = 0
        while sent < request.count {
            let result: Result<IOResult<Int>, IOError> = request.withUnsafeBytes { bytes in
                Result { () throws(IOError) in
                    try Syscall.write(descriptor: descriptor, from: UnsafeRawBufferPointer(rebasing: bytes[sent...]))
                }
            }

            switch result {
            case .success(.processed(let count)): sent += count
            case .success(.wouldBlock):
                try wait(descriptor, for: Int16(POLLOUT), by: deadline, doing: "sending the request")
            case .failure(let error): throw .failed("sending the request: \(error.reason)")
            }
        }
    }

    /// Reads until the response head is complete, by `deadline`, and returns its status code;
    /// interim (1xx) responses are skipped.
    private func readStatus(from descriptor: Int32, by deadline: Int64) throws(Stop) -> Int {
        var received: [UInt8] = []
        var parser = HTTPResponseParser(maximumHeadSize: 16 * 1024)
        var head = HTTPResponseHead()

        while true {
            try wait(descriptor, for: Int16(POLLIN), by: deadline, doing: "waiting for the response")
            guard try receive(from: descriptor, into: &received) else {
                throw .failed("the receiver closed the connection before a response")
            }
            while try parse(&received, with: &parser, into: &head) {
                guard head.isInterim else { return head.status }
                received.removeFirst(head.headLength)
            }
        }
    }

    /// Appends what is readable to `received`; false at end of stream.
    private func receive(from descriptor: Int32, into received: inout [UInt8]) throws(Stop) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let result: Result<IOResult<Int>, IOError> = chunk.withUnsafeMutableBytes { bytes in
            Result { () throws(IOError) in try Syscall.read(descriptor: descriptor, into: bytes) }
        }

        switch result {
        case .success(.processed(0)):
            return false
        case .success(.processed(let count)):
            received.append(contentsOf: chunk[..<count])
            return true
        case .success(.wouldBlock):
            return true
        case .failure(let error):
            throw .failed("reading the response: \(error.reason)")
        }
    }

    /// Whether `received` starts with a complete response head, parsed into `head`.
    private func parse(
        _ received: inout [UInt8], with parser: inout HTTPResponseParser, into head: inout HTTPResponseHead
    ) throws(Stop) -> Bool {
        let parsed: Result<Bool, HTTPParseError> = received.withUnsafeBytes { bytes in
            Result { () throws(HTTPParseError) in try parser.parse(bytes, requestMethod: .post, into: &head) }
        }
        switch parsed {
        case .success(let complete): return complete
        case .failure(let error): throw .failed("invalid response: \(error.reason)")
        }
    }

    /// Waits for `events` on `descriptor` until `deadline`; throws a time-out naming `step`.
    private func wait(_ descriptor: Int32, for events: Int16, by deadline: Int64, doing step: String) throws(Stop) {
        switch DrainedHookWait.until(deadline, descriptor: descriptor, events: events, abandonment: abandonment) {
        case .ready: return
        case .abandoned: throw .abandoned
        case .timedOut: throw .failed("\(step): timed out")
        }
    }
}
