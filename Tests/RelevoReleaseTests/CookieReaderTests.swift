import RelevoHTTP1
import Testing

@testable import RelevoRelease

@Suite("CookieReader finds every value of a cookie across a request's Cookie fields")
struct CookieReaderTests {
    /// A request head with one Cookie field per entry of `cookieLines`, and other fields around them.
    private static func request(_ cookieLines: [String]) -> [UInt8] {
        var text = "GET / HTTP/1.1\r\nHost: booking.example\r\nX-Cookie: relevo=not-a-cookie\r\n"
        for line in cookieLines {
            text += "Cookie: \(line)\r\n"
        }
        return Array((text + "Accept: */*\r\n\r\n").utf8)
    }

    /// The head of `bytes` parsed as relevo parses requests.
    private static func parsed(_ bytes: [UInt8]) throws -> HTTPRequestHead {
        var parser = HTTPRequestParser()
        var head = HTTPRequestHead()
        let complete = try bytes.withUnsafeBytes { try parser.parse($0, into: &head) }
        try #require(complete)
        return head
    }

    /// The values of cookie `name` in a request with `cookieLines`, as text.
    private static func values(_ name: String, _ cookieLines: String...) throws -> [String] {
        let bytes = request(cookieLines)
        let head = try parsed(bytes)
        let ranges = bytes.withUnsafeBytes {
            CookieReader.values(named: Array(name.utf8), source: $0, headers: head.headers)
        }
        return ranges.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    @Test func oneCookieInOneFieldIsFound() throws {
        #expect(try Self.values("relevo", "relevo=abc") == ["abc"])
        #expect(try Self.values("relevo", "JSESSIONID=1; relevo=abc; theme=dark") == ["abc"])
    }

    @Test func noCookieFieldOrNoSuchCookieGivesNothing() throws {
        #expect(try Self.values("relevo").isEmpty)
        #expect(try Self.values("relevo", "JSESSIONID=1").isEmpty)
    }

    @Test func everyCookieFieldCountsInTheOrderTheyCame() throws {
        #expect(try Self.values("relevo", "a=1", "relevo=x", "b=2; relevo=y", "relevo=z") == ["x", "y", "z"])
    }

    @Test func pairsAreSeparatedBySemicolonWithOrWithoutASpace() throws {
        #expect(try Self.values("b", "a=1; b=2") == ["2"])
        #expect(try Self.values("b", "a=1;b=2") == ["2"])
        #expect(try Self.values("b", "a=1 ;\tb=2 ;c=3") == ["2"])
    }

    @Test func spacesAndTabsAroundNameAndValueAreTrimmed() throws {
        #expect(try Self.values("a", "a = 1") == ["1"])
        #expect(try Self.values("a", "x=0;  a\t=\t1  ; y=2") == ["1"])
    }

    @Test func aQuotedValueKeepsItsQuotes() throws {
        #expect(try Self.values("a", "a=\"x y\"") == ["\"x y\""])
        #expect(try Self.values("a", "a = \"quoted\" ; b=1") == ["\"quoted\""])
    }

    @Test func aSemicolonInsideQuotesStillSeparates() throws {
        #expect(try Self.values("a", "a=\"x;y\"") == ["\"x"])
    }

    @Test func anEmptyValueIsFoundAsEmpty() throws {
        #expect(try Self.values("a", "a=") == [""])
        #expect(try Self.values("a", "a=; b=2") == [""])
        #expect(try Self.values("a", "a= ;a=1") == ["", "1"])
    }

    @Test func aPairWithoutEqualsIsIgnored() throws {
        #expect(try Self.values("a", "a; b=2").isEmpty)
        #expect(try Self.values("b", "a; b=2") == ["2"])
        #expect(try Self.values("relevo", "relevo").isEmpty)
    }

    @Test func theSameNameTwiceGivesBothValuesInOrder() throws {
        #expect(try Self.values("a", "a=1; a=2") == ["1", "2"])
    }

    @Test func commasBelongToTheValue() throws {
        #expect(try Self.values("a", "a={\"x\":1,\"y\":2}; b=3") == ["{\"x\":1,\"y\":2}"])
        #expect(try Self.values("b", "a=1, b=2").isEmpty)
        #expect(try Self.values("a", "a=1, b=2") == ["1, b=2"])
    }

    @Test func theValueRunsFromTheFirstEquals() throws {
        #expect(try Self.values("a", "a=b=c") == ["b=c"])
        #expect(try Self.values("a", "a==") == ["="])
    }

    @Test func namesMatchExactlyAndCaseSensitively() throws {
        #expect(try Self.values("relevo", "Relevo=1; RELEVO=2; relevo=3") == ["3"])
        #expect(try Self.values("relevo", "relevox=1; xrelevo=2; relev=3; relevo=4") == ["4"])
    }

    @Test func emptyPairsAndTrailingSemicolonsAreHarmless() throws {
        #expect(try Self.values("a", ";; a=1 ;") == ["1"])
        #expect(try Self.values("a", ";") == [])
        #expect(try Self.values("", "=x; a=1") == ["x"])
    }

    @Test func aFieldNamedLikeCookieButNotCookieIsNotRead() throws {
        #expect(try Self.values("relevo", "a=1").isEmpty)
    }

    @Test func theFirstWantedValueStopsTheSearch() throws {
        let bytes = Self.request(["relevo=forged", "relevo=good; relevo=later"])
        let head = try Self.parsed(bytes)
        var asked: [String] = []
        let found = bytes.withUnsafeBytes { source in
            CookieReader.firstValue(named: Array("relevo".utf8), source: source, headers: head.headers) { value in
                asked.append(String(decoding: bytes[value], as: UTF8.self))
                return bytes[value].first == UInt8(ascii: "g")
            }
        }
        #expect(found.map { String(decoding: bytes[$0], as: UTF8.self) } == "good")
        #expect(asked == ["forged", "good"])
    }

    @Test func anErrorFromTheCallerStopsTheSearchAndComesOut() throws {
        struct Stop: Error {}
        let bytes = Self.request(["relevo=1; relevo=2"])
        let head = try Self.parsed(bytes)
        var asked = 0
        #expect(throws: Stop.self) {
            _ = try bytes.withUnsafeBytes { source in
                try CookieReader.firstValue(named: Array("relevo".utf8), source: source, headers: head.headers) {
                    (_) throws(Stop) -> Bool in
                    asked += 1
                    throw Stop()
                }
            }
        }
        #expect(asked == 1)
    }

