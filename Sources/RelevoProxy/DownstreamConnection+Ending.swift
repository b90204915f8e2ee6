import RelevoHTTP1
import RelevoIO

extension DownstreamConnection {
    // MARK: Ending an exchange

    /// The response is complete and written: log it, free the upstream, and read the next request
    /// or close.
    func finishExchange() {
        let requestComplete = exchange.requestBody == .complete
        if let upstream {
            self.upstream = nil
            let reusable =
                exchange.upstreamKeepAlive && requestComplete && upstream.inbound.isEmpty && !upstream.hasPeerClosed
            if reusable {
                upstream.returnToPool()
            } else {
                upstream.close()
            }
        }
        releaseBackend()
        logExchange()
        exchangesServed += 1
        upstreamOutbound.consume(upstreamOutbound.readableCount)
        guard exchange.downstreamKeepAlive && requestComplete && !closeAfterExchange else {
            startClosing()
            return
        }
        phase = .readingHead
        context?.parser.reset()
        headStartedAt = worker.loop.now
        if !inbound.isEmpty || isReadable {
            worker.loop.callSoon(registration)
        } else {
            releaseBuffers()
        }
    }

    /// relevo answers the current exchange itself (no backend, or the backend failed before
    /// responding). The connection stays open only if the client's request is wholly read.
    func answer(status: Int, detail: String, keepAlive: Bool, retryAfter: Int? = nil) {
        let keepAlive =
            keepAlive && exchange.requestKeepAlive && !closeAfterExchange && exchange.requestBody == .complete
        exchange.status = status
        exchange.responseStarted = true
        exchange.downstreamKeepAlive = keepAlive
        exchange.response = .complete
        HTTPErrorResponse.write(
            status: status, detail: detail, keepAlive: keepAlive, into: outbound, pool: worker.loop.bufferPool,
            retryAfter: retryAfter, isHead: exchange.method == .head)
        if flushOutbound() {
            finishExchange()
        }
    }

    /// Answers a request that never became an exchange (a bad or late head), then closes.
    func answerWithoutExchange(status: Int, detail: String) {
        let termination = exchange.termination
        exchange = Exchange()
        exchange.termination = termination
        exchange.startedAt = MonotonicClock.nanoseconds()
        exchange.status = status
        exchange.isOpen = true
        HTTPErrorResponse.write(
            status: status, detail: detail, keepAlive: false, into: outbound, pool: worker.loop.bufferPool)
        exchange.bytesOut = outbound.readableCount
        logExchange()
        startClosing()
    }

    /// A request head that breaks the rules: answer its status and close; nothing goes upstream.
    func refuse(_ error: HTTPParseError) {
        exchange.termination = Termination(cause: .relevo, phase: .requestHead)
        Log.debug(
            "request_refused", ["client": peer.description, "status": "\(error.status)", "reason": "\(error.reason)"])
        answerWithoutExchange(status: error.status, detail: "\(error.reason)")
    }

    // MARK: Upstream failures

    /// The upstream failed the exchange: retry where that is safe, else answer 502/504, or cut the
    /// client off if its response had already begun.
    func upstreamFailed(_ failure: UpstreamFailure) {
        let failedUpstream = upstream
        upstream = nil
        failedUpstream?.close()
        let backend = exchange.backend
        releaseBackend()
        if let backend {
            backend.failures[failure.kind, default: 0] += 1
            if failure.isConnectFailure {
                backend.markDown(now: worker.loop.now, reason: failure.reason)
            }
        }
        if canRetry(after: failure, reused: failedUpstream?.isReused ?? false) {
            Log.warn(
                "upstream_retry",
                ["backend": backend?.name ?? "-", "reason": failure.reason, "client": peer.description])
            exchange.upstreamSent = 0
            connectUpstream(excluding: failure.isConnectFailure ? backend : nil)
            return
        }
        exchange.termination = termination(for: failure)
        Log.error(
            "upstream_failed",
            [
                "version": exchange.version?.name ?? "-", "backend": backend?.name ?? "-", "kind": failure.kind,
                "reason": failure.reason, "term": exchange.termination.description,
            ])
        if exchange.responseStarted {
            abort()
        } else {
            answer(status: failure.status, detail: failure.reason, keepAlive: true)
        }
    }

    /// The upstream sent nothing for `timeouts.upstream_read`.
    func upstreamTimedOut() {
        upstreamFailed(.readTimeout)
    }

