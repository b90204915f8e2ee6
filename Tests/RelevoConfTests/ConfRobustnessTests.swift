import RelevoConf
import Testing

/// Damaged confs: whatever the bytes, loading ends in a conf or in located errors, never in a trap.
@Suite struct ConfRobustnessTests {
    /// A valid conf touching every kind of token.
    static let sample = """
        listen 127.0.0.1:8080; # comment
        listen [::1]:0;
        admin 127.0.0.1:9900 { }
        workers auto;
        access_log "logs/a \\"b\\" \\\\ c.log";
        session { cookie sid; secret_file s; idle_timeout 30m; store redis [::1]:6379; end_header X-End; }
        drain_deadline off;
        on_drained exec "retire.sh";
        on_drained webhook http://[::1]:7000/drained?x=1;
        timeouts { connect 250ms; shutdown 1d; }
        limits { request_header 16k; upstream_idle_connections 0; }
        version "v41" {
            backend app-41.example:9001;
            backend [::1]:9011;
            health_check /health;
        }

        """

    @Test("every prefix of a valid conf loads or gives errors located inside the text")
    func everyPrefix() {
        let bytes = Array(Self.sample.utf8)
        for length in 0...bytes.count {
            checkLoads(String(decoding: bytes[..<length], as: UTF8.self))
        }
    }

    @Test("randomly damaged confs load or give errors located inside the text")
    func randomDamage() {
        var random = SplitMix64(seed: 42)
        let alphabet = Array("{};\"\\#: \n\tx0.[]*é".utf8)
        for _ in 0..<2_000 {
            var bytes = Array(Self.sample.utf8)
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let index = Int(random.next() % UInt64(bytes.count))
                bytes[index] = alphabet[Int(random.next() % UInt64(alphabet.count))]
            }
            checkLoads(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Loads `text`; any error must point at a line and column that exist (or just past a line's end).
    private func checkLoads(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        do {
            _ = try ConfLoader.load(text: text, file: "relevo.conf", directory: "/nonexistent")
        } catch {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for error in error.errors {
                let location = error.location
                #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
                #expect(
                    (1...lines.count).contains(location.line), "\(error) in \(text)", sourceLocation: sourceLocation)
                guard (1...lines.count).contains(location.line) else { continue }
                let width = lines[location.line - 1].unicodeScalars.count
                #expect((1...width + 1).contains(location.column), "\(error)", sourceLocation: sourceLocation)
            }
        }
    }
}

/// A small seeded generator, so that a failure can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// A generator that always gives the same sequence for `seed`.
    init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