    @Test func aFieldWhoseOffsetsFallOutsideTheSourceIsSkipped() {
        let bytes = Array("a=1".utf8)
        let fields = [
            HTTPHeaderField(nameStart: 0, nameLength: 0, valueStart: 0, valueLength: 4, name: .cookie),
            HTTPHeaderField(nameStart: 0, nameLength: 0, valueStart: -1, valueLength: 2, name: .cookie),
            HTTPHeaderField(nameStart: 0, nameLength: 0, valueStart: 2, valueLength: -2, name: .cookie),
            HTTPHeaderField(nameStart: 0, nameLength: 0, valueStart: 0, valueLength: 3, name: .cookie),
        ]
        let values = bytes.withUnsafeBytes { CookieReader.values(named: Array("a".utf8), source: $0, headers: fields) }
        #expect(values == [2..<3])
    }

    @Test func tenThousandRandomFieldsNeverCrashAndGiveRangesOfMatchingPairs() {
        var generator = CookieTestRandom(seed: 7)
        let alphabet = Array("a=; \t\",{}x".utf8)
        for _ in 0..<10_000 {
            let count = Int.random(in: 0...40, using: &generator)
            let bytes: [UInt8] = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            let fields = [
                HTTPHeaderField(nameStart: 0, nameLength: 0, valueStart: 0, valueLength: Int32(count), name: .cookie)
            ]
            let values = bytes.withUnsafeBytes {
                CookieReader.values(named: Array("a".utf8), source: $0, headers: fields)
            }
            for value in values {
                #expect(value.lowerBound >= 2 && value.upperBound <= count)
                #expect(!bytes[value].contains(UInt8(ascii: ";")))
            }
        }
    }
}
