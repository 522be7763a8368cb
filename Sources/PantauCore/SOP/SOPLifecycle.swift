import Foundation

/// Where an SOP version is in its life: draft > review > effective > archived.
public enum SOPStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Being written; editable.
    case draft
    /// Submitted for review; editable by the reviewer's decision only (back to draft or approve).
    case review
    /// Approved and in force from its effective date.
    case effective
    /// Superseded by a later version or withdrawn; read-only.
    case archived

    /// The statuses this one may move to by an explicit action.
    public var allowedTransitions: Set<SOPStatus> {
        switch self {
        case .draft: return [.review, .archived]
        case .review: return [.draft, .effective, .archived]
        case .effective: return [.archived]
        case .archived: return []
        }
    }

    /// Whether the content of a version in this status may be changed in place.
    /// An effective SOP is revised by creating a new version instead.
    public var isEditable: Bool { self == .draft || self == .review }
}

/// Picks the version of an SOP in force at an instant: the latest effective-or-archived version
/// whose effective date is on or before the instant's date. Used to judge each case by the SOP
/// that applied when it ran.
public struct SOPVersionPeriod: Hashable, Sendable {
    public var version: Int
    public var effectiveFrom: CivilDate
    public init(version: Int, effectiveFrom: CivilDate) {
        self.version = version
        self.effectiveFrom = effectiveFrom
    }

    /// - Returns: the version number in force on `date`, or nil if none had taken effect yet.
    /// - Complexity: O(n) in the number of versions.
    public static func versionInForce(on date: CivilDate, among periods: [SOPVersionPeriod]) -> Int? {
        periods.filter { $0.effectiveFrom <= date }
            .max { ($0.effectiveFrom, $0.version) < ($1.effectiveFrom, $1.version) }?.version
    }
}

private func < (a: (CivilDate, Int), b: (CivilDate, Int)) -> Bool {
    a.0 != b.0 ? a.0 < b.0 : a.1 < b.1
}
