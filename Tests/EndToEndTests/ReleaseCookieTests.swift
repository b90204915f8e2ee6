import Foundation
import Testing

extension EndToEnd {
    /// Cookies a client can send but relevo never issued choose nothing; every legal Cookie form routes the same
    /// way each time and reaches the backend untouched.
    @Suite struct ReleaseCookies {
        /// v1 (two backends) holds one session, `keeper`, and knows of one that logged out, `gone`; v2 is live.
        struct Scene {
            let release: ReleaseFixture
            let keeper: Browser
            let keeperCookie: String
            let keeperBackend: String
            let goneCookie: String
        }

        static func withScene(_ body: (Scene) throws -> Void) throws {
            try withRelease([VersionSpec("v1", backends: 2)]) { release in
                let keeper = release.browser()
                let login = try keeper.get("/login")
                let keeperCookie = try #require(keeper.affinity, "no relevo cookie on login:\n\(login)")
                let gone = release.browser()
                try gone.get("/login")
                let goneCookie = try #require(gone.affinity)
                #expect(try gone.get("/logout").servedVersion == "v1")
                try release.release(VersionSpec("v2"))
                try release.waitForStatus("v1 draining with keeper's session only") {
                    $0.state(of: "v1") == "draining" && $0.sessions(of: "v1") == 1 && $0.totalSessions == 1
                }
                try body(
                    Scene(
                        release: release, keeper: keeper, keeperCookie: keeperCookie,
                        keeperBackend: login.servedBackend, goneCookie: goneCookie))
            }
        }

        @Test func forgedTamperedEndedAndMalformedAffinityCookiesGoToTheLiveVersionAndNeverGrowTheSessions() throws {
            try Self.withScene { scene in
                let release = scene.release
                let fields = scene.keeperCookie.split(separator: "~", omittingEmptySubsequences: false).map(String.init)
                try #require(fields.count == 5, "relevo's cookie is not VERSION~BACKEND~SESSION~ISSUED~MAC")
                let keeperAddress = fields[1]
                let keeperSession = fields[2]
                let otherKey = Array(ReleaseFixture.randomHex(byteCount: 32).utf8)
                let unknownSession = ReleaseFixture.randomHex(byteCount: 16)

                let forgeries: [(what: String, cookie: String)] = [
                    ("garbage", "relevo=garbage"),
                    ("empty", "relevo="),
                    ("the cookie of a session that logged out", "relevo=\(scene.goneCookie)"),
                    (
                        "keeper's session signed with another secret",
                        "relevo="
                            + Signatures.affinityCookie(
                                version: "v1", backend: keeperAddress, session: keeperSession, key: otherKey)
                    ),
                    (
                        "a session relevo never established, signed with relevo's own secret",
                        "relevo="
                            + Signatures.affinityCookie(
                                version: "v1", backend: keeperAddress, session: unknownSession, key: release.secret)
                    ),
                    ("5000 bytes", "relevo=" + String(repeating: "A", count: 5000)),
                    (
                        "keeper's cookie and 4800 more bytes",
                        "relevo=\(scene.keeperCookie)" + String(repeating: "x", count: 4800)
                    ),
                    ("keeper's cookie with a comma after it", "relevo=\(scene.keeperCookie),v1"),
                    ("keeper's cookie in a JSON-ish list", "relevo=[\"\(scene.keeperCookie)\",\"v1\"]"),
                    (
                        "a JSON-ish pin",
                        "relevo={\"version\":\"v1\",\"backend\":\"\(keeperAddress)\",\"session\":\"\(keeperSession)\"}"
                    ),
                    (
                        "JSON-ish values with commas around garbage",
                        "prefs={\"a\":1,\"b\":[2,3]}; relevo=v1,\(keeperAddress),x"
                    ),
                    ("the fields without a signature", "relevo=" + fields[0..<4].joined(separator: "~")),
                    ("the fields with an empty signature", "relevo=" + fields[0..<4].joined(separator: "~") + "~"),
                ]

                for (index, forgery) in forgeries.enumerated() {
                    let answer = try release.get("/page?forgery=\(index)", fields: ["Cookie: \(forgery.cookie)"])
                    #expect(
                        answer.servedVersion == "v2", "\(forgery.what): went to \(answer.servedVersion):\n\(answer)")
                    #expect(
                        !answer.setCookies(named: Browser.affinityCookie).contains { !$0.contains("Max-Age=0") },
                        "\(forgery.what): relevo issued a cookie though the backend started no session:\n\(answer)")
                }
                let afterPages = try release.status()
                #expect(
                    afterPages.sessions(of: "v1") == 1 && afterPages.totalSessions == 1,
                    "forged cookies grew the sessions: \(afterPages.summary)")

