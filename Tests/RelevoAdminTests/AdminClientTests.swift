import Glibc
import RelevoIO
import RelevoRelease
import Testing

@testable import RelevoAdmin

@Suite("AdminClient talks to the admin API and says clearly what went wrong")
struct AdminClientTests {
    @Test func statusVersionAndReloadAreDecoded() throws {
        try withAdminServer { fixture throws in
            let client = fixture.client()

            #expect(try client.status() == FakeControl.sampleStatus)
            #expect(try client.version(named: "v42")?.sessions == 120)
            #expect(try client.version(named: "v99") == nil)
            #expect(try client.reload() == .applied(changes: ["version v43 added (candidate)"]))
        }
    }

    @Test func aRefusedReloadComesBackWithItsErrors() throws {
        let error = ReloadError(file: "conf/relevo.conf", line: 3, column: 5, message: "unknown directive 'listn'")
        let control = FakeControl()
        control.state.withLock { $0.reloadResult = .refused(errors: [error]) }
        try withAdminServer(control: control) { fixture throws in
            #expect(try fixture.client().reload() == .refused(errors: [error]))
            #expect(error.description == "conf/relevo.conf:3:5: error: unknown directive 'listn'")
        }
    }

    @Test func aRefusedConnectionSaysWhatToCheck() throws {
        let listener = try ListeningSocket(address: #require(SocketAddress("127.0.0.1:0")))
        let address = listener.address
        listener.close()

        let error = try #require(throws: AdminClientError.self) {
            try AdminClient(address: address, token: nil).status()
        }
        #expect(error.kind == .unreachable)
        #expect(
            error.description
                == "cannot reach relevo's admin API at \(address): connection refused — is relevo running, "
                + "and is `admin` set in the conf?")
    }

    @Test func aServerThatNeverAnswersTimesOut() throws {
        let listener = try ListeningSocket(address: #require(SocketAddress("127.0.0.1:0")))
        defer { listener.close() }

        let client = AdminClient(address: listener.address, token: nil, timeoutMilliseconds: 200)
        let error = try #require(throws: AdminClientError.self) { try client.status() }
        #expect(error.kind == .timedOut)
        #expect(error.description == "relevo's admin API at \(listener.address) did not answer within 200ms")
    }

    @Test func aMissingOrWrongTokenIsExplained() throws {
        try withAdminServer(token: "s3cret") { fixture in
            let missing = try #require(throws: AdminClientError.self) { try fixture.client().status() }
            #expect(missing.kind == .unauthorized)
            #expect(
                missing.description.hasSuffix("needs the admin token: set RELEVO_ADMIN_TOKEN or pass --token-file FILE")
            )

            let wrong = try #require(throws: AdminClientError.self) { try fixture.client(token: "x").status() }
            #expect(wrong.description.contains("refused the token (the admin token is wrong)"))

            #expect(try fixture.client(token: "s3cret").status().live == "v42")
        }
    }

    @Test func anotherErrorStatusCarriesTheServersMessage() throws {
        let address = try #require(SocketAddress("127.0.0.1:9900"))
        let failed = AdminReply(status: 500, contentType: "application/json", body: Array(#"{"error":"boom"}"#.utf8))
        let forbidden = AdminReply(status: 403, contentType: "application/json", body: Array(#"{"error":"no"}"#.utf8))
        let bare = AdminReply(status: 502, contentType: "text/html", body: Array("<html>".utf8))

        let error = AdminClientError.answered(failed, address: address, hasToken: false)
        #expect(error.kind == .failed(status: 500))
        #expect(error.description == "relevo's admin API at 127.0.0.1:9900 answered 500: boom")
        #expect(AdminClientError.answered(forbidden, address: address, hasToken: false).kind == .forbidden)
        #expect(
            AdminClientError.answered(bare, address: address, hasToken: false).description
                == "relevo's admin API at 127.0.0.1:9900 answered 502: HTTP 502")
    }

    @Test func adminAddressesAreNumericOrLocalhost() {
        #expect(AdminClient.address(from: "127.0.0.1:9900")?.description == "127.0.0.1:9900")
        #expect(AdminClient.address(from: "localhost:9900")?.description == "127.0.0.1:9900")
        #expect(AdminClient.address(from: "[::1]:9900")?.description == "[::1]:9900")
        #expect(AdminClient.address(from: "relevo.internal:9900") == nil)
        #expect(AdminClient.address(from: "9900") == nil)
    }

    @Test func versionNamesArePercentEncodedInPaths() {
        #expect(AdminClient.percentEncoded("v42") == "v42")
        #expect(AdminClient.percentEncoded("v 4/2") == "v%204%2F2")
    }
}
