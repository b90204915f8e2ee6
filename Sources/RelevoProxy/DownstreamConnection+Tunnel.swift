import RelevoIO

extension DownstreamConnection {
    // MARK: Tunnels

    /// The backend answered 101 to an upgrade: from now on bytes flow both ways unchanged.
    func startTunnel() {
        phase = .tunnel
        exchange.response = .complete
        exchange.version?.tunnels += 1
        exchange.isTunnel = true
        pumpTunnel()
    }

    /// Moves bytes both ways until each side would block, for at most ``roundsPerWakeup`` rounds.
    func pumpTunnel() {
        guard let upstream else { return }
        for _ in 0..<DownstreamConnection.roundsPerWakeup {
            let movedUp = tunnelTowardsUpstream(upstream)
            guard phase == .tunnel else { return }
            let movedDown = tunnelTowardsClient(upstream)
            guard phase == .tunnel else { return }
            if exchange.tunnelClientDone && exchange.tunnelUpstreamDone && inbound.isEmpty && outbound.isEmpty
                && upstream.inbound.isEmpty
            {
                finishTunnel()
                return
            }
            if !movedUp && !movedDown {
                return
            }
        }
        worker.loop.callSoon(registration)
    }

    private func tunnelTowardsUpstream(_ upstream: UpstreamConnection) -> Bool {
        if !inbound.isEmpty {
            guard upstream.isWritable else { return false }
            switch worker.writeVectors(descriptor: upstream.descriptor, inbound.readableBytes, nil) {
            case .processed(let count):
                if count < inbound.readableCount {
                    upstream.isWritable = false
                }
                inbound.consume(count)
                exchange.bytesIn += count
                lastActivity = worker.loop.now
                return true
            case .wouldBlock:
                upstream.isWritable = false
                return false
            case .failed:
                exchange.termination = Termination(cause: .upstreamFailed, phase: .tunnel)
                finishTunnel()
                return true
            }
        }
        guard isReadable, !exchange.tunnelClientDone else { return false }
        switch readInbound() {
        case .data:
            return true
        case .wouldBlock:
            return false
        case .endOfStream:
            exchange.tunnelClientDone = true
            upstream.shutdownWrite()
            return true
        case .failed:
            exchange.termination = Termination(cause: .downstreamClosed, phase: .tunnel)
            finishTunnel()
            return true
        }
    }

    private func tunnelTowardsClient(_ upstream: UpstreamConnection) -> Bool {
        if !outbound.isEmpty || !upstream.inbound.isEmpty {
            guard isWritable else { return false }
            let head = outbound.readableBytes
            let body = upstream.inbound.readableBytes
            switch worker.writeVectors(descriptor: descriptor, head, body) {
            case .processed(let count):
                if count < head.count + body.count {
                    isWritable = false
                }
                let fromHead = min(count, head.count)
                outbound.consume(fromHead)
                upstream.inbound.consume(count - fromHead)
                exchange.bytesOut += count
                lastActivity = worker.loop.now
                return true
            case .wouldBlock:
                isWritable = false
                return false
            case .failed:
                exchange.termination = Termination(cause: .downstreamClosed, phase: .tunnel)
                finishTunnel()
                return true
            }
        }
        guard upstream.isReadable, !exchange.tunnelUpstreamDone else { return false }
        switch upstream.read() {
        case .data:
            return true
        case .wouldBlock:
            return false
        case .endOfStream:
            exchange.tunnelUpstreamDone = true
            Syscall.shutdownWrite(descriptor: descriptor)
            return true
        case .failed:
            exchange.termination = Termination(cause: .upstreamFailed, phase: .tunnel)
            finishTunnel()
            return true
        }
    }

    /// Ends a tunnel: logs the exchange and closes both connections.
    func finishTunnel() {
        releaseBackend()
        endTunnelCount()
        logExchange()
        close()
    }
}
