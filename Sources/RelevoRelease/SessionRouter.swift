import RelevoHTTP1
import RelevoIO
import RelevoProxy

/// What every worker's ``SessionRouter`` shares: the session ledger and the session settings.
public final class SessionRouting: Sendable {
    /// The session table.
    public let ledger: any SessionStore

    /// The key of relevo's affinity cookie.
    public let secret: AffinitySecret

    /// relevo's affinity cookie name, e.g. `relevo`.
    public let affinityCookie: [UInt8]

    /// The application's session cookie name, if relevo learns sessions from it.
    public let applicationCookie: [UInt8]?

    /// The response header that ends a session, lower-cased, if any.
    public let endHeader: [UInt8]?

    /// Creates the shared part of session routing.
    public init(
        ledger: any SessionStore, secret: AffinitySecret, affinityCookie: String, applicationCookie: String?,
        endHeader: String?
    ) {
        self.ledger = ledger
        self.secret = secret
        self.affinityCookie = Array(affinityCookie.utf8)
        self.applicationCookie = applicationCookie.map { Array($0.utf8) }
        self.endHeader = endHeader.map { Array($0.lowercased().utf8) }
    }
}

/// Routes each exchange by the user's session, as DESIGN.md's "Sessions and routing" says.
///
/// A request whose affinity cookie verifies and names a session the ledger still holds goes to
/// that session's version and backend. Any other request goes to the live version; if its response
/// establishes a session (the application sets its session cookie, or, with none configured, any
/// response below 500), relevo records the session and sets its affinity cookie. A response that
/// expires the application's cookie, or carries the end header, ends the session and expires the
/// affinity cookie. One router per worker, used only on its loop.
public final class SessionRouter: ExchangeRouter {
    /// What the request told the router, kept in ``ExchangeSession/kind``.
    enum Kind: UInt8 {
        /// No live session: routed to the live version; the response may establish one.
        case new
        /// A live session, routed to its pin.
        case pinned
        /// A live session whose pin moved (drain deadline, version removed): re-issue its cookie.
        case moved
    }

    private let shared: SessionRouting
    private let mac: HMACSHA256
    private var cookieScratch: [UInt8] = []

    /// Creates one worker's router.
    public init(shared: SessionRouting) {
        self.shared = shared
        mac = shared.secret.makeMAC()
    }

    // MARK: Requests

    public func route(
        _ request: HTTPRequestHead, source: UnsafeRawBufferPointer, table: RoutingTable, session: inout ExchangeSession
    ) -> Route {
        if let cookie = verifiedAffinityCookie(request, source: source) {
            let key = LedgerKey(high: cookie.session.high, low: cookie.session.low)
            if let pin = shared.ledger.touch(key, now: WallClock.coarseMilliseconds()),
                let version = table.versions.firstIndex(where: { $0.name == pin.version })
            {
                session.identifier = (cookie.session.high, cookie.session.low)
                session.kind = (pin == cookie.pin ? Kind.pinned : Kind.moved).rawValue
                let backend = table.versions[version].backends.firstIndex { $0.name == pin.backend }
                return .version(version, backend: backend)
            }
        }
        session.kind = Kind.new.rawValue
        guard let live = table.live else { return .unavailable(reason: "no version is live yet") }
        return .version(live, backend: nil)
    }

    /// The first affinity cookie of the request that verifies, if any.
    private func verifiedAffinityCookie(_ request: HTTPRequestHead, source: UnsafeRawBufferPointer) -> AffinityCookie? {
        var verified: AffinityCookie?
        _ = CookieReader.firstValue(named: shared.affinityCookie, source: source, headers: request.headers) { range in
            verified = AffinityCookie.verify(UnsafeRawBufferPointer(rebasing: source[range]), mac: mac)
            return verified != nil
        }
        return verified
    }

    // MARK: Responses

