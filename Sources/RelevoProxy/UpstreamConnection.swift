import Glibc
import RelevoHTTP1
import RelevoIO

/// One TCP connection to a backend.
///
/// While an exchange uses it, it belongs to that exchange's ``DownstreamConnection`` (its owner),
/// which does the reading and writing; between exchanges it waits, idle, in its backend's pool,
/// holding no buffer memory. Used only on its worker's loop.
final class UpstreamConnection: EventHandler {
    /// Where the connection is in its life.
    enum State {
        /// connect(2) is in progress.
        case connecting
        /// An exchange owns it.
        case active
        /// In the backend's pool, waiting for the next exchange.
        case idle
        /// Closed; the descriptor is gone.
        case closed
    }

    /// The worker that owns this connection. Workers live as long as the process, so the
    /// reference needs no counting.
    unowned(unsafe) let worker: Worker
    let backend: Backend
    let descriptor: Int32
    private(set) var registration: Registration!
    private(set) var state: State

    /// Bytes read from the backend and not yet forwarded.
    let inbound = ByteBuffer()

    /// Edge-triggered readiness, as last reported and not yet used up.
    var isReadable = false
    var isWritable = false

    /// The backend shut down its side (a read returned 0, or epoll said so).
    var hasPeerClosed = false

    /// Whether the connection came from the pool rather than a fresh connect.
    private(set) var isReused = false

    /// Parses the response of the current exchange.
    var responseParser = HTTPResponseParser()

    /// The downstream connection whose exchange uses this connection.
    var owner: DownstreamConnection?

    /// Loop time of the last byte moved either way, for the read time-out.
    var lastActivity: Int64 = 0

    private var deadline = Deadline()
    private let connectStartedAt: Int64

    /// Opens a non-blocking connection to `backend`; it may complete later (``State/connecting``).
    init(backend: Backend, worker: Worker) throws(IOError) {
        self.worker = worker
        self.backend = backend
        descriptor = try Syscall.socket(family: backend.address.family)
        connectStartedAt = worker.loop.now
        state = .connecting
        do {
            try Syscall.setOption(descriptor: descriptor, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
            registration = try worker.loop.register(descriptor, handler: self)
            if case .processed = try Syscall.connect(descriptor: descriptor, to: backend.address) {
                state = .active
                isWritable = true
            } else {
                setDeadline(connectStartedAt + worker.timeouts.connect)
            }
        } catch {
            if let registration {
                worker.loop.forget(registration)
            }
            Syscall.close(descriptor: descriptor)
            throw error
        }
    }

    /// Whether a pooled connection can carry another exchange.
    var isReusable: Bool {
        state == .idle && !hasPeerClosed
    }

    // MARK: Events

    func handleEvents(_ events: IOEvents) {
        if events.contains(.writable) {
            isWritable = true
        }
        if !events.isDisjoint(with: [.readable, .peerClosed, .hangUp, .error]) {
            isReadable = true
        }
        if events.contains(.peerClosed) || events.contains(.hangUp) {
            hasPeerClosed = true
        }
        switch state {
        case .connecting:
            if isWritable || isReadable {
                finishConnect()
            }
        case .active:
            owner?.upstreamIsReady()
        case .idle:
            if isReadable {
                // A pooled connection has nothing to say: data or a close means it cannot be reused.
                backend.removeIdleConnection(self)
                close()
            }
        case .closed:
            break
        }
    }

    private func finishConnect() {
        let code = Syscall.socketError(descriptor: descriptor)
        if code != 0 {
            let owner = self.owner
            close()
            owner?.upstreamFailed(.connectFailed(code))
            return
        }
        state = .active
        isReadable = false
        lastActivity = worker.loop.now
        backend.markUp()
        owner?.upstreamIsReady()
    }

    // MARK: Reading

    /// What a read from the backend gave.
    enum ReadOutcome {
        case data
        case wouldBlock
        case endOfStream
        case failed(IOError)
    }

    /// Reads what the backend sent into ``inbound``, as much as fits in one buffer chunk.
    func read() -> ReadOutcome {
        inbound.reserve(worker.loop.bufferPool.chunkSize / 2, pool: worker.loop.bufferPool)
        let space = inbound.writableBytes
        do {
            switch try Syscall.read(descriptor: descriptor, into: space) {
            case .processed(0):
                hasPeerClosed = true
                isReadable = false
                return .endOfStream
            case .processed(let count):
                inbound.commit(count)
                if count < space.count && !hasPeerClosed {
                    isReadable = false
                }
                lastActivity = worker.loop.now
                return .data
            case .wouldBlock:
                isReadable = false
                return .wouldBlock
            }
        } catch {
            return .failed(error)
        }
    }

    // MARK: Pool

    /// Hands the connection to an exchange, from the pool or just after connecting.
    func attach(to owner: DownstreamConnection, reused: Bool) {
        self.owner = owner
        isReused = reused
        responseParser.reset()
        lastActivity = worker.loop.now
        if state == .idle {
            state = .active
            setDeadline(0)
        }
    }

    /// Puts the connection back in its backend's pool, or closes it if the pool is full.
    func returnToPool() {
        owner = nil
        inbound.release(to: worker.loop.bufferPool)
        guard backend.idleConnections.count < worker.limits.upstreamIdleConnections, !worker.isShuttingDown,
            !hasPeerClosed
        else {
            close()
            return
        }
        state = .idle
        backend.idleConnections.append(self)
        setDeadline(worker.loop.now + worker.timeouts.upstreamIdle)
    }

    /// Closes the socket and drops the buffer; pending events and timers are discarded.
    func close() {
        guard state != .closed else { return }
        state = .closed
        owner = nil
        worker.loop.forget(registration)
        Syscall.close(descriptor: descriptor)
        inbound.release(to: worker.loop.bufferPool)
    }

    /// Shuts down the write side (tunnels: the client finished sending).
    func shutdownWrite() {
        Syscall.shutdownWrite(descriptor: descriptor)
    }

    // MARK: Time-outs

    /// Sets when the connection times out (loop milliseconds), 0 for never.
    func setDeadline(_ newDeadline: Int64) {
        deadline.set(newDeadline, loop: worker.loop, registration: registration)
    }

    func handleTimer(now: Int64) {
        guard deadline.hasPassed(now: now, loop: worker.loop, registration: registration) else { return }
        switch state {
        case .connecting:
            let owner = self.owner
            close()
            owner?.upstreamFailed(.connectTimeout)
        case .active:
            owner?.upstreamTimedOut()
        case .idle:
            backend.removeIdleConnection(self)
            close()
        case .closed:
            break
        }
    }
}
