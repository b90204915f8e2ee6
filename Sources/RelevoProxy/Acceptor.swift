import Glibc
import RelevoIO

/// Accepts downstream connections on one worker's listening socket.
final class Acceptor: EventHandler {
    private let socket: ListeningSocket
    private unowned let worker: Worker
    private var registration: Registration?
    private var isReadable = false
    private var isPaused = false

    /// Connections accepted per wake-up before other work gets a turn.
    static let acceptsPerWakeup = 64

    /// How long accepting pauses when the process is out of descriptors.
    static let pauseWhenOutOfDescriptors: Int64 = 100

    init(socket: ListeningSocket, worker: Worker) {
        self.socket = socket
        self.worker = worker
    }

    /// Starts accepting.
    func start() throws(IOError) {
        registration = try worker.loop.register(socket.descriptor, handler: self)
    }

    /// Stops accepting and closes the listening socket.
    func stop() {
        if let registration {
            worker.loop.forget(registration)
            self.registration = nil
        }
        socket.close()
    }

    func handleEvents(_ events: IOEvents) {
        if events.contains(.readable) {
            isReadable = true
        }
        guard isReadable, !isPaused, let registration else { return }
        var peer = SocketAddress()
        for _ in 0..<Acceptor.acceptsPerWakeup {
            do {
                switch try Syscall.accept(descriptor: socket.descriptor, peer: &peer) {
                case .processed(let descriptor):
                    worker.accepted(descriptor: descriptor, peer: peer)
                case .wouldBlock:
                    isReadable = false
                    return
                }
            } catch {
                handleAcceptError(error)
                return
            }
        }
        worker.loop.callSoon(registration)
    }

    private func handleAcceptError(_ error: IOError) {
        switch error.errnoCode {
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
            Log.error(
                "accept_paused",
                [
                    "listener": socket.address.description, "reason": error.description,
                    "pause_ms": "\(Acceptor.pauseWhenOutOfDescriptors)",
                ])
            isPaused = true
            worker.loop.schedule(after: Acceptor.pauseWhenOutOfDescriptors) { [weak self] in
                guard let self else { return }
                isPaused = false
                handleEvents([])
            }
        default:
            // ECONNABORTED and the like concern one connection only; keep accepting.
            if let registration {
                worker.loop.callSoon(registration)
            }
        }
    }

    func handleTimer(now: Int64) {}
}
