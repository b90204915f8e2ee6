import Glibc
import RelevoIO
import Testing

@Suite("SocketAddress parses numeric host:port text")
struct SocketAddressTests {
    @Test func anIPv4AddressAndPortAreParsed() throws {
        let address = try #require(SocketAddress("192.0.2.10:8080"))

        #expect(address.family == AF_INET)
        #expect(address.host == "192.0.2.10")
        #expect(address.port == 8080)
        #expect(address.length == socklen_t(MemoryLayout<sockaddr_in>.size))
        #expect(address.description == "192.0.2.10:8080")
    }

    @Test func aBracketedIPv6AddressAndPortAreParsed() throws {
        let address = try #require(SocketAddress("[2001:db8::1]:443"))

        #expect(address.family == AF_INET6)
        #expect(address.host == "2001:db8::1")
        #expect(address.port == 443)
        #expect(address.length == socklen_t(MemoryLayout<sockaddr_in6>.size))
        #expect(address.description == "[2001:db8::1]:443")
    }

    @Test func thePortRangeEndsAreAccepted() {
        #expect(SocketAddress("0.0.0.0:0")?.port == 0)
        #expect(SocketAddress("127.0.0.1:65535")?.port == 65_535)
        #expect(SocketAddress("[::]:0")?.port == 0)
        #expect(SocketAddress("[::1]:65535")?.port == 65_535)
    }

    @Test(arguments: [
        "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:99999", "127.0.0.1:100000", "127.0.0.1:-1",
        "127.0.0.1:+80", "127.0.0.1:8o", "127.0.0.1: 80", "1.2.3:80", "1.2.3.4.5:80", "256.1.1.1:80", ":80", "",
        "localhost:80", "example.com:443", "::1:80", "[::1]", "[::1]:", "[::1]80", "[::1]:65536", "[::1:80",
        "[localhost]:80", "[fe80::1%lo]:80", " 127.0.0.1:80", "127.0.0.1:80 ",
    ])
    func textThatIsNotANumericHostAndPortIsRejected(text: String) {
        #expect(SocketAddress(text) == nil)
    }

    @Test func hostNamesAreRejectedWhenGivenSeparately() {
        #expect(SocketAddress(host: "localhost", port: 80) == nil)
        #expect(SocketAddress(host: "", port: 80) == nil)
        #expect(SocketAddress(host: "127.0.0.1", port: 80) != nil)
        #expect(SocketAddress(host: "::1", port: 80) != nil)
    }

    @Test(arguments: [
        "127.0.0.1:80", "0.0.0.0:0", "255.255.255.255:65535", "[::1]:8080", "[::]:0", "[2001:db8::8:800:200c:417a]:1",
        "[::ffff:192.0.2.1]:80",
    ])
    func theDescriptionOfAParsedAddressIsTheTextItCameFrom(text: String) throws {
        let address = try #require(SocketAddress(text))

        #expect(address.description == text)
        #expect(SocketAddress(address.description) == address)
    }

    @Test func theDescriptionIsCanonical() {
        #expect(SocketAddress("[2001:0DB8:0000::0001]:443")?.description == "[2001:db8::1]:443")
        #expect(SocketAddress("127.0.0.1:0080")?.description == "127.0.0.1:80")
    }

    @Test func settingThePortChangesOnlyThePort() throws {
        var v4 = try #require(SocketAddress("10.1.2.3:80"))
        var v6 = try #require(SocketAddress("[fd00::2]:80"))

        v4.port = 65_535
        v6.port = 8443

        #expect(v4.description == "10.1.2.3:65535")
        #expect(v6.description == "[fd00::2]:8443")
        #expect(v4.family == AF_INET)
        #expect(v6.family == AF_INET6)
    }

    @Test func thePortIsStoredInNetworkByteOrder() throws {
        let address = try #require(SocketAddress("127.0.0.1:258"))

        let bytes = withUnsafeBytes(of: address) { Array($0[2..<4]) }

        #expect(bytes == [1, 2])
    }

    @Test(arguments: [
        ("127.0.0.1:80", true), ("127.255.0.9:80", true), ("[::1]:80", true), ("128.0.0.1:80", false),
        ("10.0.0.1:80", false), ("0.0.0.0:80", false), ("[::]:80", false), ("[::2]:80", false),
        ("[fe80::1]:80", false), ("[1::1]:80", false), ("[::ffff:127.0.0.1]:80", false),
    ])
    func isLoopbackHoldsFor127Slash8AndColonColonOne(text: String, isLoopback: Bool) throws {
        let address = try #require(SocketAddress(text))

        #expect(address.isLoopback == isLoopback)
    }

    @Test func anEmptyAddressIsNotLoopbackAndHasNoFamily() {
        let address = SocketAddress()

        #expect(address.family == AF_UNSPEC)
        #expect(address.port == 0)
        #expect(!address.isLoopback)
    }

    @Test func addressesAreEqualAndHashAlikeWhenFamilyHostAndPortAgree() throws {
        let a = try #require(SocketAddress("[2001:db8::1]:80"))
        let b = try #require(SocketAddress("[2001:0db8:0::1]:80"))
        let differentPort = try #require(SocketAddress("[2001:db8::1]:81"))
        let mapped = try #require(SocketAddress("[::ffff:1.2.3.4]:80"))
        let v4 = try #require(SocketAddress("1.2.3.4:80"))

        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != differentPort)
        #expect(mapped != v4)
        #expect(Set([a, b, differentPort]).count == 2)
    }

    @Test func appendHostWritesEveryIPv4OctetAsInetNtopDoes() throws {
        for octet in 0...255 {
            let address = try #require(SocketAddress("\(octet).\(255 - octet).\(octet / 2).\(octet % 10):80"))
            var bytes: [UInt8] = Array("host=".utf8)

            address.appendHost(to: &bytes)

            #expect(String(decoding: bytes, as: UTF8.self) == "host=" + address.host)
        }
    }

    @Test func appendHostWritesAnIPv6HostWithoutBrackets() throws {
        let address = try #require(SocketAddress("[2001:db8::1]:443"))
        var bytes: [UInt8] = []

        address.appendHost(to: &bytes)

        #expect(String(decoding: bytes, as: UTF8.self) == "2001:db8::1")
    }
}
