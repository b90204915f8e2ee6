import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An upstream HTTP/1.1 server for end-to-end tests: 127.0.0.1, a kernel-chosen port, one thread per connection.
///
/// Each request is handed to the test's handler as a ``BackendExchange``; what arrives is recorded (raw request
/// heads, connections accepted and closed) so tests can assert what did, and did not, reach the upstream side.
/// Thread-safe. ``stop()`` must be called (tests use ``withProxy(backends:configure:_:)``, which does).
final class TestBackend: Sendable {
    /// Answers one exchange: reads what it wants of the request, writes a response.
    typealias Handler = @Sendable (BackendExchange) throws -> Void

    /// What the backend has seen so far.
    struct Record: Sendable {
        /// Every request head received, in order of arrival, health probes included.
        var heads: [HTTPHead] = []

        /// Health probes and readiness checks received (answered by the backend itself, never by the handler).
        var probes = 0

        /// The numbers of the connections that carried at least one request other than a probe or readiness check.
        var proxiedConnections: Set<Int> = []

        /// Connections accepted.
        var connectionsAccepted = 0

        /// Connections that have ended, whoever closed them.
        var connectionsEnded = 0

        /// Connections the backend itself closed after a response to a request other than a probe or readiness check.
        var connectionsClosedByBackend = 0

        /// Observations written by handlers, e.g. bytes that arrived too early.
        var notes: [String] = []

        /// Failures inside the backend: unreadable requests, handler errors.
        var failures: [String] = []

        /// Connections open right now, so ``TestBackend/stop()`` can wake their threads.
        var open: [Int: BufferedConnection] = [:]

        /// Threads still running (the accept thread and one per connection).
        var runningThreads = 0
    }

    /// The port the backend listens on.
    let port: UInt16

    /// What the backend has seen; tests read it and wait on it.
    let record = Monitor(Record())

    /// The receive and send timeout of every accepted connection.
    let connectionTimeout: Duration

    /// Whether the backend answers health probes and readiness checks itself (with 200), bypassing the handler.
    let answersHealthProbes: Bool

    private let listener: Int32
    private let handler: Handler
    private let stopped = Monitor(false)

    /// Starts listening and accepting; every request goes to `handler`, except health probes (`GET /`) and
    /// readiness checks, which the backend answers with 200 itself unless `answersHealthProbes` is false.
    init(
        connectionTimeout: Duration = .seconds(60),
        answersHealthProbes: Bool = true,
        handler: @escaping Handler = TestBackend.summarize
    ) throws {
        (listener, port) = try TestSocket.listen()
        self.connectionTimeout = connectionTimeout
        self.answersHealthProbes = answersHealthProbes
        self.handler = handler
        record.withLock { $0.runningThreads += 1 }
        Thread { [self] in acceptLoop() }.start()
    }

    /// `host:port` of this backend, as a conf names it.
    var address: String {
        "127.0.0.1:\(port)"
    }

    /// The request heads received, in order, but for health probes and readiness checks (see
    /// ``isHarnessRequest(_:)``): what the test itself sent through relevo.
    var proxiedHeads: [HTTPHead] {
        record.value.heads.filter { !Self.isHarnessRequest($0) }
    }

    /// Waits until at least `count` non-probe requests arrived, at most `timeout`; returns whether they did.
    @discardableResult
    func waitForRequests(_ count: Int, timeout: Duration = .seconds(10)) -> Bool {
        record.wait(timeout: timeout) { $0.heads.filter { !Self.isHarnessRequest($0) }.count >= count }
    }

    /// Stops accepting, wakes and ends every connection thread (bounded), and closes the listening socket.
    func stop() {
        let alreadyStopped = stopped.withLock { state in
            defer { state = true }
            return state
        }
        guard !alreadyStopped else {
            return
        }

        _ = Glibc.shutdown(listener, Int32(SHUT_RDWR))
        for connection in record.value.open.values {
            connection.shutdown()
        }

        if !record.wait(timeout: .seconds(10), until: { $0.runningThreads == 0 }) {
            print("TestBackend \(port): threads still running 10 s after stop")
        }
        _ = Glibc.close(listener)
    }

    /// Answers a health probe or readiness check with 200, whatever the test's handler would do, so that relevo's
    /// gate passes and the harness can tell when relevo routes.
    static let answerProbe: Handler = { exchange in
        try exchange.respond(status: 200, body: "healthy")
    }

    /// The path of the harness's readiness checks, sent through relevo before a test starts.
    static let readinessPath = "/__e2e_ready"

    /// Whether `head` came from relevo's health checks (`GET /`; tests never use the path `/`) or from the
    /// harness's readiness checks, rather than from the test.
    static func isHarnessRequest(_ head: HTTPHead) -> Bool {
        isHealthProbe(head) || head.target == readinessPath
    }

    /// Whether `head` is relevo's health probe: `GET /`.
    static func isHealthProbe(_ head: HTTPHead) -> Bool {
        head.method == "GET" && head.target == "/"
    }

    /// The default handler: reads the whole body, answers 200 with `METHOD TARGET LENGTH DIGEST` as text.
    static let summarize: Handler = { exchange in
        let body = try exchange.readBody()
        try exchange.respond(status: 200, body: "\(exchange.request.method) \(exchange.request.target) \(body.digest)")
    }

    // MARK: Threads

    private func acceptLoop() {
        defer { record.withLock { $0.runningThreads -= 1 } }
        var number = 0
        while true {
            let descriptor: Int32?
            do {
                descriptor = try TestSocket.accept(listener, timeout: connectionTimeout)
            } catch {
                fail("accept: \(error)")
                return
            }
            guard let descriptor, !stopped.value else {
                if let descriptor {
                    _ = Glibc.close(descriptor)
                }
                return
            }

            number += 1
            let connection = BufferedConnection(descriptor: descriptor, timeout: connectionTimeout)
            let connectionNumber = number
            record.withLock {
                $0.connectionsAccepted += 1
                $0.open[connectionNumber] = connection
                $0.runningThreads += 1
            }
            Thread { [self] in serve(connection, number: connectionNumber) }.start()
        }
    }

    private func serve(_ connection: BufferedConnection, number: Int) {
        defer {
            connection.close()
            record.withLock {
                $0.open[number] = nil
                $0.connectionsEnded += 1
                $0.runningThreads -= 1
            }
        }

        while !stopped.value {
            let head: HTTPHead?
            do {
                head = try connection.readHead()
            } catch {
                if !stopped.value {
                    fail("connection \(number): reading a request head: \(error)")
                }
                return
            }
            guard let head else {
                return
            }
            let isProbe = Self.isHarnessRequest(head)
            record.withLock { record in
                record.heads.append(head)
                if isProbe {
                    record.probes += 1
                } else {
                    record.proxiedConnections.insert(number)
                }
            }

            let exchange = BackendExchange(
                request: head, connection: connection, connectionNumber: number, backend: self)
            do {
                try (isProbe && answersHealthProbes ? Self.answerProbe : handler)(exchange)
                if head.hasToken("close", in: "Connection") {
                    exchange.closesConnection = true
                }
                if !exchange.closesConnection && !exchange.isBodyRead {
                    _ = try exchange.readBody()
                }
            } catch {
                if !stopped.value {
                    fail("connection \(number), \(head.startLine): \(error)")
                }
                return
            }
            if exchange.closesConnection {
                connection.close()
                if !isProbe {
                    record.withLock { $0.connectionsClosedByBackend += 1 }
                }
                return
            }
        }
    }

    /// Records a failure inside the backend.
    func fail(_ message: String) {
        record.withLock { $0.failures.append(message) }
    }
}
