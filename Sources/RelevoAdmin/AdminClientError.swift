import Glibc
import RelevoIO

/// Why a call to the admin API failed, in a sentence that says what to do about it.
public struct AdminClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure it was, for callers that act on it.
    public enum Kind: Sendable, Equatable {
        /// Nothing accepted the connection (refused, unreachable, reset).
        case unreachable
        /// No whole answer came within the timeout.
        case timedOut
        /// 401: the token is missing or wrong.
        case unauthorized
        /// 403: a non-loopback client and no token configured.
        case forbidden
        /// Another error status, with the server's message.
        case failed(status: Int)
        /// What came back is not an HTTP answer of the admin API.
        case invalidAnswer
    }

    /// What kind of failure it was.
    public let kind: Kind

    /// The sentence for the person at the terminal.
    public let description: String

    /// Creates an error.
    init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// The connection failed or timed out while talking to `address`.
    static func transport(_ error: AdminSocketError, address: SocketAddress, timeoutMilliseconds: Int64) -> Self {
        switch error {
        case .timedOut:
            let limit = DurationText.format(milliseconds: timeoutMilliseconds)
            return Self(.timedOut, "relevo's admin API at \(address) did not answer within \(limit)")
        case .failed(let cause) where cause.errnoCode == EPROTO || cause.errnoCode == EMSGSIZE:
            return invalid(
                cause.errnoCode == EPROTO ? "not an HTTP/1.1 answer" : "the answer is too large", address: address)
        case .failed(let cause) where ["socket", "connect"].contains(cause.call.description):
            return Self(
                .unreachable,
                "cannot reach relevo's admin API at \(address): \(lowercased(cause.reason)) — is relevo running, "
                    + "and is `admin` set in the conf?")
        case .failed(let cause):
            return Self(
                .unreachable,
                "relevo's admin API at \(address) closed the connection before answering: \(lowercased(cause.reason))")
        }
    }

    /// `reason` with its first letter in lowercase, to follow a colon: `connection refused`.
    private static func lowercased(_ reason: String) -> String {
        reason.prefix(1).lowercased() + reason.dropFirst()
    }

    /// An answer with an error status, with the message of its `{"error": …}` body if it has one.
    static func answered(_ reply: AdminReply, address: SocketAddress, hasToken: Bool) -> Self {
        let message = AdminJSON.decode(ErrorBody.self, from: reply.body)?.error ?? "HTTP \(reply.status)"
        switch reply.status {
        case 401 where hasToken:
            return Self(
                .unauthorized,
                "relevo's admin API at \(address) refused the token (\(message)); "
                    + "check RELEVO_ADMIN_TOKEN or --token-file")
        case 401:
            return Self(
                .unauthorized,
                "relevo's admin API at \(address) needs the admin token: "
                    + "set RELEVO_ADMIN_TOKEN or pass --token-file FILE")
        case 403:
            return Self(.forbidden, "relevo's admin API at \(address) refused: \(message)")
        default:
            return Self(
                .failed(status: reply.status), "relevo's admin API at \(address) answered \(reply.status): \(message)")
        }
    }

    /// An answer that cannot be read, e.g. from another program on the admin port.
    static func invalid(_ why: String, address: SocketAddress) -> Self {
        Self(.invalidAnswer, "\(address) did not answer as relevo's admin API does: \(why)")
    }
}