    private func canRetry(after failure: UpstreamFailure, reused: Bool) -> Bool {
        guard !exchange.responseStarted, !exchange.bodyStarted, !exchange.sawResponseByte, !closeAfterExchange
        else { return false }
        if failure.isConnectFailure {
            return exchange.attempts < (exchange.version?.backends.count ?? 0)
        }
        let nothingSent = exchange.upstreamSent == 0
        return failure == .closed && reused && exchange.attempts == 1 && (nothingSent || exchange.method.isIdempotent)
    }

    private func termination(for failure: UpstreamFailure) -> Termination {
        let phase: Termination.Phase
        if failure.isConnectFailure {
            phase = .connect
        } else if exchange.responseStarted {
            phase = .responseBody
        } else {
            phase = .responseHead
        }
        let cause: Termination.Cause =
            failure == .readTimeout || failure == .connectTimeout ? .upstreamTimeout : .upstreamFailed
        return Termination(cause: cause, phase: phase)
    }

    /// The client stopped sending its body or stopped reading the response.
    func downstreamTimedOut() {
        let phase: Termination.Phase = exchange.requestBody == .complete ? .responseBody : .requestBody
        exchange.termination = Termination(cause: .downstreamTimeout, phase: phase)
        dropUpstream()
        if exchange.responseStarted {
            abort()
        } else {
            answer(status: 408, detail: "request body not received in time", keepAlive: false)
        }
    }

    /// Closes the upstream connection of the exchange, if any.
    func dropUpstream() {
        upstream?.close()
        upstream = nil
        releaseBackend()
    }

    /// Takes the exchange out of its backend's outstanding count.
    func releaseBackend() {
        if let context, let backend = context.exchange.countedBackend {
            backend.outstanding -= 1
            context.exchange.countedBackend = nil
        }
    }

    // MARK: Closing

    /// Writes what is left for the client, then shuts down the write side and lingers.
    func startClosing() {
        phase = .closing
        pumpClosing()
    }

    func pumpClosing() {
        guard flushOutbound(), phase == .closing else { return }
        startLingering()
    }

    /// An idle keep-alive connection timed out, or relevo is shutting down: close it without
    /// resetting a request that may be arriving.
    func closeIdle() {
        startLingering()
    }

    private func startLingering() {
        Syscall.shutdownWrite(descriptor: descriptor)
        phase = .lingering
        logExchange()
        inbound.consume(inbound.readableCount)
        releaseBuffers()
        setDeadline(worker.loop.now + DownstreamConnection.lingerTime)
        linger()
    }

    /// Reads and discards what the client still sends, so that closing never resets the
    /// connection with unread bytes (which could destroy the response before the client reads it).
    func linger() {
        for _ in 0..<DownstreamConnection.roundsPerWakeup {
            guard isReadable else { return }
            switch worker.discard(descriptor: descriptor) {
            case .data:
                continue
            case .wouldBlock:
                isReadable = false
                return
            case .endOfStream, .failed:
                close()
                return
            }
        }
        worker.loop.callSoon(registration)
    }

    /// Closes at once: for a client that is gone, or a response that cannot be completed.
    func abort() {
        close()
    }

    /// Closes the connection and its upstream, logging an unfinished exchange.
    func close() {
        guard phase != .closed else { return }
        endTunnelCount()
        logExchange()
        phase = .closed
        dropUpstream()
        worker.loop.forget(registration)
        Syscall.close(descriptor: descriptor)
        inbound.consume(inbound.readableCount)
        if let context {
            context.outbound.consume(context.outbound.readableCount)
        }
        releaseBuffers()
        worker.connectionClosed(self)
    }

    /// Takes an ended tunnel out of its version's count.
    func endTunnelCount() {
        if let context, context.exchange.isTunnel {
            context.exchange.isTunnel = false
            context.exchange.version?.tunnels -= 1
        }
    }

    /// Writes the exchange's access log line, once.
    func logExchange() {
        guard let context, context.exchange.isOpen else { return }
        context.exchange.isOpen = false
        let seconds = Double(MonotonicClock.nanoseconds() - context.exchange.startedAt) / 1e9
        context.exchange.version?.exchangeEnded(status: context.exchange.status, seconds: seconds)
        worker.accessLog?.record(context.exchange, client: peer)
    }
}
