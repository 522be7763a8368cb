import PantauCore

/// The computed geometry of an SOP flowchart table (PermenPANRB 35/2012), page by page.
///
/// Produced by ``SOPFlowchartRenderer/layout(_:)`` and drawn by
/// ``SOPFlowchartRenderer/renderSVG(_:document:)``. All coordinates are SVG user units (CSS
/// pixels at the default width), origin at the top left of each page's table, y growing down.
/// The layout is a plain value so tests and other renderers can check where things are.
public struct SOPFlowchartLayout: Sendable, Hashable {
    /// A point in page coordinates.
    public struct Point: Sendable, Hashable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// An axis-aligned rectangle in page coordinates.
    public struct Rect: Sendable, Hashable {
        public var x: Double
        public var y: Double
        public var width: Double
        public var height: Double
        public init(x: Double, y: Double, width: Double, height: Double) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }
        public var minX: Double { x }
        public var maxX: Double { x + width }
        public var minY: Double { y }
        public var maxY: Double { y + height }
        public var midX: Double { x + width / 2 }
        public var midY: Double { y + height / 2 }
        /// The rectangle grown by `d` on every side.
        public func insetBy(_ d: Double) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
    }

    /// What a table column holds.
    public enum ColumnRole: Sendable, Hashable {
        case number
        case activity
        /// A pelaksana column; the id is the actor's id ("" for the column of steps whose actor is unknown).
        case actor(id: String)
        case requirements
        case time
        case output
        case notes
    }

    /// One table column.
    public struct Column: Sendable, Hashable {
        public var role: ColumnRole
        /// Heading text (actor name for actor columns).
        public var title: String
        /// The heading wrapped to the column width.
        public var titleLines: [String]
        public var x: Double
        public var width: Double
        public var maxX: Double { x + width }
        public var midX: Double { x + width / 2 }
    }

    /// The wrapped text of one row's text cells.
    public struct RowText: Sendable, Hashable {
        public var number: [String]
        public var activity: [String]
        public var requirements: [String]
        public var time: [String]
        public var output: [String]
        public var notes: [String]
    }

    /// One step row of the table.
    public struct Row: Sendable, Hashable {
        public var stepID: String
        /// The step's "No" (1-based table position).
        public var number: Int
        public var y: Double
        public var height: Double
        public var text: RowText
        public var maxY: Double { y + height }
    }

    /// How a step's symbol is drawn.
    public enum SymbolShape: String, Sendable, Hashable {
        /// Kapsul: start and end steps.
        case terminator
        /// Kotak: an activity.
        case process
        /// Belah ketupat: a decision, with its question inside.
        case decision
    }

    /// A step's symbol, drawn in its actor's column on its row.
    public struct Symbol: Sendable, Hashable {
        public var stepID: String
        public var number: Int
        public var shape: SymbolShape
        /// Index into ``SOPFlowchartLayout/columns``.
        public var column: Int
        public var frame: Rect
        /// For decisions: the question, wrapped to fit inside the diamond.
        public var lines: [String]
        public var questionFontSize: Double
    }

    /// A horizontal band of a page that holds off-page connectors.
    public struct Band: Sendable, Hashable {
        public var y: Double
        public var height: Double
    }

    /// An off-page connector (segi lima) where an arrow leaves or enters the page.
    public struct Connector: Sendable, Hashable {
        /// Shared by the two halves of one cross-page arrow ("A", "B", …).
        public var label: String
        /// True on the page the arrow leaves (the arrow ends in it); false where it resumes.
        public var isOutgoing: Bool
        public var frame: Rect
        /// The 1-based page of the other half.
        public var otherPage: Int
        /// The step on the other page: the target for an outgoing connector, the source for an incoming one.
        public var otherStepNumber: Int
        /// The step on this page.
        public var stepNumber: Int
    }

    /// Horizontal alignment of a label.
    public enum TextAnchor: String, Sendable, Hashable {
        case start, middle, end
    }

    /// An arrow (anak panah) on one page: an orthogonal polyline ending in an arrowhead.
    public struct Arrow: Sendable, Hashable {
        public var fromStepID: String
        public var toStepID: String
        public var fromNumber: Int
        public var toNumber: Int
        public var branch: SOPDocument.Branch
        /// Waypoints from the source's port to the target's port; consecutive points share x or y.
        public var points: [Point]
        /// Set when one end of this arrow is an off-page connector.
        public var connectorLabel: String?
        /// "Ya"/"Tidak" for decision branches.
        public var label: String?
        public var labelPosition: Point?
        public var labelAnchor: TextAnchor
    }

    /// One printed page of the table: header, optional connector bands, step rows.
    public struct Page: Sendable, Hashable {
        /// 1-based.
        public var number: Int
        public var height: Double
        /// Height of the two header rows together.
        public var headerHeight: Double
        public var topBand: Band?
        public var rows: [Row]
        public var bottomBand: Band?
        public var symbols: [Symbol]
        public var connectors: [Connector]
        public var arrows: [Arrow]
    }

    /// Total table width.
    public var width: Double
    public var columns: [Column]
    /// Heights of the first header row (group headings) and the second (actor names, mutu baku parts).
    public var headerRowHeights: [Double]
    public var fontSize: Double
    public var lineHeight: Double
    public var pages: [Page]

    /// Index of the first actor column.
    public var firstActorColumn: Int? { columns.firstIndex { if case .actor = $0.role { return true } else { return false } } }
    /// Indices of the actor columns, in order.
    public var actorColumns: [Int] {
        columns.indices.filter { if case .actor = columns[$0].role { return true } else { return false } }
    }
}