                for (index, forgery) in forgeries.enumerated() {
                    let login = try release.get("/login?forgery=\(index)", fields: ["Cookie: \(forgery.cookie)"])
                    #expect(login.servedVersion == "v2", "\(forgery.what): login went to \(login.servedVersion)")
                    let issued = login.setCookies(named: Browser.affinityCookie).filter { !$0.contains("Max-Age=0") }
                    #expect(
                        issued.count == 1 && issued[0].hasPrefix("relevo=v2~") && !issued[0].contains(keeperSession),
                        "\(forgery.what): the session the backend started got \(issued)")
                }
                let afterLogins = try release.status()
                #expect(
                    afterLogins.sessions(of: "v1") == 1 && afterLogins.sessions(of: "v2") == forgeries.count,
                    "after \(forgeries.count) logins on v2: \(afterLogins.summary)")

                let keeperAnswer = try scene.keeper.get("/page?keeper")
                #expect(
                    keeperAnswer.servedVersion == "v1" && keeperAnswer.servedBackend == scene.keeperBackend,
                    "keeper's own session after the forgeries:\n\(keeperAnswer)")
            }
        }

        @Test func aValidAffinityCookieWithAnyOneCharacterChangedIsIgnored() throws {
            try Self.withScene { scene in
                let original = Array(scene.keeperCookie)
                var honoured: [String] = []
                for offset in original.indices {
                    var changed = original
                    changed[offset] = Self.otherCharacter(than: original[offset])
                    let answer = try scene.release.get(
                        "/page?tampered=\(offset)", fields: ["Cookie: relevo=\(String(changed))"])
                    if answer.servedVersion != "v2" {
                        honoured.append(
                            "offset \(offset) ('\(original[offset])' → '\(changed[offset])'): \(answer.servedVersion)")
                    }
                }
                #expect(
                    honoured.isEmpty,
                    "valid cookie \(scene.keeperCookie) with one character changed still routed:\n\(honoured)")
                let status = try scene.release.status()
                #expect(status.totalSessions == 1, "\(status.summary)")
            }
        }

        @Test func everyLegalCookieFormRoutesTheSameWayEachTimeAndReachesTheBackendUnchanged() throws {
            try Self.withScene { scene in
                let release = scene.release
                let other = release.browser()
                try other.get("/login")
                let otherCookie = try #require(other.affinity)
                let keeper = scene.keeperCookie
                let onKeeper = "v1 \(scene.keeperBackend)"
                let onV2 = "v2 v2-a"

                let forms: [(what: String, lines: [String], expected: String)] = [
                    ("two Cookie lines", ["Cookie: theme=dark", "Cookie: relevo=\(keeper)"], onKeeper),
                    ("spaces around =", ["Cookie: theme=dark; relevo = \(keeper) ; lang=fr"], onKeeper),
                    ("no spaces after ;", ["Cookie: a=1;relevo=\(keeper);b=2"], onKeeper),
                    ("a quoted value", ["Cookie: relevo=\"\(keeper)\""], onV2),
                    ("empty values", ["Cookie: relevo=; theme="], onV2),
                    ("garbage first, then the valid cookie", ["Cookie: relevo=garbage; relevo=\(keeper)"], onKeeper),
                    (
                        "garbage and the valid cookie on two lines",
                        ["Cookie: relevo=garbage", "Cookie: relevo=\(keeper)"], onKeeper
                    ),
                    (
                        "keeper's then another valid cookie", ["Cookie: relevo=\(keeper); relevo=\(otherCookie)"],
                        onKeeper
                    ),
                    ("another valid cookie then keeper's", ["Cookie: relevo=\(otherCookie); relevo=\(keeper)"], onV2),
                    ("JSON with commas beside it", ["Cookie: prefs={\"a\":1,\"b\":[2,3]}; relevo=\(keeper)"], onKeeper),
                    ("a comma glued to it", ["Cookie: relevo=\(keeper),theme=dark"], onV2),
                    ("a name in other case", ["Cookie: RELEVO=\(keeper)"], onV2),
                    ("a pair without =", ["Cookie: relevo; theme=dark"], onV2),
                    ("only other cookies", ["Cookie: theme=dark; \(AppBackend.sessionCookie)=abc"], onV2),
                    ("a tab before the value", ["Cookie: relevo=\t\(keeper)"], onKeeper),
                ]

                for (index, form) in forms.enumerated() {
                    for attempt in 0..<3 {
                        let target = "/form?case=\(index)&attempt=\(attempt)"
                        let answer = try release.get(target, fields: form.lines)
                        let served = "\(answer.servedVersion) \(answer.servedBackend)"
                        #expect(served == form.expected, "\(form.what), attempt \(attempt): \(served)\n\(answer)")

                        let received = release.heads(reaching: target)
                        let cookieLines = received.first?.fields.filter { $0.name.lowercased() == "cookie" }.map(\.line)
                        #expect(
                            received.count == 1 && cookieLines == form.lines,
                            "\(form.what): the backend got Cookie lines \(cookieLines ?? []), sent \(form.lines)")
                    }
                }
                let status = try release.status()
                #expect(
                    status.sessions(of: "v1") == 1 && status.sessions(of: "v2") == 1 && status.totalSessions == 2,
                    "\(status.summary)")
            }
        }

        /// A character of the same kind as `character` but different: digits, letters and punctuation stay so.
        static func otherCharacter(than character: Character) -> Character {
            switch character {
            case "0"..."8": Character(UnicodeScalar(character.asciiValue! + 1))
            case "9": "0"
            case "a"..."y", "A"..."Y": Character(UnicodeScalar(character.asciiValue! + 1))
            case "z": "a"
            case "Z": "A"
            case "~": "-"
            case ".": "_"
            default: "~"
            }
        }
    }
}
