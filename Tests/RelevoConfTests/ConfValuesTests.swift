import Testing

@testable import RelevoConf

/// Durations, sizes, counts and addresses, read on their own.
@Suite struct ConfValuesTests {
    @Test(
        "a duration is one whole number and one unit",
        arguments: [("250ms", 250), ("10s", 10_000), ("30m", 1_800_000), ("8h", 28_800_000), ("1d", 86_400_000)]
            as [(String, Int64)]
    )
    func durations(text: String, milliseconds: Int64) throws {
        #expect(try ConfValues.milliseconds(text) == milliseconds)
    }

    @Test(
        "a malformed duration says why",
        arguments: [
            ("10", "duration needs a unit: ms, s, m, h or d"),
            ("10x", "unknown unit 'x'; use ms, s, m, h or d"),
            ("10S", "unknown unit 'S'; use ms, s, m, h or d"),
            ("1h30m", "write one whole number and one unit, e.g. 90m or 1500ms"),
            ("1.5s", "write one whole number and one unit, e.g. 90m or 1500ms"),
            ("-5s", "a duration cannot be negative"),
            ("ms", "expected a number and a unit, e.g. 10s"),
            ("", "expected a number and a unit, e.g. 10s"),
            ("999999999999999999d", "number is too large"),
            ("99999999999999999999ms", "number is too large"),
        ]
    )
    func badDurations(text: String, reason: String) {
        #expect(throws: ConfValueError(reason)) { try ConfValues.milliseconds(text) }
    }

    @Test(
        "a size is a whole number of bytes with an optional k, m or g",
        arguments: [("512", 512), ("16k", 16_384), ("16K", 16_384), ("1m", 1_048_576), ("1g", 1_073_741_824)]
    )
    func sizes(text: String, bytes: Int) throws {
        #expect(try ConfValues.bytes(text) == bytes)
    }

    @Test(
        "a malformed size says why",
        arguments: [
            ("16x", "unknown unit 'x'; use k, m or g, or none for bytes"),
            ("16kb", "unknown unit 'kb'; use k, m or g, or none for bytes"),
            ("1.5k", "write one whole number and at most one unit, e.g. 1536k"),
            ("-1k", "a size cannot be negative"),
            ("k", "expected a number, e.g. 16k"),
        ]
    )
    func badSizes(text: String, reason: String) {
        #expect(throws: ConfValueError(reason)) { try ConfValues.bytes(text) }
    }

    @Test(
        "a listen address is numeric IPv4, bracketed IPv6 or '*', with a port of 0 to 65535",
        arguments: [
            ("0.0.0.0:8080", "0.0.0.0:8080"), ("*:8080", "0.0.0.0:8080"), ("[::1]:8080", "[::1]:8080"),
            ("[::]:443", "[::]:443"), ("127.0.0.1:0", "127.0.0.1:0"), ("10.0.0.1:65535", "10.0.0.1:65535"),
        ]
    )
    func listenAddresses(text: String, address: String) throws {
        #expect(try ConfValues.listenAddress(text).description == address)
    }

    @Test(
        "a malformed listen address says why",
        arguments: [
            ("127.0.0.1:65536", "port must be 0-65535"),
            ("127.0.0.1:http", "port 'http' is not a number"),
            ("127.0.0.1:", "the port is missing after ':'"),
            (":8080", "the host is missing before ':8080'"),
            ("8080", "expected HOST:PORT, e.g. 127.0.0.1:8080"),
            ("[::1]8080", "expected ':PORT' after ']', e.g. [::1]:8080"),
            ("[127.0.0.1]:80", "'127.0.0.1' is not a valid IPv6 address"),
        ]
    )
    func badListenAddresses(text: String, reason: String) {
        #expect(throws: ConfValueError(reason)) { try ConfValues.listenAddress(text) }
    }

    @Test(
        "a backend host is numeric IPv4, bracketed IPv6 or a DNS name; IPv6 comes back without brackets",
        arguments: [
            ("127.0.0.1:9001", "127.0.0.1", 9001), ("[::1]:9001", "::1", 9001),
            ("app-42.internal.example:80", "app-42.internal.example", 80), ("app_1:80", "app_1", 80),
            ("localhost.:80", "localhost.", 80), ("v42:8080", "v42", 8080),
        ] as [(String, String, UInt16)]
    )
    func backendAddresses(text: String, host: String, port: UInt16) throws {
        let address = try ConfValues.backendAddress(text)

        #expect(address.host == host)
        #expect(address.port == port)
    }

    @Test(
        "a malformed backend address says why",
        arguments: [
            ("127.0.0.1:0", "port must be 1-65535"),
            ("999.1.1.1:80", "'999.1.1.1' is not a valid IPv4 address"),
            ("app..local:80", "host name 'app..local' has an empty label"),
            ("app-.local:80", "host name label 'app-' must not start or end with '-'"),
            ("exa$mple:80", "'$' is not allowed in host name 'exa$mple'; use letters, digits, '-', '_' and '.'"),
            ("*:80", "'*' is not allowed in host name '*'; use letters, digits, '-', '_' and '.'"),
            (
                String(repeating: "a", count: 64) + ":80",
                "host name label '\(String(repeating: "a", count: 64))' is longer than 63 characters"
            ),
            ("app:9x", "port '9x' is not a number"),
            ("app:80:90", "write an IPv6 address in brackets, e.g. [::1]:8080"),
        ]
    )
    func badBackendAddresses(text: String, reason: String) {
        #expect(throws: ConfValueError(reason)) { try ConfValues.backendAddress(text) }
    }
}
