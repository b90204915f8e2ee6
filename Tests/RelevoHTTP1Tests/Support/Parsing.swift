import RelevoHTTP1
import Testing

/// One parsed header field, as text.
struct FieldSnapshot: Equatable, CustomStringConvertible {
    var name: String
    var value: String
    var kind: HTTPHeaderName
    var isHopByHop: Bool

    var description: String {
        "\(name): \(value)\(isHopByHop ? " (hop-by-hop)" : "")"
    }

    /// The fields of a parsed head, read back from the bytes it was parsed from.
    static func all(_ headers: [HTTPHeaderField], in input: [UInt8]) -> [FieldSnapshot] {
        headers.map { field in
            let nameStart = Int(field.nameStart)
            let valueStart = Int(field.valueStart)
            return FieldSnapshot(
                name: text(input, nameStart..<(nameStart + Int(field.nameLength))),
                value: text(input, valueStart..<(valueStart + Int(field.valueLength))),
                kind: field.name, isHopByHop: field.isHopByHop)
        }
    }
}

/// Everything a parsed request head says, as comparable values.
struct RequestSnapshot: Equatable {
    var method: HTTPMethod
    var methodText: String
    var target: String
    var targetIsEmptyPath: Bool
    var authority: String?
    var version: HTTPVersion
    var headers: [FieldSnapshot]
    var framing: HTTPBodyFraming
    var keepAlive: Bool
    var isUpgrade: Bool
    var expectsContinue: Bool
    var hostIndex: Int?
    var headLength: Int

    /// The snapshot of `head`, parsed from `input`.
    init(_ head: HTTPRequestHead, _ input: [UInt8]) {
        method = head.method
        methodText = text(input, head.methodRange)
        target = text(input, head.targetRange)
        targetIsEmptyPath = head.targetIsEmptyPath
        authority = head.absoluteAuthorityRange.map { text(input, $0) }
        version = head.version
        headers = FieldSnapshot.all(head.headers, in: input)
        framing = head.framing
        keepAlive = head.keepAlive
        isUpgrade = head.isUpgrade
        expectsContinue = head.expectsContinue
        hostIndex = head.hostIndex
        headLength = head.headLength
    }

    /// The value of the first field named `name` (compared ignoring case).
    func value(of name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Everything a parsed response head says, as comparable values.
struct ResponseSnapshot: Equatable {
    var status: Int
    var reason: String
    var version: HTTPVersion
    var headers: [FieldSnapshot]
    var framing: HTTPBodyFraming
    var keepAlive: Bool
    var isInterim: Bool
    var headLength: Int

    /// The snapshot of `head`, parsed from `input`.
    init(_ head: HTTPResponseHead, _ input: [UInt8]) {
        status = head.status
        reason = text(input, head.reasonRange)
        version = head.version
        headers = FieldSnapshot.all(head.headers, in: input)
        framing = head.framing
        keepAlive = head.keepAlive
        isInterim = head.isInterim
        headLength = head.headLength
    }
}

/// Parses `input` as a request head fed whole, byte by byte and at random splits (all must agree).
func parseRequest(
    _ input: [UInt8], maximumHeadSize: Int = 32 * 1024, sourceLocation: SourceLocation = #_sourceLocation
) -> Outcome<RequestSnapshot> {
    fedThreeWays(input, sourceLocation: sourceLocation) { arrivals in
        var parser = HTTPRequestParser(maximumHeadSize: maximumHeadSize)
        var head = HTTPRequestHead()
        for arrived in arrivals {
            let outcome = withBytes(of: input, 0..<arrived) { bytes -> Outcome<RequestSnapshot>? in
                do throws(HTTPParseError) {
                    return try parser.parse(bytes, into: &head) ? .complete(RequestSnapshot(head, input)) : nil
                } catch {
                    return .failure(error)
                }
            }
            if let outcome {
                return outcome
            }
        }
        return .incomplete
    }
}

/// Parses `text` as a request head, three ways.
func parseRequest(
    _ text: String, maximumHeadSize: Int = 32 * 1024, sourceLocation: SourceLocation = #_sourceLocation
) -> Outcome<RequestSnapshot> {
    parseRequest(bytes(text), maximumHeadSize: maximumHeadSize, sourceLocation: sourceLocation)
}

/// Parses `input` as a response head to a `method` request, three ways (all must agree).
func parseResponse(
    _ input: [UInt8], method: HTTPMethod = .get, maximumHeadSize: Int = 64 * 1024,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Outcome<ResponseSnapshot> {
    fedThreeWays(input, sourceLocation: sourceLocation) { arrivals in
        var parser = HTTPResponseParser(maximumHeadSize: maximumHeadSize)
        var head = HTTPResponseHead()
        for arrived in arrivals {
            let outcome = withBytes(of: input, 0..<arrived) { bytes -> Outcome<ResponseSnapshot>? in
                do throws(HTTPParseError) {
                    let complete = try parser.parse(bytes, requestMethod: method, into: &head)
                    return complete ? .complete(ResponseSnapshot(head, input)) : nil
                } catch {
                    return .failure(error)
                }
            }
            if let outcome {
                return outcome
            }
        }
        return .incomplete
    }
}

/// Parses `text` as a response head, three ways.
func parseResponse(
    _ text: String, method: HTTPMethod = .get, maximumHeadSize: Int = 64 * 1024,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Outcome<ResponseSnapshot> {
    parseResponse(bytes(text), method: method, maximumHeadSize: maximumHeadSize, sourceLocation: sourceLocation)
}

/// Parses `text` as a request head in one go, for tests that need the head itself; fails the test
/// if it is not a complete, valid head.
func parsedRequestHead(_ input: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> HTTPRequestHead? {
    var parser = HTTPRequestParser()
    var head = HTTPRequestHead()
    let complete = input.withUnsafeBytes { bytes in
        (try? parser.parse(bytes, into: &head)) ?? false
    }
    #expect(complete, "not a complete, valid request head", sourceLocation: sourceLocation)
    return complete ? head : nil
}

/// Parses `input` as a response head in one go; fails the test if it is not complete and valid.
func parsedResponseHead(
    _ input: [UInt8], method: HTTPMethod = .get, sourceLocation: SourceLocation = #_sourceLocation
) -> HTTPResponseHead? {
    var parser = HTTPResponseParser()
    var head = HTTPResponseHead()
    let complete = input.withUnsafeBytes { bytes in
        (try? parser.parse(bytes, requestMethod: method, into: &head)) ?? false
    }
    #expect(complete, "not a complete, valid response head", sourceLocation: sourceLocation)
    return complete ? head : nil
}
