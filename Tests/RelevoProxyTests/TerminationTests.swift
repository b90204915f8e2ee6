import Glibc
import Testing

@testable import RelevoProxy

@Suite("How exchanges end and fail")
struct TerminationTests {
    @Test func aNormalEndReadsAsTwoDashes() {
        #expect(Termination.normal.description == "--")
    }

    @Test func theCodeNamesWhoAndWhen() {
        #expect(Termination(cause: .upstreamTimeout, phase: .responseHead).description == "sW")
        #expect(Termination(cause: .relevo, phase: .requestHead).description == "RH")
        #expect(Termination(cause: .downstreamClosed, phase: .tunnel).description == "CT")
    }

    @Test func timeoutsAnswer504AndOtherUpstreamFailures502() {
        #expect(UpstreamFailure.connectTimeout.status == 504)
        #expect(UpstreamFailure.readTimeout.status == 504)
        #expect(UpstreamFailure.connectFailed(ECONNREFUSED).status == 502)
        #expect(UpstreamFailure.closed.status == 502)
        #expect(UpstreamFailure.badResponse("conflicting Content-Length").status == 502)
        #expect(UpstreamFailure.unexpectedUpgrade.status == 502)
    }

    @Test func aRefusedConnectSaysSoInItsReason() {
        #expect(UpstreamFailure.connectFailed(ECONNREFUSED).reason == "upstream connect failed: connection refused")
        #expect(UpstreamFailure.connectFailed(ECONNREFUSED).kind == "connect")
    }

    @Test func logValuesWithSpacesQuotesOrEqualsAreQuotedAndEscaped() {
        #expect(Log.quoted("127.0.0.1:8080") == "127.0.0.1:8080")
        #expect(Log.quoted("two words") == "\"two words\"")
        #expect(Log.quoted("a=b") == "\"a=b\"")
        #expect(Log.quoted("say \"hi\"\n") == "\"say \\\"hi\\\"\\n\"")
        #expect(Log.quoted("") == "\"\"")
    }
}
