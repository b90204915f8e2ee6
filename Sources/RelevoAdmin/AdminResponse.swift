import RelevoHTTP1

/// One answer of the admin API, before it is written.
struct AdminResponse: Sendable {
    /// The status code.
    var status: Int

    /// The Content-Type.
    var contentType: String

    /// The body, sent whole with a Content-Length.
    var body: [UInt8]

    /// Header fields beyond Content-Type, Content-Length, Cache-Control and Connection.
    var extraHeaders: [(name: String, value: String)] = []

    /// Whether the server closes the connection after this answer, whatever the request asked.
    var closesConnection = false

    /// The Content-Type of JSON answers.
    static let jsonType = "application/json"

    /// The Content-Type of text answers.
    static let textType = "text/plain; charset=utf-8"

    /// A JSON answer of an already encoded document.
    static func json(_ body: [UInt8], status: Int = 200) -> AdminResponse {
        AdminResponse(status: status, contentType: jsonType, body: body)
    }

    /// A JSON answer of `value`.
    static func json(encoding value: some Encodable, status: Int = 200) -> AdminResponse {
        json(AdminJSON.encode(value), status: status)
    }

    /// A text answer.
    static func text(_ text: String, status: Int = 200, contentType: String = textType) -> AdminResponse {
        AdminResponse(status: status, contentType: contentType, body: Array(text.utf8))
    }

    /// An error answer: `{"error": message}`.
    static func error(_ status: Int, _ message: String) -> AdminResponse {
        json(encoding: ErrorBody(error: message), status: status)
    }

    /// The answer as bytes on the wire; without its body (but with its Content-Length) for HEAD.
    func serialized(keepAlive: Bool, includingBody: Bool = true) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(HTTPStatus.reasonPhrase(status))\r\n"
        head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nCache-Control: no-store\r\n"
        for field in extraHeaders {
            head += "\(field.name): \(field.value)\r\n"
        }
        if !keepAlive {
            head += "Connection: close\r\n"
        }
        head += "\r\n"

        var bytes = Array(head.utf8)
        if includingBody {
            bytes += body
        }
        return bytes
    }
}
