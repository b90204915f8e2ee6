import Foundation
import Testing

extension EndToEnd {
    /// `Upgrade` (WebSocket-style): the 101, then a byte tunnel both ways.
    @Suite struct Upgrades {
        static let upgradeHead =
            "GET /socket HTTP/1.1\r\nHost: e2e.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

        @Test func bytesFlowBothWaysThroughTheTunnelAfterA101() throws {
            try withProxy(backends: [upgradingEcho(earlyWindow: .zero)]) { proxy in
                let client = try proxy.connect(timeout: .seconds(20))
                try client.send(Self.upgradeHead)
                let response = try client.readFinalResponse().final
                #expect(response.status == 101, "\(response)")
                #expect(response.head.hasToken("websocket", in: "Upgrade"), "\(response.head.text)")

                let upstreamHead = try #require(proxy.proxiedHeads.first)
                #expect(upstreamHead.hasToken("websocket", in: "Upgrade"), "\(upstreamHead.text)")
                #expect(upstreamHead.hasToken("upgrade", in: "Connection"), "\(upstreamHead.text)")

                try client.send("ping")
                #expect(try client.readBytes(4) == Array("ping".utf8))

                // 1 MiB each way at once: the writer runs on its own thread so neither side waits on the other.
                let length = 1 << 20
                let connection = client.connection
                let writer = Thread { try? connection.write(Payload.bytes(length: length)) }
                writer.start()
                var echoed = BodyDigest()
                try client.connection.readExactly(length) { echoed.update($0) }
                #expect(echoed == Payload.digest(length: length))

                client.connection.shutdownWrite()
                #expect(try client.waitForClose() == .closed)
            }
        }

        @Test func bytesSentRightAfterAnUpgradeRequestReachTheBackendOnlyAfterIts101() throws {
            try withProxy(backends: [upgradingEcho(earlyWindow: .milliseconds(500))]) { proxy in
                let client = try proxy.connect(timeout: .seconds(20))
                try client.send(Self.upgradeHead + "EARLY-BYTES")
                let response = try client.readFinalResponse().final
                #expect(response.status == 101, "\(response)")

                // Once the tunnel is up, the early bytes go through it (and come back).
                #expect(try client.readBytes(11) == Array("EARLY-BYTES".utf8))
                let notes = proxy.backend.record.value.notes
                #expect(notes == ["before 101: 0 bytes"], "bytes reached the backend before its 101: \(notes)")
            }
        }
    }
}

/// Watches `earlyWindow` for bytes arriving after the request head (noting how many), answers 101 and echoes.
private func upgradingEcho(earlyWindow: Duration) -> TestBackend.Handler {
    { exchange in
        guard exchange.request.hasToken("websocket", in: "Upgrade") else {
            try TestBackend.summarize(exchange)
            return
        }
        if earlyWindow > .zero {
            let early = try exchange.bytesArriving(within: earlyWindow)
            exchange.note("before 101: \(early.count) bytes")
            try exchange.respond(
                status: 101,
                headers: [("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Accept", "e2e")]
            )
            try exchange.connection.write(early)
        } else {
            try exchange.respond(
                status: 101,
                headers: [("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Accept", "e2e")]
            )
        }
        try exchange.echoUntilClose()
    }
}
