import RelevoHTTP1
import RelevoIO

/// One downstream client connection and the exchanges on it, one at a time, in order.
///
/// The connection reads a request head, routes it, forwards the request to an upstream connection
/// and streams the response back, then reads the next request (pipelined requests wait in
/// ``inbound``). Bodies stream through fixed-size buffers: nothing is read from one side faster
/// than the other side takes it. Used only on its worker's loop.
final class DownstreamConnection: EventHandler {
    /// Where the connection is in its life.
    enum Phase {
        /// Waiting for, or reading, a request head.
        case readingHead
        /// An exchange is under way.
        case exchanging
        /// The backend accepted an upgrade: bytes flow both ways unchanged.
        case tunnel
        /// The last response is being written; then the connection closes.
        case closing
        /// The write side is shut; unread client bytes are discarded until the client closes.
        case lingering
        /// Gone.
        case closed
    }

    /// The worker that owns this connection. Workers live as long as the process, so the
    /// reference needs no counting.
    unowned(unsafe) let worker: Worker
    let descriptor: Int32
    private(set) var registration: Registration!
    let peer: SocketAddress

    /// Bytes from the client not yet used: the current head, body bytes, pipelined requests.
    let inbound = ByteBuffer()

    var phase = Phase.readingHead

    /// The parser, exchange state and buffers, held while the connection has a request in hand.
    private(set) var context: ExchangeContext?

    var upstream: UpstreamConnection?

    /// Edge-triggered readiness, as last reported and not yet used up.
    var isReadable = false
    var isWritable = true

    /// The client shut down its side.
    var hasPeerClosed = false

    /// Set at shutdown: the current exchange is the last.
    var closeAfterExchange = false

    /// Exchanges finished on this connection.
    var exchangesServed = 0

    /// Loop time when the current head's first byte arrived, or the connection opened.
    var headStartedAt: Int64

    /// Loop time of the last byte moved to or from the client.
    var lastActivity: Int64

    private var deadline = Deadline()

    /// How many read or write rounds one wake-up may take before yielding to other connections.
    static let roundsPerWakeup = 16

    /// How long a closing connection discards client bytes before it closes anyway.
    static let lingerTime: Int64 = 2_000

    init(descriptor: Int32, peer: SocketAddress, worker: Worker) {
        self.worker = worker
        self.descriptor = descriptor
        self.peer = peer
        headStartedAt = worker.loop.now
        lastActivity = worker.loop.now
    }

    /// Bytes for the client not yet written: response heads, re-framed chunks, relevo's own answers.
    var outbound: ByteBuffer { context!.outbound }

    /// Bytes for the upstream not yet written: the request head and re-framed request chunks.
    var upstreamOutbound: ByteBuffer { context!.upstreamOutbound }

    /// The current exchange.
    var exchange: Exchange {
        get { context!.exchange }
        _modify { yield &context!.exchange }
    }

    /// The client's address and scheme, for the forwarding headers.
    var forwarding: ForwardingContext { context!.forwarding }

    /// Registers with the loop and starts reading.
    func start() throws(IOError) {
        registration = try worker.loop.register(descriptor, handler: self)
        updateDeadlines()
    }

    // MARK: Events

    func handleEvents(_ events: IOEvents) {
        if !events.isDisjoint(with: [.readable, .peerClosed, .hangUp, .error]) {
            isReadable = true
        }
        if events.contains(.writable) {
            isWritable = true
        }
        if events.contains(.peerClosed) || events.contains(.hangUp) {
            hasPeerClosed = true
        }
        process()
    }

    /// The upstream connection of the current exchange became readable or writable.
    func upstreamIsReady() {
        process()
    }

    /// Advances whatever the connection is doing as far as it can without blocking.
    func process() {
        switch phase {
        case .readingHead:
            readHead()
        case .exchanging:
            pumpExchange()
        case .tunnel:
            pumpTunnel()
        case .closing:
            pumpClosing()
        case .lingering:
            linger()
        case .closed:
            return
        }
        if phase != .closed {
            updateDeadlines()
        }
    }

    // MARK: Reading a request head

