import RelevoHTTP1
import RelevoIO

/// What a downstream connection needs while it has a request in hand: the head parser, the
/// exchange's state, and the buffers towards the client and the upstream.
///
/// A connection takes one from its worker when a request's first byte arrives and gives it back
/// when it is idle again, so an idle keep-alive connection holds only its socket, its address and
/// a few counters. Used only on its worker's loop.
final class ExchangeContext {
    /// Parses the request head.
    var parser: HTTPRequestParser

    /// The current exchange.
    var exchange = Exchange()

    /// Bytes for the client not yet written: response heads, re-framed chunks, relevo's own answers.
    let outbound = ByteBuffer()

    /// Bytes for the upstream not yet written: the request head and re-framed request chunks.
    let upstreamOutbound = ByteBuffer()

    /// The client's address and scheme, for the forwarding headers.
    var forwarding = ForwardingContext(clientAddress: [], scheme: "http")

    init(maximumHeadSize: Int) {
        parser = HTTPRequestParser(maximumHeadSize: maximumHeadSize)
    }

    /// The peer whose address ``forwarding`` holds.
    private var boundPeer: SocketAddress?

    /// Prepares the context for a connection from `peer`.
    func bind(peer: SocketAddress) {
        guard boundPeer != peer else { return }
        boundPeer = peer
        forwarding.clientAddress.removeAll(keepingCapacity: true)
        peer.appendHost(to: &forwarding.clientAddress)
    }

    /// Clears everything for the next connection and hands the buffers' memory back to `pool`.
    func reset(pool: BufferPool) {
        parser.reset()
        exchange = Exchange()
        outbound.release(to: pool)
        upstreamOutbound.release(to: pool)
    }
}
