// swift-tools-version: 6.0
// Postdesk: an email-driven helpdesk daemon. No package dependencies: only the toolchain and
// C libraries from Debian packages (libcurl, SQLite, libxcrypt), each wrapped by one module.
import PackageDescription

let package = Package(
    name: "postdesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "postdesk", targets: ["postdesk"]),
    ],
    targets: [
        // MARK: - C libraries (Debian packages)
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CCrypt", path: "Sources/CCrypt", pkgConfig: "libxcrypt",
            providers: [.apt(["libcrypt-dev"])]),
        .systemLibrary(
            name: "CMicroHTTPD", path: "Sources/CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]),
        /// libmicrohttpd's variadic start function with its options as one MHD_OPTION_ARRAY, and typed helpers.
        .target(name: "CMicroHTTPDShim", dependencies: ["CMicroHTTPD"], path: "Sources/CMicroHTTPDShim"),
        /// Typed wrappers for libcurl's variadic calls (Swift cannot call C variadics).
        .target(name: "CCurlShim", dependencies: ["CCurl"], path: "Sources/CCurlShim"),

        /// signalfd(2) and the monotonic clock, which Glibc's Swift module leaves out.
        .target(name: "CSystemShim", path: "Sources/CSystemShim"),

        // MARK: - Pure modules
        /// RFC 5322 / MIME parsing and (later) composing. No I/O.
        .target(name: "PostdeskMail", path: "Sources/PostdeskMail", exclude: []),
        /// Tickets, routing rules, commands, lifecycle, configuration: pure domain logic.
        .target(name: "PostdeskCore", dependencies: ["PostdeskMail"], path: "Sources/PostdeskCore"),

        // MARK: - Modules over the system and C libraries
        /// File descriptors, errno, files and folders (later maildir, inotify, signals).
        .target(name: "PostdeskSystem", dependencies: ["CSystemShim"], path: "Sources/PostdeskSystem"),
        .target(name: "PostdeskStore", dependencies: ["CSQLite", "PostdeskCore"], path: "Sources/PostdeskStore"),
        .target(name: "PostdeskSMTP", dependencies: ["CCurl", "CCurlShim"], path: "Sources/PostdeskSMTP"),
        /// yescrypt hashes (libxcrypt) and one-time codes from the system CSPRNG.
        .target(name: "PostdeskCrypt", dependencies: ["CCrypt"], path: "Sources/PostdeskCrypt"),

        /// HTTP/1.1 serving over libmicrohttpd: requests with their forms and uploads read, responses, limits.
        .target(name: "PostdeskHTTP", dependencies: ["CMicroHTTPD", "CMicroHTTPDShim", "PostdeskSystem"], path: "Sources/PostdeskHTTP"),

        /// Services: ingestion (later outbox, scheduler), data directory, clock.
        .target(
            name: "PostdeskDaemon", dependencies: ["PostdeskCore", "PostdeskMail", "PostdeskStore", "PostdeskSystem", "PostdeskSMTP", "PostdeskCrypt"],
            path: "Sources/PostdeskDaemon"),

        /// The customer portal: sessions and sign-in, the pages, their words in six languages.
        .target(
            name: "PostdeskPortal",
            dependencies: ["PostdeskHTTP", "PostdeskDaemon", "PostdeskStore", "PostdeskCore", "PostdeskMail", "PostdeskCrypt", "PostdeskSystem"],
            path: "Sources/PostdeskPortal"),

        // MARK: - Commands and the executable
        .target(
            name: "PostdeskCLI", dependencies: ["PostdeskMail", "PostdeskCore", "PostdeskDaemon", "PostdeskSystem", "PostdeskStore", "PostdeskSMTP", "PostdeskCrypt",
                                                "PostdeskHTTP", "PostdeskPortal"],
            path: "Sources/PostdeskCLI"),
        .executableTarget(name: "postdesk", dependencies: ["PostdeskCLI"], path: "Sources/postdesk"),

        // MARK: - Benchmarks (BENCHMARKS.md)
        .executableTarget(
            name: "postdesk-bench", dependencies: ["PostdeskMail", "PostdeskSystem"], path: "Benchmarks/ParserBench"),
        .executableTarget(
            name: "postdesk-ingest-bench", dependencies: ["PostdeskDaemon", "PostdeskCore", "PostdeskStore", "PostdeskSystem"],
            path: "Benchmarks/IngestBench"),
        .executableTarget(
            name: "postdesk-scale-bench", dependencies: ["PostdeskDaemon", "PostdeskCore", "PostdeskStore", "PostdeskSystem"],
            path: "Benchmarks/ScaleBench"),
        .executableTarget(
            name: "postdesk-portal-bench", dependencies: ["PostdeskHTTP"], path: "Benchmarks/PortalBench"),
        .executableTarget(
            name: "postdesk-outbox-bench", dependencies: ["PostdeskDaemon", "PostdeskCore", "PostdeskMail", "PostdeskStore", "PostdeskSystem"],
            path: "Benchmarks/OutboxBench"),

        // MARK: - Tests
        /// Real child processes with deadlines and a clean signal state, for the tests that start programs.
        .target(name: "PostdeskTestSupport", path: "Tests/PostdeskTestSupport"),
        .testTarget(
            name: "PostdeskMailTests", dependencies: ["PostdeskMail", "PostdeskSystem"], path: "Tests/PostdeskMailTests"),
        .testTarget(
            name: "PostdeskCoreTests", dependencies: ["PostdeskCore", "PostdeskMail"], path: "Tests/PostdeskCoreTests"),
        .testTarget(name: "PostdeskCryptTests", dependencies: ["PostdeskCrypt"], path: "Tests/PostdeskCryptTests"),
        .testTarget(name: "PostdeskSMTPTests", dependencies: ["PostdeskSMTP", "PostdeskTestSupport"], path: "Tests/PostdeskSMTPTests"),
        .testTarget(
            name: "PostdeskDaemonTests",
            dependencies: ["PostdeskDaemon", "PostdeskCore", "PostdeskMail", "PostdeskStore", "PostdeskSystem"],
            path: "Tests/PostdeskDaemonTests"),
        .testTarget(
            name: "PostdeskHTTPTests", dependencies: ["PostdeskHTTP", "PostdeskTestSupport"], path: "Tests/PostdeskHTTPTests"),
        .testTarget(
            name: "PostdeskPortalTests",
            dependencies: ["PostdeskPortal", "PostdeskHTTP", "PostdeskDaemon", "PostdeskStore", "PostdeskCore", "PostdeskMail", "PostdeskTestSupport"],
            path: "Tests/PostdeskPortalTests"),
        .testTarget(
            name: "PostdeskCLITests", dependencies: ["PostdeskTestSupport", "PostdeskCLI", "PostdeskMail", "PostdeskCore", "PostdeskDaemon", "PostdeskSystem", "PostdeskStore", "PostdeskSMTP", "PostdeskCrypt"],
            path: "Tests/PostdeskCLITests"),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer targets exist only for fuzzing builds (`POSTDESK_FUZZ=1 swift build --sanitize=fuzzer`, see
// Tests/fuzz.sh): they have no main(), so ordinary builds would fail to link them.
if Context.environment["POSTDESK_FUZZ"] == "1" {
    package.targets += [
        /// The mail parser: every reader on every input.
        .executableTarget(name: "FuzzParser", dependencies: ["PostdeskMail"], path: "Sources/FuzzParser"),
        /// The config reader (`Configuration.parse`): LF and CRLF alike, and what the daemon relies on.
        .executableTarget(name: "FuzzConfig", dependencies: ["PostdeskCore", "PostdeskMail"], path: "Sources/FuzzConfig"),
        /// Agents' command lines, `#close`, and the status / password reset subjects.
        .executableTarget(name: "FuzzCommands", dependencies: ["PostdeskCore"], path: "Sources/FuzzCommands"),
        /// The routing decision for a parsed message and fuzz-chosen ticket facts, with access properties.
        .executableTarget(name: "FuzzRouting", dependencies: ["PostdeskCore", "PostdeskMail"], path: "Sources/FuzzRouting"),
    ]
}
