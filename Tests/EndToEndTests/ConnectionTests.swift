import Foundation
import Testing

extension EndToEnd {
    /// Connections on both sides: pipelining, keep-alive, reuse, closing, HTTP/1.0.
    @Suite struct Connections {
        @Test func pipelinedRequestsAreAnsweredInOrder() throws {
            // The first exchange is the slowest, so answers taken in arrival order would come out of order.
            let handler: TestBackend.Handler = { exchange in
                if exchange.request.target == "/p1" {
                    Thread.sleep(forTimeInterval: 0.3)
                }
                try TestBackend.summarize(exchange)
            }
            try withProxy(backends: [handler, handler]) { proxy in
                let client = try proxy.connect()
                try client.send(
                    "GET /p1 HTTP/1.1\r\nHost: e2e.test\r\n\r\n"
                        + "POST /p2 HTTP/1.1\r\nHost: e2e.test\r\nContent-Length: 5\r\n\r\nhello"
                        + "GET /p3 HTTP/1.1\r\nHost: e2e.test\r\n\r\n"
                )

                let bodies = try (1...3).map { _ in try client.readFinalResponse().final.bodyText }
                var hello = BodyDigest()
                hello.update(Array("hello".utf8))
                #expect(
                    bodies == [
                        "GET /p1 \(Payload.digest(length: 0))", "POST /p2 \(hello)",
                        "GET /p3 \(Payload.digest(length: 0))",
                    ]
                )
            }
        }

        @Test func keepAliveConnectionsAreReusedOnBothSides() throws {
            let requests = 10
            try withProxy { proxy in
                let client = try proxy.connect()
                for index in 1...requests {
                    let response = try client.exchange("GET /keep/\(index) HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
                    #expect(response.status == 200, "\(response)")
                    #expect(response.header("Connection")?.lowercased() != "close")
                }

                // Health probes come on connections of their own; only the connections that carried requests count.
                let used = proxy.backend.record.value.proxiedConnections.count
                #expect(proxy.proxiedHeads.count == requests)
                #expect(used < requests / 2, "\(requests) requests came on \(used) upstream connections")
            }
        }

        @Test(arguments: [false, true])
        func aBackendClosingAPooledConnectionDoesNotFailTheNextRequest(announcesClose: Bool) throws {
            let handler: TestBackend.Handler = { exchange in
                if exchange.request.target == "/first" {
                    try exchange.respond(
                        status: 200, headers: announcesClose ? [("Connection", "close")] : [], body: "1")
                    exchange.closesConnection = true
                } else {
                    try TestBackend.summarize(exchange)
                }
            }
            try withProxy(backends: [handler]) { proxy in
                // One downstream connection: both requests go through the same worker and its pool.
                let client = try proxy.connect()
                let first = try client.exchange("GET /first HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
                #expect(first.status == 200, "\(first)")

                let closed = proxy.backend.record.wait(timeout: .seconds(10)) { $0.connectionsClosedByBackend >= 1 }
                #expect(closed)

                let second = try client.exchange("GET /second HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
                #expect(second.status == 200, "\(second)")
                #expect(proxy.proxiedHeads.map(\.target) == ["/first", "/second"])
            }
        }

        @Test func anHTTP10ClientGetsItsAnswerAndThenTheConnectionCloses() throws {
            try withProxy { proxy in
                let client = try proxy.connect()
                try client.send("GET /ten HTTP/1.0\r\nHost: e2e.test\r\n\r\n")
                let response = try client.readFinalResponse().final

                #expect(response.status == 200, "\(response)")
                #expect(response.bodyText == "GET /ten \(Payload.digest(length: 0))")
                #expect(try client.waitForClose() == .closed)
            }
        }

        @Test func anHTTP10ClientNeverReceivesAChunkedBody() throws {
            let length = 300_000
            let handler: TestBackend.Handler = { exchange in
                try exchange.respondWithPayload(length: length, chunked: true)
            }
            try withProxy(backends: [handler]) { proxy in
                let client = try proxy.connect()
                try client.send("GET /ten-chunked HTTP/1.0\r\nHost: e2e.test\r\n\r\n")
                let response = try client.readFinalResponse().final

                #expect(response.status == 200, "\(response.head.text)")
                #expect(!response.head.contains("Transfer-Encoding"), "\(response.head.text)")
                #expect(response.body.digest == Payload.digest(length: length))
            }
        }
    }
}
