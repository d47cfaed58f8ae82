import CIsal

/// The library that inflates gzip's deflate data (`--inflate`).
///
/// Both backends give the same bytes and the same verdict on every input (docs/architecture.md,
/// "Inflate backends"): stage 1 frames gzip members itself and uses a backend only to inflate
/// raw deflate data and to compute CRC-32s.
public enum InflateBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    /// zlib: the baseline, always built and always available.
    case zlib
    /// Intel ISA-L (`libisal.so.2`), loaded at run time when installed; several times faster.
    case isal

    public var description: String { rawValue }

    /// Whether this backend can be used in this process (zlib always; ISA-L when this binary
    /// was built with its headers and the shared library loads and passes a self-test).
    public var isAvailable: Bool {
        switch self {
        case .zlib: return true
        case .isal: return tokentally_isal_available() != 0
        }
    }

    /// Why ISA-L cannot be used, or nil when it can.
    public static var isalUnavailableReason: String? {
        tokentally_isal_available() != 0 ? nil : String(cString: tokentally_isal_unavailable_reason())
    }

    /// What `--inflate auto` picks: ISA-L when it loads, else zlib.
    public static var automatic: InflateBackend {
        InflateBackend.isal.isAvailable ? .isal : .zlib
    }
}

/// What `--inflate` asks for, before it is resolved to an ``InflateBackend``.
public enum InflateChoice: String, Sendable, CaseIterable {
    case zlib, isal, auto

    /// The backend to use; throws when `isal` is asked for and cannot be loaded.
    public func resolve() throws(InflateBackendUnavailable) -> InflateBackend {
        switch self {
        case .zlib: return .zlib
        case .auto: return .automatic
        case .isal:
            if let reason = InflateBackend.isalUnavailableReason { throw InflateBackendUnavailable(reason: reason) }
            return .isal
        }
    }
}

/// `--inflate isal` when ISA-L cannot be loaded: a usage error, with how to fix it.
public struct InflateBackendUnavailable: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the library did not load (from the loader, or "built without the headers").
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String {
        "--inflate isal: ISA-L is not available (\(reason)); install it (Debian/Ubuntu: apt-get install libisal2, "
            + "or libisal-dev to build with it) or use --inflate auto or zlib"
    }
}