    private func readHead() {
        while true {
            if !inbound.isEmpty {
                let context = takeContext()
                do throws(HTTPParseError) {
                    if try context.parser.parse(inbound.readableBytes, into: &worker.requestHead) {
                        startExchange()
                        return
                    }
                } catch {
                    refuse(error)
                    return
                }
            }
            guard isReadable else { return }
            let wasEmpty = inbound.isEmpty
            switch readInbound(growingTo: worker.limits.requestHeaderSize + 1024) {
            case .data:
                if wasEmpty && exchangesServed > 0 {
                    headStartedAt = worker.loop.now
                }
            case .wouldBlock:
                if inbound.isEmpty {
                    releaseBuffers()
                }
                return
            case .endOfStream:
                close()
                return
            case .failed:
                close()
                return
            }
        }
    }

    /// What a read from the client gave.
    enum ReadOutcome {
        case data
        case wouldBlock
        case endOfStream
        case failed
    }

    /// Reads from the client into the free space of ``inbound``. A buffer grows only while it holds
    /// a request head and only up to `limit` bytes; otherwise one buffer chunk is the most held.
    func readInbound(growingTo limit: Int = 0) -> ReadOutcome {
        let pool = worker.loop.bufferPool
        if inbound.base == nil {
            inbound.reserve(pool.chunkSize, pool: pool)
        } else if inbound.writableCount == 0 {
            if inbound.readerIndex > 0 {
                inbound.compact()
            } else if limit > inbound.capacity {
                inbound.reserve(min(inbound.capacity, limit - inbound.capacity), pool: pool)
            }
        }
        let space = inbound.writableBytes
        guard space.count > 0 else { return .wouldBlock }
        do {
            switch try Syscall.read(descriptor: descriptor, into: space) {
            case .processed(0):
                hasPeerClosed = true
                isReadable = false
                return .endOfStream
            case .processed(let count):
                inbound.commit(count)
                context?.exchange.bytesIn += count
                lastActivity = worker.loop.now
                if count < space.count && !hasPeerClosed {
                    isReadable = false
                }
                return .data
            case .wouldBlock:
                isReadable = false
                return .wouldBlock
            }
        } catch {
            isReadable = false
            return .failed
        }
    }

    /// The connection's exchange context, taken from the worker if it holds none.
    func takeContext() -> ExchangeContext {
        if let context {
            return context
        }
        let context = worker.takeContext()
        context.bind(peer: peer)
        self.context = context
        return context
    }

    /// Hands the context and the read buffer back, so an idle connection holds no buffer memory.
    func releaseBuffers() {
        let pool = worker.loop.bufferPool
        if inbound.isEmpty {
            inbound.release(to: pool)
        }
        if let context, inbound.isEmpty, context.outbound.isEmpty, upstream == nil {
            self.context = nil
            worker.giveBack(context)
        }
    }

    // MARK: Time-outs

    /// Sets the deadlines that fit what the connection and its upstream are waiting for.
    func updateDeadlines() {
        let timeouts = worker.timeouts
        switch phase {
        case .readingHead:
            if inbound.isEmpty && exchangesServed > 0 {
                setDeadline(lastActivity + timeouts.clientIdle)
            } else {
                setDeadline(headStartedAt + timeouts.requestHeader)
            }
        case .exchanging:
            updateExchangeDeadlines()
        case .tunnel:
            setDeadline(lastActivity + timeouts.clientIdle)
            upstream?.setDeadline(0)
        case .closing:
            setDeadline(lastActivity + timeouts.clientIdle)
        case .lingering, .closed:
            break
        }
    }

    /// Sets when this connection times out (loop milliseconds), 0 for never.
    func setDeadline(_ newDeadline: Int64) {
        deadline.set(newDeadline, loop: worker.loop, registration: registration)
    }

    func handleTimer(now: Int64) {
        guard deadline.hasPassed(now: now, loop: worker.loop, registration: registration) else { return }
        timedOut()
    }

    private func timedOut() {
        switch phase {
        case .readingHead:
            if inbound.isEmpty || context == nil {
                // Nothing of a request arrived (an idle keep-alive connection, or a client that
                // connected and sent nothing): close quietly.
                closeIdle()
            } else {
                exchange.termination = Termination(cause: .downstreamTimeout, phase: .requestHead)
                answerWithoutExchange(status: 408, detail: "request head not received in time")
            }
        case .exchanging:
            downstreamTimedOut()
        case .tunnel:
            exchange.termination = Termination(cause: .downstreamTimeout, phase: .tunnel)
            finishTunnel()
        case .closing, .lingering:
            close()
        case .closed:
            break
        }
    }
}
