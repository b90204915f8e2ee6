import RelevoIO
import Testing

@testable import RelevoAdmin

@Suite("Only loopback peers, or holders of the token, use the admin API")
struct AdminAccessTests {
    @Test func withATokenEveryPathButHealthzNeedsIt() throws {
        try withAdminServer(token: "s3cret") { fixture in
            let missing = try fixture.client().send("GET", "/status")
            #expect(missing.status == 401)
            #expect(missing.text.contains("Authorization: Bearer"))

            let wrong = try fixture.client(token: "guess").send("GET", "/status")
            #expect(wrong.status == 401)
            #expect(wrong.text == #"{"error":"the admin token is wrong"}"# + "\n")

            #expect(try fixture.client(token: "s3cret").send("GET", "/status").status == 200)
            #expect(try fixture.client().send("GET", "/healthz").status == 200)
        }
    }

    @Test func aRefusalNamesTheBearerSchemeAndHidesWhichPathsExist() throws {
        try withAdminServer(token: "s3cret") { fixture in
            let connection = try fixture.connect()
            try connection.request("GET", "/no-such-path")
            let reply = try connection.readReply()

            #expect(reply.status == 401)
            #expect(reply.headers["www-authenticate"] == #"Bearer realm="relevo admin""#)
        }
    }

    @Test func theSchemeIsMatchedInAnyCase() throws {
        try withAdminServer(token: "s3cret") { fixture in
            let connection = try fixture.connect()
            try connection.request("GET", "/status", headers: ["Authorization: bearer s3cret"])
            #expect(try connection.readReply().status == 200)

            try connection.request("GET", "/status", headers: ["Authorization: Basic czNjcmV0"])
            #expect(try connection.readReply().status == 401)
        }
    }

    @Test func withoutATokenALoopbackPeerIsAnsweredAndAnyOtherPeerIsForbidden() throws {
        let access = AdminAccess(token: nil)
        let loopback = try #require(SocketAddress("127.0.0.1:40000"))
        let remote = try #require(SocketAddress("192.0.2.7:40000"))

        #expect(access.denial(peer: loopback, path: "/status", authorization: nil) == nil)
        #expect(
            access.denial(peer: try #require(SocketAddress("[::1]:40000")), path: "/status", authorization: nil) == nil)
        for path in ["/status", "/healthz"] {
            let denial = try #require(access.denial(peer: remote, path: path, authorization: nil))
            #expect(denial.status == 403)
            #expect(String(decoding: denial.body, as: UTF8.self).contains("loopback peers only"))
        }
    }

    @Test func withATokenAnyPeerHoldingItIsAnswered() throws {
        let access = AdminAccess(token: "s3cret")
        let remote = try #require(SocketAddress("192.0.2.7:40000"))

        #expect(access.denial(peer: remote, path: "/status", authorization: "Bearer s3cret") == nil)
        #expect(access.denial(peer: remote, path: "/healthz", authorization: nil) == nil)
        #expect(access.denial(peer: remote, path: "/status", authorization: "Bearer s3cre")?.status == 401)
        #expect(access.denial(peer: remote, path: "/status", authorization: "Bearer s3cret2")?.status == 401)
        #expect(access.denial(peer: remote, path: "/status", authorization: "Bearer ")?.status == 401)
    }

    @Test func theComparisonNeedsEveryByteAndTheLength() {
        let token = Array("abcdef".utf8)

        #expect(AdminAccess.constantTimeEqual(token, token))
        #expect(!AdminAccess.constantTimeEqual(Array("abcdeg".utf8), token))
        #expect(!AdminAccess.constantTimeEqual(Array("abc".utf8), token))
        #expect(!AdminAccess.constantTimeEqual(Array("abcdefabcdef".utf8), token))
        #expect(!AdminAccess.constantTimeEqual([], token))
        #expect(!AdminAccess.constantTimeEqual([], []))
    }
}
