import Glibc
import RelevoIO
import Testing

@testable import RelevoAdmin

@Suite("Admin connections: keep-alive, malformed requests, limits and timeouts")
struct AdminConnectionTests {
    @Test func twoRequestsShareOneConnection() throws {
        try withAdminServer { fixture in
            let connection = try fixture.connect()
            try connection.request("GET", "/healthz")
            let first = try connection.readReply()
            try connection.request("GET", "/status")
            let second = try connection.readReply()

            #expect(first.status == 200)
            #expect(first.headers["connection"] == nil)
            #expect(second.status == 200)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        try withAdminServer { fixture in
            let connection = try fixture.connect()
            try connection.send("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET /nope HTTP/1.1\r\nHost: a\r\n\r\n")

            #expect(try connection.readReply().status == 200)
            #expect(try connection.readReply().status == 404)
        }
    }

    @Test func connectionCloseIsHonoured() throws {
        try withAdminServer { fixture in
            let connection = try fixture.connect()
            try connection.request("GET", "/healthz", headers: ["Connection: close"])

            #expect(try connection.readReply().headers["connection"] == "close")
            #expect(try connection.isClosedByPeer())
        }
    }

    @Test func aMalformedRequestGets400AndTheConnectionCloses() throws {
        try withAdminServer { fixture in
            let connection = try fixture.connect()
            try connection.send("GET /status HTTP/1.1\r\nHost: a\r\nNo colon here\r\n\r\n")
            let reply = try connection.readReply()

            #expect(reply.status == 400)
            #expect(reply.body == #"{"error":"malformed request: invalid header name"}"# + "\n")
            #expect(reply.headers["connection"] == "close")
            #expect(try connection.isClosedByPeer())
        }
    }

    @Test func aChunkedBodyGets411() throws {
        try withAdminServer { fixture in
            let connection = try fixture.connect()
            try connection.send("POST /reload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")

            #expect(try connection.readReply().status == 411)
            #expect(fixture.control.state.withLock { $0.reloads } == 0)
        }
    }

    @Test func aBodyOverTheLimitGets413() throws {
        try withAdminServer(limits: AdminServer.Limits(maximumBodySize: 16)) { fixture in
            let connection = try fixture.connect()
            try connection.request("POST", "/reload", body: String(repeating: "x", count: 17))

            #expect(try connection.readReply().status == 413)
        }
    }

    @Test func aBodyWithinTheLimitIsReadAndTheConnectionGoesOn() throws {
        try withAdminServer { fixture in
            let connection = try fixture.connect()
            try connection.request("POST", "/reload", body: "{}")
            #expect(try connection.readReply().status == 200)

            try connection.request("GET", "/healthz")
            #expect(try connection.readReply().status == 200)
        }
    }

    @Test func aClientWaitingFor100ContinueGetsItBeforeSendingItsBody() throws {
        try withAdminServer { fixture in
            let connection = try fixture.connect()
            try connection.send("POST /reload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
            #expect(try connection.readReply(headOnly: true).status == 100)

            try connection.send("{}")
            #expect(try connection.readReply().status == 200)
        }
    }

    @Test func connectionsOverTheLimitGet503() throws {
        try withAdminServer(limits: AdminServer.Limits(maximumConnections: 2)) { fixture in
            let first = try fixture.connect()
            let second = try fixture.connect()
            for connection in [first, second] {
                try connection.request("GET", "/healthz")
                #expect(try connection.readReply().status == 200)
            }

            let third = try fixture.connect()
            let refused = try third.readReply()
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "1")
            #expect(refused.body.contains("too many admin connections (2 open)"))
        }
    }

    @Test func aSlowRequestGets408AndAnIdleConnectionIsClosed() throws {
        try withAdminServer(limits: AdminServer.Limits(timeoutMilliseconds: 200)) { fixture in
            let slow = try fixture.connect()
            try slow.send("GET /status HTTP/1.1\r\nHost:")
            #expect(try slow.readReply().status == 408)

            let idle = try fixture.connect()
            try idle.request("GET", "/healthz")
            #expect(try idle.readReply().status == 200)
            #expect(try idle.isClosedByPeer())
        }
    }

    @Test func stoppingClosesOpenConnectionsAndTheListener() throws {
        let fixture = try AdminFixture()
        let connection = try fixture.connect()
        try connection.request("GET", "/healthz")
        #expect(try connection.readReply().status == 200)

        fixture.stop()

        #expect(try connection.isClosedByPeer())
        #expect(throws: AdminClientError.self) { try fixture.client().send("GET", "/healthz") }
    }

    @Test func anAddressInUseFailsToStartWithBind() throws {
        try withAdminServer { fixture in
            let second = AdminServer(address: fixture.address, token: nil, control: fixture.control)
            let error = try #require(throws: IOError.self) { try second.start() }
            #expect(error.errnoCode == EADDRINUSE)
            #expect(error.call.description == "bind")
        }
    }
}
