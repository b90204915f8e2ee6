import RelevoIO

/// Who may use the admin API (DESIGN.md, "Admin API" and the `admin` block of the conf).
///
/// Without a token, only loopback peers are answered. With a token, any peer is, but every path
/// except `/healthz` needs `Authorization: Bearer TOKEN`. Callable from any thread.
struct AdminAccess: Sendable {
    /// The token's bytes, or nil when the conf sets no `token_file`.
    private let token: [UInt8]?

    /// The path that a load balancer or an orchestrator probes without credentials.
    static let healthPath = "/healthz"

    /// Creates the rules for `token` (nil: loopback only).
    init(token: String?) {
        self.token = token.map { Array($0.utf8) }
    }

    /// Nil if `peer` may ask for `path` with that `Authorization` value; otherwise the 401 or 403 to answer.
    func denial(peer: SocketAddress, path: String, authorization: String?) -> AdminResponse? {
        guard let token else {
            if peer.isLoopback {
                return nil
            }
            return .error(
                403,
                "the admin API answers loopback peers only; set token_file in the conf's admin block to allow others")
        }

        if path == Self.healthPath {
            return nil
        }
        guard let presented = Self.bearerToken(authorization) else {
            return Self.unauthorized("this path needs an Authorization: Bearer header with the admin token")
        }
        guard Self.constantTimeEqual(presented, token) else {
            return Self.unauthorized("the admin token is wrong")
        }
        return nil
    }

    /// A 401 that tells the client which scheme to use.
    private static func unauthorized(_ message: String) -> AdminResponse {
        var response = AdminResponse.error(401, message)
        response.extraHeaders.append((name: "WWW-Authenticate", value: #"Bearer realm="relevo admin""#))
        return response
    }

    /// The credentials of `Bearer CREDENTIALS` (scheme in any case), or nil for another scheme.
    private static func bearerToken(_ authorization: String?) -> [UInt8]? {
        guard let authorization else { return nil }
        let utf8 = Array(authorization.utf8)
        guard utf8.count > 7, String(decoding: utf8[..<6], as: UTF8.self).lowercased() == "bearer", utf8[6] == 0x20
        else { return nil }
        return Array(utf8[7...].drop { $0 == 0x20 })
    }

    /// Whether `presented` equals `expected`, in a time that depends only on `presented`'s length,
    /// so the answer's timing tells nothing about how much of a guess was right.
    static func constantTimeEqual(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt64(presented.count ^ expected.count)
        for index in presented.indices {
            let other = expected.isEmpty ? 0 : expected[index % expected.count]
            difference |= UInt64(presented[index] ^ other)
        }
        return difference == 0 && !expected.isEmpty
    }
}
