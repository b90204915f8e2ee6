import RelevoHTTP1
import RelevoIO

extension DownstreamConnection {
    // MARK: Forwarding the response

    /// Reads the response from the upstream and writes it to the client, until one side would
    /// block or the exchange is finished. Returns whether any byte moved.
    func forwardResponse(from upstream: UpstreamConnection) -> Bool {
        var moved = false
        while phase == .exchanging {
            if exchange.response == .awaitingHead {
                guard flushOutbound() else { return moved }
                if !upstream.inbound.isEmpty && parseResponseHead(from: upstream) {
                    moved = true
                    continue
                }
            } else {
                let body = pendingResponseBody(from: upstream)
                // Re-framing may have found the upstream's body malformed and ended the exchange.
                guard phase == .exchanging else { return true }
                if !outbound.isEmpty || body.count > 0 {
                    guard isWritable else { return moved }
                    switch writeDownstream(body: body, from: upstream) {
                    case .written:
                        moved = true
                        continue
                    case .wouldBlock:
                        return moved
                    case .failed:
                        exchange.termination = Termination(cause: .downstreamClosed, phase: .responseBody)
                        abort()
                        return true
                    }
                }
                if exchange.response == .complete {
                    finishExchange()
                    return true
                }
            }
            guard phase == .exchanging, upstream.isReadable else { return moved }
            switch upstream.read() {
            case .data:
                moved = true
                exchange.sawResponseByte = true
            case .wouldBlock:
                return moved
            case .endOfStream:
                upstreamReachedEnd()
                return true
            case .failed:
                upstreamFailed(.closed)
                return true
            }
        }
        return moved
    }

    /// Parses a response head from the upstream's buffer. Returns true when a head was handled
    /// (interim or final), false when more bytes are needed.
    private func parseResponseHead(from upstream: UpstreamConnection) -> Bool {
        do throws(HTTPParseError) {
            guard
                try upstream.responseParser.parse(
                    upstream.inbound.readableBytes, requestMethod: exchange.method, into: &worker.responseHead)
            else { return false }
        } catch {
            upstreamFailed(.badResponse(error.reason))
            return true
        }
        upstream.responseParser.reset()
        let head = worker.responseHead
        if head.isInterim {
            head.writeDownstream(
                from: upstream.inbound.readableBytes, framing: .none, keepAlive: true,
                requestVersion: exchange.httpVersion, into: outbound, pool: worker.loop.bufferPool)
            upstream.inbound.consume(head.headLength)
            return true
        }
        if head.status == 101 && !exchange.isUpgrade {
            upstreamFailed(.unexpectedUpgrade)
            return true
        }
        worker.extraHeaders.consume(worker.extraHeaders.readableCount)
        worker.router.respond(
            to: &worker.responseHead, source: upstream.inbound.readableBytes, version: upstream.backend.versionName,
            backend: upstream.backend.name, session: &exchange.session, extraHeaders: worker.extraHeaders,
            pool: worker.loop.bufferPool)
        startResponse(worker.responseHead, from: upstream)
        return true
    }

    /// Writes the final response head downstream and chooses how its body is framed.
    private func startResponse(_ head: HTTPResponseHead, from upstream: UpstreamConnection) {
        exchange.responseStarted = true
        exchange.status = head.status
        upstreamOutbound.consume(exchange.upstreamSent)
        exchange.upstreamSent = 0
        exchange.upstreamKeepAlive = head.keepAlive

        let clientTakesChunks = exchange.httpVersion == .http11
        let framing: HTTPBodyFraming
        switch head.framing {
        case .none:
            framing = .none
            exchange.response = .complete
        case .contentLength(let length):
            framing = .contentLength(length)
            exchange.response = length > 0 ? .lengthDelimited(remaining: length) : .complete
        case .chunked:
            framing = clientTakesChunks ? .chunked : .untilClose
            exchange.response = clientTakesChunks ? .chunkedToChunked : .chunkedToClose
        case .untilClose:
            framing = clientTakesChunks ? .chunked : .untilClose
            exchange.response = clientTakesChunks ? .closeDelimitedToChunked : .closeDelimited
        }
        let isTunnel = head.status == 101
        exchange.downstreamKeepAlive =
            isTunnel
            || (exchange.requestKeepAlive && !closeAfterExchange && exchange.requestBody == .complete
                && framing != .untilClose)
        head.writeDownstream(
            from: upstream.inbound.readableBytes, framing: framing, keepAlive: exchange.downstreamKeepAlive,
            requestVersion: exchange.httpVersion, into: outbound, pool: worker.loop.bufferPool,
            extraHeaders: worker.extraHeaders.readableBytes)
        upstream.inbound.consume(head.headLength)
        if isTunnel {
            startTunnel()
        }
    }

