// swift-tools-version:6.0
//
// relevo's targets are its layers, lowest first; each depends only on the layers below it.
//
//   C bindings       CRelevoSystem (epoll, eventfd, timerfd, signalfd, accept4)
//                    COpenSSL, CNGHTTP2 (system libraries), CRelevoTLS (OpenSSL macros)
//   I/O              RelevoIO: event loops, sockets, timers, byte buffers
//   Protocols        RelevoHTTP1: HTTP/1.1 parsing and serialising
//   Proxy            RelevoProxy: downstream connection → route → upstream pool → response
//   Release control  RelevoRelease: sessions, affinity cookies, version life cycle, state, hooks
//   Conf and admin   RelevoConf: the conf file, its parser and its validation
//                    RelevoAdmin: the admin API and its client
//   Command line     relevo
import PackageDescription

let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

// The hot path (I/O, HTTP/1.1, proxy) is single-threaded per loop and checked for exclusive
// access in debug builds and tests; release builds skip the run-time checks, which cost more
// than half of the user-space instructions of a proxied request.
let hotPath: [SwiftSetting] =
    strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "relevo",
    products: [
        .executable(name: "relevo", targets: ["relevo"])
    ],
    targets: [
        // Layer 1: C bindings.
        .target(name: "CRelevoSystem"),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CNGHTTP2",
            pkgConfig: "libnghttp2",
            providers: [.apt(["libnghttp2-dev"])]
        ),
        .target(name: "CRelevoTLS", dependencies: ["COpenSSL"]),

        // Layer 2: I/O.
        .target(name: "RelevoIO", dependencies: ["CRelevoSystem"], swiftSettings: hotPath),

        // Layer 3: protocols.
        .target(name: "RelevoHTTP1", dependencies: ["RelevoIO"], swiftSettings: hotPath),

        // Layer 4: proxy.
        .target(name: "RelevoProxy", dependencies: ["RelevoIO", "RelevoHTTP1"], swiftSettings: hotPath),

        // Layer 5: release control.
        .target(
            name: "RelevoRelease", dependencies: ["RelevoProxy", "RelevoIO", "RelevoHTTP1", "COpenSSL", "CRelevoTLS"],
            swiftSettings: hotPath),

        // Layer 6: conf.
        .target(name: "RelevoConf", dependencies: ["RelevoIO"], swiftSettings: strict),
        .target(
            name: "RelevoAdmin", dependencies: ["RelevoRelease", "RelevoProxy", "RelevoHTTP1", "RelevoIO"],
            swiftSettings: strict),

        // Layer 7: command line.
        .executableTarget(
            name: "relevo",
            dependencies: [
                "RelevoConf", "RelevoAdmin", "RelevoRelease", "RelevoProxy", "RelevoIO", "CRelevoTLS", "CNGHTTP2",
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "RelevoIOTests", dependencies: ["RelevoIO"]),
        .testTarget(name: "RelevoHTTP1Tests", dependencies: ["RelevoHTTP1"]),
        .testTarget(name: "RelevoProxyTests", dependencies: ["RelevoProxy"]),
        .testTarget(name: "RelevoReleaseTests", dependencies: ["RelevoRelease"]),
        .testTarget(name: "RelevoConfTests", dependencies: ["RelevoConf"]),
        .testTarget(name: "RelevoAdminTests", dependencies: ["RelevoAdmin"]),
        .testTarget(name: "EndToEndTests", dependencies: ["relevo", "RelevoRelease"]),
    ]
)
