import RelevoHTTP1
import RelevoIO

/// The versions exchanges may go to, as release control publishes them to every worker.
///
/// A value: workers swap it in whole, so a reload never shows a worker half a table. Exchanges
/// already under way keep the version and backend they were routed to.
public struct RoutingTable: Sendable {
    /// Every version that can still receive exchanges, in conf order.
    public var versions: [VersionPlan]

    /// The index in ``versions`` of the live version, which new sessions go to; nil when none is live.
    public var live: Int?

    /// Creates a table.
    public init(versions: [VersionPlan], live: Int?) {
        self.versions = versions
        self.live = live
    }
}

/// Where an exchange goes.
public enum Route {
    /// To the version at this index of the routing table, to its backend at index `backend` if
    /// that one is up, else to the least busy backend of that version.
    case version(Int, backend: Int?)
    /// Nowhere: relevo answers 503 with Retry-After.
    case unavailable(reason: StaticString)
}

/// What a router remembers about one exchange's session between the request and the response.
///
/// The proxy keeps it with the exchange and hands it back; only the router reads its fields.
public struct ExchangeSession: Sendable {
    /// Router-defined state, e.g. whether the request carried a valid session key.
    public var kind: UInt8 = 0

    /// The session's identifier, if any.
    public var identifier: (UInt64, UInt64) = (0, 0)

    /// Creates an empty note.
    public init() {}
}

/// Decides where each exchange goes and what its response does to the user's session.
///
/// One router per worker, called only on that worker's loop, once per exchange, so it can keep
/// per-loop state without locks.
public protocol ExchangeRouter: AnyObject {
    /// Chooses the version (and backend) for a request whose head is in `source`. The table's
    /// indices are those of the routing table the worker holds.
    func route(
        _ request: HTTPRequestHead, source: UnsafeRawBufferPointer, table: RoutingTable, session: inout ExchangeSession
    ) -> Route

    /// The final response head has come, from backend `backend` of version `version` (named, since
    /// the routing table may have changed since the request was routed). The router may write
    /// header lines (each ending in CRLF) into `extraHeaders` — a session cookie — and mark
    /// response fields hop-by-hop so they are not forwarded.
    func respond(
        to response: inout HTTPResponseHead, source: UnsafeRawBufferPointer, version: String, backend: String,
        session: inout ExchangeSession, extraHeaders: ByteBuffer, pool: BufferPool)
}

/// Sends every exchange to the live version, without sessions.
public final class LiveVersionRouter: ExchangeRouter {
    /// Creates the router.
    public init() {}

    public func route(
        _ request: HTTPRequestHead, source: UnsafeRawBufferPointer, table: RoutingTable, session: inout ExchangeSession
    ) -> Route {
        guard let live = table.live else { return .unavailable(reason: "no version is live") }
        return .version(live, backend: nil)
    }

    public func respond(
        to response: inout HTTPResponseHead, source: UnsafeRawBufferPointer, version: String, backend: String,
        session: inout ExchangeSession, extraHeaders: ByteBuffer, pool: BufferPool
    ) {}
}