    /// Response body bytes in the upstream's buffer that can go to the client as they are; for
    /// chunked framing, decodes and re-frames into ``outbound`` first.
    private func pendingResponseBody(from upstream: UpstreamConnection) -> UnsafeRawBufferPointer {
        let bytes = upstream.inbound.readableBytes
        switch exchange.response {
        case .lengthDelimited(let remaining):
            return UnsafeRawBufferPointer(rebasing: bytes[..<min(remaining, bytes.count)])
        case .closeDelimited:
            return bytes
        case .chunkedToChunked, .chunkedToClose:
            reframeResponseChunks(from: upstream)
        case .closeDelimitedToChunked:
            if bytes.count > 0 && outbound.readableCount < worker.loop.bufferPool.chunkSize * 4 {
                let pool = worker.loop.bufferPool
                ChunkedFraming.writeChunkHeader(dataLength: bytes.count, into: outbound, pool: pool)
                outbound.write(bytes, pool: pool)
                ChunkedFraming.writeChunkEnd(into: outbound, pool: pool)
                upstream.inbound.consume(bytes.count)
            }
        case .awaitingHead, .complete:
            break
        }
        return UnsafeRawBufferPointer(start: nil, count: 0)
    }

    private func reframeResponseChunks(from upstream: UpstreamConnection) {
        let pool = worker.loop.bufferPool
        let reframes = exchange.response == .chunkedToChunked
        while outbound.readableCount < pool.chunkSize * 4 && !upstream.inbound.isEmpty
            && (exchange.response == .chunkedToChunked || exchange.response == .chunkedToClose)
        {
            do throws(HTTPParseError) {
                let bytes = upstream.inbound.readableBytes
                switch try exchange.responseDecoder.decode(bytes) {
                case .data(let range):
                    if reframes {
                        ChunkedFraming.writeChunkHeader(dataLength: range.count, into: outbound, pool: pool)
                    }
                    outbound.write(UnsafeRawBufferPointer(rebasing: bytes[range]), pool: pool)
                    if reframes {
                        ChunkedFraming.writeChunkEnd(into: outbound, pool: pool)
                    }
                    upstream.inbound.consume(range.upperBound)
                case .needMore(let consumed):
                    upstream.inbound.consume(consumed)
                    return
                case .end(let consumed, let trailers):
                    if reframes {
                        ChunkedFraming.writeLastChunk(
                            trailers: UnsafeRawBufferPointer(rebasing: bytes[trailers]), into: outbound, pool: pool)
                    }
                    upstream.inbound.consume(consumed)
                    exchange.response = .complete
                }
            } catch {
                upstreamFailed(.badResponse(error.reason))
                return
            }
        }
    }

    /// Writes ``outbound`` and then `body` (bytes still in the upstream's buffer) to the client.
    private func writeDownstream(body: UnsafeRawBufferPointer, from upstream: UpstreamConnection) -> WriteOutcome {
        let head = outbound.readableBytes
        switch worker.writeVectors(descriptor: descriptor, head, body) {
        case .processed(let count):
            lastActivity = worker.loop.now
            exchange.bytesOut += count
            let fromHead = min(count, head.count)
            outbound.consume(fromHead)
            let fromBody = count - fromHead
            if fromBody > 0 {
                upstream.inbound.consume(fromBody)
                if case .lengthDelimited(let remaining) = exchange.response {
                    exchange.response =
                        remaining == fromBody ? .complete : .lengthDelimited(remaining: remaining - fromBody)
                }
            }
            if count < head.count + body.count {
                isWritable = false
            }
            return .written
        case .wouldBlock:
            isWritable = false
            return .wouldBlock
        case .failed:
            return .failed
        }
    }

    /// Writes ``outbound`` to the client. Returns whether it is now empty.
    func flushOutbound() -> Bool {
        guard !outbound.isEmpty else { return true }
        guard isWritable else { return false }
        switch worker.writeVectors(descriptor: descriptor, outbound.readableBytes, nil) {
        case .processed(let count):
            lastActivity = worker.loop.now
            exchange.bytesOut += count
            if count < outbound.readableCount {
                isWritable = false
            }
            outbound.consume(count)
        case .wouldBlock:
            isWritable = false
        case .failed:
            exchange.termination = Termination(cause: .downstreamClosed, phase: .responseBody)
            abort()
            return false
        }
        return outbound.isEmpty
    }

    /// The upstream closed its side: the end of a close-delimited body, or a failure.
    private func upstreamReachedEnd() {
        switch exchange.response {
        case .closeDelimited:
            exchange.response = .complete
            exchange.upstreamKeepAlive = false
            pumpExchange()
        case .closeDelimitedToChunked:
            ChunkedFraming.writeLastChunk(
                trailers: UnsafeRawBufferPointer(start: nil, count: 0), into: outbound, pool: worker.loop.bufferPool)
            exchange.response = .complete
            exchange.upstreamKeepAlive = false
            pumpExchange()
        default:
            upstreamFailed(.closed)
        }
    }
}
