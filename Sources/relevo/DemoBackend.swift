import Glibc
import RelevoHTTP1
import RelevoIO
import RelevoProxy

/// A small application backend for trying relevo: it answers which version it is, sets a session
/// cookie on `/login`, expires it on `/logout`, and answers `/health`.
///
/// One thread per connection with blocking sockets: simple, and plenty for a demo. Not relevo's
/// hot path, which never blocks.
final class DemoBackend: @unchecked Sendable {
    let name: String
    let socket: ListeningSocket

    /// Binds `address`; the port may be 0.
    init(name: String, address: SocketAddress) throws(IOError) {
        self.name = name
        socket = try ListeningSocket(address: address, backlog: 1024)
        _ = fcntl(socket.descriptor, F_SETFL, fcntl(socket.descriptor, F_GETFL) & ~O_NONBLOCK)
    }

    /// Accepts connections on a thread of its own until the process ends.
    func start() {
        _ = OSThread.start(name: "demo-\(name)") { [self] in
            acceptLoop()
        }
    }

    private func acceptLoop() {
        while true {
            var peer = SocketAddress()
            guard case .processed(let descriptor) = try? Syscall.accept(descriptor: socket.descriptor, peer: &peer)
            else {
                usleep(10_000)
                continue
            }
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
            _ = OSThread.start(name: "demo-conn") { [self] in
                serve(descriptor)
                close(descriptor)
            }
        }
    }

    private func serve(_ descriptor: Int32) {
        var buffer = [UInt8]()
        var parser = HTTPRequestParser()
        var head = HTTPRequestHead()
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let outcome = buffer.withUnsafeBytes { bytes in
                Result { () throws(HTTPParseError) in try parser.parse(bytes, into: &head) }
            }
            let complete: Bool
            switch outcome {
            case .success(let done):
                complete = done
            case .failure(let error):
                send(descriptor, status: error.status, body: "\(error.reason)\n", headers: "Connection: close\r\n")
                return
            }
            if !complete {
                let count = read(descriptor, &chunk, chunk.count)
                if count <= 0 {
                    return
                }
                buffer.append(contentsOf: chunk[..<count])
                continue
            }
            let target = String(decoding: buffer[head.targetRange], as: UTF8.self)
            let cookie = head.headers.first { $0.name == .cookie }.map {
                String(decoding: buffer[Int($0.valueStart)..<Int($0.valueStart + $0.valueLength)], as: UTF8.self)
            }
            buffer.removeFirst(head.headLength)
            guard skipBody(head.framing, buffer: &buffer, descriptor: descriptor, chunk: &chunk) else { return }
            parser.reset()
            respond(descriptor, target: target, cookie: cookie, keepAlive: head.keepAlive)
            if !head.keepAlive {
                return
            }
        }
    }

    /// Reads and drops a request body; returns false if the connection ended or the body was malformed.
    private func skipBody(
        _ framing: HTTPBodyFraming, buffer: inout [UInt8], descriptor: Int32, chunk: inout [UInt8]
    ) -> Bool {
        switch framing {
        case .none, .untilClose:
            return true
        case .contentLength(var remaining):
            while true {
                let taken = min(remaining, buffer.count)
                buffer.removeFirst(taken)
                remaining -= taken
                if remaining == 0 {
                    return true
                }
                let count = read(descriptor, &chunk, chunk.count)
                if count <= 0 {
                    return false
                }
                buffer.append(contentsOf: chunk[..<count])
            }
        case .chunked:
            var decoder = ChunkedDecoder()
            while true {
                let outcome = buffer.withUnsafeBytes { bytes in
                    Result { () throws(HTTPParseError) in try decoder.decode(bytes) }
                }
                guard case .success(let step) = outcome else { return false }
                switch step {
                case .data(let range):
                    buffer.removeFirst(range.upperBound)
                    continue
                case .end(let consumed, _):
                    buffer.removeFirst(consumed)
                    return true
                case .needMore(let consumed):
                    buffer.removeFirst(consumed)
                }
                let count = read(descriptor, &chunk, chunk.count)
                if count <= 0 {
                    return false
                }
                buffer.append(contentsOf: chunk[..<count])
            }
        }
    }

    private func respond(_ descriptor: Int32, target: String, cookie: String?, keepAlive: Bool) {
        let connection = keepAlive ? "" : "Connection: close\r\n"
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        switch path {
        case "/health":
            send(descriptor, status: 200, body: "ok\n", headers: connection)
        case "/login":
            let session = "\(name)-\(UInt32.random(in: 0...UInt32.max))"
            send(
                descriptor, status: 200, body: "logged in on \(name), session \(session)\n",
                headers: connection + "Set-Cookie: DEMOSESSION=\(session); Path=/; HttpOnly\r\n")
        case "/logout":
            send(
                descriptor, status: 200, body: "logged out of \(name)\n",
                headers: connection + "Set-Cookie: DEMOSESSION=; Path=/; Max-Age=0\r\n")
        default:
            let who = cookie.map { " (cookie: \($0))" } ?? ""
            send(
                descriptor, status: 200, body: "hello from \(name)\(who), you asked for \(target)\n",
                headers: connection)
        }
    }

    private func send(_ descriptor: Int32, status: Int, body: String, headers: String) {
        let reason = status == 200 ? "OK" : "Error"
        let response =
            "HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nX-Demo-Version: \(name)\r\n\(headers)\r\n\(body)"
        var bytes = Array(response.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes {
                write(descriptor, $0.baseAddress! + offset, $0.count - offset)
            }
            if written <= 0 {
                return
            }
            offset += written
        }
    }
}

/// `relevo demo-backend --name NAME --port PORT`: one demo backend, until interrupted.
enum DemoBackendCommand {
    static func main(_ arguments: [String]) -> Int32 {
        var name = "v1"
        var port: UInt16 = 9001
        var index = 0
        while index < arguments.count {
            guard index + 1 < arguments.count else { Usage.fail("\(arguments[index]) needs a value") }
            switch arguments[index] {
            case "--name":
                name = arguments[index + 1]
            case "--port":
                guard let value = UInt16(arguments[index + 1]) else { Usage.fail("bad port '\(arguments[index + 1])'") }
                port = value
            default:
                Usage.fail("unknown option '\(arguments[index])'")
            }
            index += 2
        }
        Signals.block([SIGTERM, SIGINT])
        do {
            let backend = try DemoBackend(name: name, address: SocketAddress(host: "127.0.0.1", port: port)!)
            backend.start()
            Log.info("demo_backend_listening", ["name": name, "address": backend.socket.address.description])
        } catch {
            Console.error("relevo demo-backend: cannot listen on 127.0.0.1:\(port): \(error)")
            return 1
        }
        _ = Signals.wait(for: [SIGTERM, SIGINT], milliseconds: Int.max / 2)
        return 0
    }
}
