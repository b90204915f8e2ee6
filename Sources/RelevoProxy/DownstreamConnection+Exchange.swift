import RelevoHTTP1
import RelevoIO

extension DownstreamConnection {
    // MARK: Starting an exchange

    /// A complete head is in ``Worker/requestHead``: route it, write the upstream head and connect.
    func startExchange() {
        let head = worker.requestHead
        exchange = Exchange()
        exchange.startedAt = MonotonicClock.nanoseconds()
        exchange.method = head.method
        exchange.httpVersion = head.version
        exchange.requestKeepAlive = head.keepAlive
        exchange.isUpgrade = head.isUpgrade
        exchange.bytesIn = head.headLength
        exchange.isOpen = true
        switch head.framing {
        case .contentLength(let length) where length > 0:
            exchange.requestBody = .remaining(length)
        case .chunked:
            exchange.requestBody = .chunked
        default:
            exchange.requestBody = .complete
        }
        if worker.accessLog != nil {
            keepRequestLine(head)
        }
        phase = .exchanging

        var session = ExchangeSession()
        switch worker.router.route(head, source: inbound.readableBytes, table: worker.table, session: &session) {
        case .unavailable(let reason):
            inbound.consume(head.headLength)
            answer(status: 503, detail: "\(reason)", keepAlive: exchange.requestBody == .complete, retryAfter: 5)
            return
        case .version(let index, let backend):
            let version = worker.versions[index]
            exchange.session = session
            exchange.version = version
            exchange.preferredBackend = backend
            version.inflight += 1
        }
        head.writeUpstream(
            from: inbound.readableBytes, forwarding: forwarding, into: upstreamOutbound,
            pool: worker.loop.bufferPool)
        inbound.consume(head.headLength)
        connectUpstream(excluding: nil)
    }

