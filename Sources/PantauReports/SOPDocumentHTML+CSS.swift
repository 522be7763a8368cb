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
    .sop-identity th, .sop-identity td { border: 1px solid #000; padding: 3px 6px; vertical-align: top; text-align: left; overflow-wrap: break-word; hyphens: auto; }
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
    .sop-flow-list { display: none; }
    .sop-flow-list-title { font-size: 12pt; margin: 0 0 3mm 0; }
    .sop-steps { list-style: none; margin: 0; padding: 0; }
    .sop-step { border: 1px solid #000; border-radius: 4px; padding: 6px 8px; margin: 0 0 6px 0; }
    .sop-step-decision { border-left-width: 4px; }
    .sop-step-start, .sop-step-end { border-radius: 14px; }
    .sop-step:target { outline: 3px solid #1a5fb4; }
    .sop-step-head { display: flex; gap: 8px; align-items: baseline; }
    .sop-step-no { font-weight: bold; font-size: 12pt; }
    .sop-step-kind { font-size: 9pt; text-transform: uppercase; letter-spacing: 0.03em; }
    .sop-step-activity { margin: 2px 0 4px 0; font-weight: bold; }
    .sop-step-fields { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; }
    .sop-step-fields > div { display: contents; }
    .sop-step-fields dt { font-weight: bold; }
    .sop-step-fields dd { margin: 0; overflow-wrap: break-word; hyphens: auto; }
    /* Phones: the flowchart as step cards; the official table stays reachable in a box that
       scrolls sideways on its own, so the page itself never does. */
    @media screen and (max-width: 760px) {
      /* Identity block as a grid: the unit on top, then label | value, then each heading
         above its contents (Dasar Hukum, Kualifikasi Pelaksana, Keterkaitan, ...). */
      .sop-document table.sop-identity { display: grid; grid-template-columns: minmax(6em, 35%) 1fr; border-top: 1px solid #000; border-left: 1px solid #000; }
      .sop-identity colgroup { display: none; }
      .sop-identity tbody, .sop-identity tr { display: contents; }
      .sop-identity th, .sop-identity td { display: block; border-width: 0 1px 1px 0; }
      .sop-identity td.sop-unit, .sop-identity .sop-left, .sop-identity .sop-right { grid-column: 1 / -1; }
      .sop-logo { min-height: 0; }
      .sop-identity tr.sop-pair-1 > th.sop-left { order: 11; } .sop-identity tr.sop-pair-1 > td.sop-left { order: 12; }
      .sop-identity tr.sop-pair-1 > th.sop-right { order: 13; } .sop-identity tr.sop-pair-1 > td.sop-right { order: 14; }
      .sop-identity tr.sop-pair-2 > th.sop-left { order: 21; } .sop-identity tr.sop-pair-2 > td.sop-left { order: 22; }
      .sop-identity tr.sop-pair-2 > th.sop-right { order: 23; } .sop-identity tr.sop-pair-2 > td.sop-right { order: 24; }
      .sop-identity tr.sop-pair-3 > th.sop-left { order: 31; } .sop-identity tr.sop-pair-3 > td.sop-left { order: 32; }
      .sop-identity tr.sop-pair-3 > th.sop-right { order: 33; } .sop-identity tr.sop-pair-3 > td.sop-right { order: 34; }
      .sop-flow-list { display: block; margin: 0 0 6mm 0; font-size: 11pt; }
      .sop-flow-caption { flex-wrap: wrap; gap: 2mm 6mm; }
      .sop-flow-svg { overflow-x: auto; }
      .sop-flow-svg svg.sop-flowchart { width: 1047px; max-width: none; }
    }
    @media print {
      .sop-flow-list { display: none; }
      body.sop-print { margin: 0; }
      .sop-document { max-width: none; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      .sop-identity tr { break-inside: avoid; page-break-inside: avoid; }
      .sop-flow-page { break-before: page; page-break-before: always; break-inside: avoid; page-break-inside: avoid; margin: 0; }
      .sop-flow-svg svg.sop-flowchart { max-height: 186mm; }
    }
    """
}