    public func respond(
        to response: inout HTTPResponseHead, source: UnsafeRawBufferPointer, version: String, backend: String,
        session: inout ExchangeSession, extraHeaders: ByteBuffer, pool: BufferPool
    ) {
        let now = WallClock.coarseMilliseconds()
        let ends = endsSession(&response, source: source, now: now)
        let kind = Kind(rawValue: session.kind) ?? .new
        let key = LedgerKey(high: session.identifier.0, low: session.identifier.1)
        switch kind {
        case .pinned, .moved:
            if ends {
                shared.ledger.end(key)
                write(
                    AffinityCookie.expiringSetCookieHeader(name: shared.affinityCookie, secure: false),
                    to: extraHeaders, pool: pool)
            } else if kind == .moved, let pin = shared.ledger.touch(key, now: now) {
                issueCookie(
                    pin: pin, session: SessionID(high: key.high, low: key.low), now: now, into: extraHeaders, pool: pool
                )
            }
        case .new:
            guard !ends, establishes(response, source: source, now: now) else { return }
            let pin = SessionPin(version: version, backend: backend)
            let id = SessionID.random()
            shared.ledger.establish(LedgerKey(high: id.high, low: id.low), pin: pin, now: now)
            issueCookie(pin: pin, session: id, now: now, into: extraHeaders, pool: pool)
        }
    }

    /// Whether the response ends the session: it expires the application's cookie, or carries the
    /// end header (which is then not forwarded).
    private func endsSession(_ response: inout HTTPResponseHead, source: UnsafeRawBufferPointer, now: Int64) -> Bool {
        var ends = false
        for index in response.headers.indices {
            let field = response.headers[index]
            if field.name == .setCookie, let cookieName = shared.applicationCookie,
                let cookie = SetCookieReader.read(field: field, source: source, now: now / 1000), cookie.isExpiry,
                equal(source, cookie.name, cookieName)
            {
                ends = true
            } else if field.name == .other, let endHeader = shared.endHeader,
                equalIgnoringCase(source, Int(field.nameStart)..<Int(field.nameStart + field.nameLength), endHeader)
            {
                response.headers[index].isHopByHop = true
                ends = true
            }
        }
        return ends
    }

    /// Whether a response to a request without a session establishes one.
    private func establishes(_ response: HTTPResponseHead, source: UnsafeRawBufferPointer, now: Int64) -> Bool {
        guard response.status < 500, response.status != 101 else { return false }
        guard let cookieName = shared.applicationCookie else { return true }
        for field in response.headers where field.name == .setCookie {
            if let cookie = SetCookieReader.read(field: field, source: source, now: now / 1000), !cookie.isExpiry,
                equal(source, cookie.name, cookieName)
            {
                return true
            }
        }
        return false
    }

    private func issueCookie(pin: SessionPin, session: SessionID, now: Int64, into buffer: ByteBuffer, pool: BufferPool)
    {
        guard AffinityCookie.canCarry(pin) else { return }
        let value = AffinityCookie.make(pin: pin, session: session, issuedAt: now / 1000, mac: mac)
        write(
            AffinityCookie.setCookieHeader(name: shared.affinityCookie, value: value, secure: false), to: buffer,
            pool: pool)
    }

    /// Writes `Set-Cookie: <line>\r\n`.
    private func write(_ setCookie: [UInt8], to buffer: ByteBuffer, pool: BufferPool) {
        buffer.write("Set-Cookie: ", pool: pool)
        setCookie.withUnsafeBytes { buffer.write($0, pool: pool) }
        buffer.write("\r\n", pool: pool)
    }

    private func equal(_ source: UnsafeRawBufferPointer, _ range: Range<Int>, _ name: [UInt8]) -> Bool {
        range.count == name.count && zip(source[range], name).allSatisfy { $0 == $1 }
    }

    private func equalIgnoringCase(_ source: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowered: [UInt8]) -> Bool {
        range.count == lowered.count
            && zip(source[range], lowered).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
    }
}