    private func keepRequestLine(_ head: HTTPRequestHead) {
        let bytes = inbound.readableBytes
        exchange.requestLine.removeAll(keepingCapacity: true)
        exchange.requestLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[head.methodRange]))
        exchange.requestLine.append(0x20)
        if head.targetIsEmptyPath {
            exchange.requestLine.append(0x2F)
        } else {
            exchange.requestLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[head.targetRange]))
        }
    }

    /// Takes a pooled connection to the chosen backend, or opens a new one.
    func connectUpstream(excluding failed: Backend?) {
        guard let version = exchange.version,
            let backend = version.pickBackend(
                now: worker.loop.now, preferred: exchange.preferredBackend, excluding: failed)
        else {
            answer(status: 503, detail: "version has no backend", keepAlive: false)
            return
        }
        exchange.backend = backend
        exchange.countedBackend = backend
        exchange.attempts += 1
        exchange.sawResponseByte = false
        backend.outstanding += 1
        if exchange.attempts == 1, let pooled = backend.takeIdleConnection() {
            pooled.attach(to: self, reused: true)
            upstream = pooled
            pumpExchange()
            return
        }
        do {
            let connection = try UpstreamConnection(backend: backend, worker: worker)
            connection.attach(to: self, reused: false)
            upstream = connection
            pumpExchange()
        } catch {
            upstreamFailed(.connectFailed(error.errnoCode))
        }
    }

    // MARK: Moving bytes

    /// Moves request bytes upstream and response bytes downstream until both sides would block,
    /// for at most ``roundsPerWakeup`` rounds before letting other connections run.
    func pumpExchange() {
        for _ in 0..<DownstreamConnection.roundsPerWakeup {
            guard let upstream, upstream.state == .active else {
                if upstream == nil && exchange.response == .complete && flushOutbound() {
                    finishExchange()
                }
                return
            }
            let requestMoved =
                exchange.response == .awaitingHead || exchange.requestBody != .complete
                ? forwardRequest(to: upstream) : false
            guard phase == .exchanging else { return }
            let responseMoved = forwardResponse(from: upstream)
            guard phase == .exchanging else { return }
            if !requestMoved && !responseMoved {
                return
            }
        }
        worker.loop.callSoon(registration)
    }

    /// Writes the pending upstream head and request body; reads more body from the client when
    /// everything read so far is written. Returns whether any byte moved.
    private func forwardRequest(to upstream: UpstreamConnection) -> Bool {
        var moved = false
        if exchange.requestBody == .chunked {
            guard reframeRequestChunks() else { return false }
        }
        while upstream.isWritable {
            let head = pendingUpstreamHead()
            let body = pendingRequestBody()
            if head.count == 0 && body.count == 0 {
                guard needsMoreRequestBody(), isReadable else { break }
                // A chunked body's framing (a chunk line, the trailers) may need more than one
                // buffer chunk before the decoder can accept or refuse it.
                let limit = exchange.requestBody == .chunked ? worker.limits.requestHeaderSize + 1024 : 0
                switch readInbound(growingTo: limit) {
                case .data:
                    moved = true
                    if exchange.requestBody == .chunked {
                        guard reframeRequestChunks() else { return true }
                    }
                    continue
                case .wouldBlock:
                    return moved
                case .endOfStream, .failed:
                    exchange.termination = Termination(cause: .downstreamClosed, phase: .requestBody)
                    abort()
                    return true
                }
            }
            switch writeUpstream(upstream, head: head, body: body) {
            case .written:
                moved = true
            case .wouldBlock:
                return moved
            case .failed:
                upstreamFailed(.closed)
                return true
            }
        }
        return moved
    }

    private func needsMoreRequestBody() -> Bool {
        switch exchange.requestBody {
        case .remaining, .chunked: true
        case .complete: false
        }
    }

    /// The part of ``upstreamOutbound`` not yet written.
    private func pendingUpstreamHead() -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: upstreamOutbound.readableBytes[exchange.upstreamSent...])
    }

    /// Length-delimited body bytes in ``inbound`` that can go upstream as they are.
    private func pendingRequestBody() -> UnsafeRawBufferPointer {
        guard case .remaining(let remaining) = exchange.requestBody else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        let bytes = inbound.readableBytes
        return UnsafeRawBufferPointer(rebasing: bytes[..<min(remaining, bytes.count)])
    }

    /// What a write gave.
    enum WriteOutcome {
        case written
        case wouldBlock
        case failed
    }

    private func writeUpstream(
        _ upstream: UpstreamConnection, head: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer
    ) -> WriteOutcome {
        let result = worker.writeVectors(descriptor: upstream.descriptor, head, body)
        switch result {
        case .processed(let count):
            upstream.lastActivity = worker.loop.now
            let fromHead = min(count, head.count)
            exchange.upstreamSent += fromHead
            if exchange.bodyStarted || exchange.responseStarted {
                upstreamOutbound.consume(exchange.upstreamSent)
                exchange.upstreamSent = 0
            }
            let fromBody = count - fromHead
            if fromBody > 0, case .remaining(let remaining) = exchange.requestBody {
                exchange.bodyStarted = true
                inbound.consume(fromBody)
                exchange.requestBody = remaining == fromBody ? .complete : .remaining(remaining - fromBody)
                upstreamOutbound.consume(exchange.upstreamSent)
                exchange.upstreamSent = 0
            }
            if count < head.count + body.count {
                upstream.isWritable = false
            }
            return .written
        case .wouldBlock:
            upstream.isWritable = false
            return .wouldBlock
        case .failed:
            return .failed
        }
    }

    /// Decodes chunked body bytes from ``inbound`` into ``upstreamOutbound`` with relevo's own
    /// framing, up to a bounded amount. Returns false if the body was malformed (then answered).
    private func reframeRequestChunks() -> Bool {
        let pool = worker.loop.bufferPool
        while upstreamOutbound.readableCount < pool.chunkSize * 4 && !inbound.isEmpty
            && exchange.requestBody == .chunked
        {
            do throws(HTTPParseError) {
                let bytes = inbound.readableBytes
                switch try exchange.requestDecoder.decode(bytes) {
                case .data(let range):
                    markBodyStarted()
                    ChunkedFraming.writeChunkHeader(dataLength: range.count, into: upstreamOutbound, pool: pool)
                    upstreamOutbound.write(UnsafeRawBufferPointer(rebasing: bytes[range]), pool: pool)
                    ChunkedFraming.writeChunkEnd(into: upstreamOutbound, pool: pool)
                    inbound.consume(range.upperBound)
                case .needMore(let consumed):
                    inbound.consume(consumed)
                    return true
                case .end(let consumed, let trailers):
                    markBodyStarted()
                    ChunkedFraming.writeLastChunk(
                        trailers: UnsafeRawBufferPointer(rebasing: bytes[trailers]), into: upstreamOutbound, pool: pool)
                    inbound.consume(consumed)
                    exchange.requestBody = .complete
                }
            } catch {
                exchange.termination = Termination(cause: .relevo, phase: .requestBody)
                dropUpstream()
                answer(status: error.status, detail: "\(error.reason)", keepAlive: false)
                return false
            }
        }
        return true
    }

    private func markBodyStarted() {
        if !exchange.bodyStarted {
            exchange.bodyStarted = true
            upstreamOutbound.consume(exchange.upstreamSent)
            exchange.upstreamSent = 0
        }
    }
}

extension DownstreamConnection {
    /// During an exchange, the client is timed by `client_idle` while relevo waits on it (for body
    /// bytes, or for it to read), and the upstream by `upstream_read` while relevo waits on it.
    func updateExchangeDeadlines() {
        let timeouts = worker.timeouts
        guard let upstream else {
            setDeadline(lastActivity + timeouts.clientIdle)
            return
        }
        let waitingForBody = exchange.requestBody != .complete && inbound.isEmpty && exchange.response == .awaitingHead
        let waitingForReader = !isWritable && (!outbound.isEmpty || exchange.responseStarted)
        let waitingOnClient = waitingForBody || waitingForReader
        setDeadline(waitingOnClient ? lastActivity + timeouts.clientIdle : 0)
        if upstream.state == .active {
            upstream.setDeadline(waitingOnClient ? 0 : upstream.lastActivity + timeouts.upstreamRead)
        }
    }
}
