import Glibc
import RelevoIO
import RelevoProxy

extension AdminServer {
    /// The accepting thread: accepts until the wake pipe is written, then closes the listener.
    func acceptConnections(listener: AdminListener, wakeReader: Int32) {
        var entries = [
            pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            guard poll(&entries, 2, -1) >= 0 || errno == EINTR else { break }
            if entries[1].revents != 0 {
                break
            }
            if entries[0].revents != 0 {
                acceptOne(listener: listener.descriptor)
            }
        }

        Syscall.close(descriptor: listener.descriptor)
        Syscall.close(descriptor: wakeReader)
    }

    /// Accepts one connection and starts its thread, or answers 503 if too many are open.
    private func acceptOne(listener: Int32) {
        var peer = SocketAddress()
        let accepted: IOResult<Int32>
        do {
            accepted = try Syscall.accept(descriptor: listener, peer: &peer)
        } catch {
            Log.warn("admin_accept_failed", ["reason": error.description])
            usleep(10_000)
            return
        }
        guard case .processed(let descriptor) = accepted else { return }

        let admitted = state.withLock { state in
            guard !state.isStopping && state.connections.count < limits.maximumConnections else { return false }
            state.connections.insert(descriptor)
            return true
        }
        guard admitted else {
            refuse(descriptor, peer: peer)
            return
        }

        let thread = OSThread.start(name: "relevo-admin-c") { [self, peer] in
            serve(descriptor, peer: peer)
        }
        pthread_detach(thread)
    }

    /// A connection's thread: serves it, then closes it under the lock.
    private func serve(_ descriptor: Int32, peer: SocketAddress) {
        var connection = AdminConnection(
            socket: AdminSocket(descriptor: descriptor), peer: peer, router: router, limits: limits)
        connection.run()

        state.withLock { state in
            state.connections.remove(descriptor)
            Syscall.close(descriptor: descriptor)
        }
    }

    /// Answers 503 to a connection over the limit, without waiting for its request, and closes it.
    ///
    /// Whatever the client already sent is read and dropped first: closing with unread bytes
    /// would send a reset, which can destroy the 503 before the client reads it.
    private func refuse(_ descriptor: Int32, peer: SocketAddress) {
        var response = AdminResponse.error(
            503, "too many admin connections (\(limits.maximumConnections) open); try again shortly")
        response.extraHeaders.append((name: "Retry-After", value: "1"))
        let bytes = response.serialized(keepAlive: false)
        bytes.withUnsafeBytes { _ = try? Syscall.write(descriptor: descriptor, from: $0) }

        var scratch = [UInt8](repeating: 0, count: 4096)
        while case .processed(let count)? = scratch.withUnsafeMutableBytes({
            try? Syscall.read(descriptor: descriptor, into: $0)
        }), count > 0 {}
        Syscall.shutdownWrite(descriptor: descriptor)
        Syscall.close(descriptor: descriptor)
        Log.debug("admin_connection_refused", ["peer": peer.description, "reason": "too_many_connections"])
    }
}
