extension SOPDocumentHTML {
    /// Styles for ``render(_:)``: screen layout, and print on A4 landscape with 10 mm margins
    /// (the identity block on the first sheet, each flowchart page on its own sheet, grey
    /// headings kept when printing). Every selector is scoped to the `sop-` classes, so the
    /// stylesheet can be included in any page.
    public static let printCSS: String = """
    @page { size: A4 landscape; margin: 10mm; }
    .sop-document { font-family: Arial, "Liberation Sans", Arimo, Helvetica, sans-serif; font-size: 10pt; line-height: 1.3; color: #000; background: #fff; max-width: 277mm; }
    .sop-document table.sop-identity { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 0 0 6mm 0; }
    .sop-identity col.sop-col-unit { width: 44%; }
    .sop-identity col.sop-col-label { width: 17%; }
    .sop-identity col.sop-col-value { width: 39%; }
    .sop-identity th, .sop-identity td { border: 1px solid #000; padding: 3px 6px; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
    .sop-identity th.sop-label { font-weight: bold; vertical-align: middle; }
    .sop-identity td.sop-value { vertical-align: middle; }
    .sop-identity td.sop-unit { text-align: center; vertical-align: middle; padding: 8px; }
    .sop-logo { min-height: 22mm; display: flex; align-items: center; justify-content: center; margin-bottom: 3mm; }
    .sop-logo img { max-height: 28mm; max-width: 60%; }
    .sop-agency, .sop-unit-name { font-weight: bold; text-transform: uppercase; font-size: 11pt; }
    .sop-number, .sop-title { font-weight: bold; }
    .sop-title { text-transform: uppercase; }
    .sop-approver-position { text-transform: uppercase; }
    .sop-signature-space { height: 16mm; }
    .sop-approver-name { font-weight: bold; text-decoration: underline; }
    .sop-identity th.sop-section-label { font-weight: bold; background: #e8e8e8; }
    .sop-identity td.sop-section { min-height: 12mm; }
    .sop-identity td.sop-section p { margin: 0 0 2px 0; }
    .sop-list { margin: 0; padding-left: 1.4em; }
    .sop-list li { margin: 0 0 1px 0; }
    .sop-flow-page { margin: 0 0 8mm 0; }
    .sop-flow-caption { display: flex; gap: 6mm; align-items: baseline; font-size: 9pt; margin: 0 0 2mm 0; }
    .sop-flow-title { font-weight: bold; text-transform: uppercase; flex: 1; }
    .sop-flow-pageno { white-space: nowrap; }
    .sop-flow-svg svg.sop-flowchart { display: block; width: 100%; height: auto; }
    @media print {
      body.sop-print { margin: 0; }
      .sop-document { max-width: none; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      .sop-identity tr { break-inside: avoid; page-break-inside: avoid; }
      .sop-flow-page { break-before: page; page-break-before: always; break-inside: avoid; page-break-inside: avoid; margin: 0; }
      .sop-flow-svg svg.sop-flowchart { max-height: 186mm; }
    }
    """
}
