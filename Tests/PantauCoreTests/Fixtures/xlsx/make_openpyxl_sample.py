#!/usr/bin/env python3
"""Writes openpyxl-sample.xlsx, the fixture of XLSXFixtureTests (openpyxl 3.1), and
events-openpyxl.xlsx, a small service log (same content as the CSV in XLSXEventImportStoreTests).
openpyxl-sample.xlsx:
a date-time, a date and a time column with date styles, shared strings (one rich text),
an inline string, a formula with a cached value, a blank cell, a second sheet.
openpyxl writes no inline strings and no cached formula values, so the sheet XML is
patched afterwards, as Excel itself would have written those cells."""
import datetime, io, re, sys, zipfile
import openpyxl
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Kejadian"
ws.append(["case_id", "activity", "time:timestamp", "tanggal", "jam", "catatan", "jumlah"])
ws.append(["K-1", "Terima berkas", datetime.datetime(2026, 3, 2, 8, 15, 30), datetime.date(2026, 3, 2), datetime.time(8, 15), "ok", 3])
ws.append(["K-1", CellRichText([TextBlock(InlineFont(b=True), "Verifikasi"), " – berkas ✓"]), datetime.datetime(2026, 3, 2, 13, 0, 0),
           datetime.date(2026, 3, 2), datetime.time(13, 0), "", 2.5])
ws.append(["K-2", "Terima berkas", datetime.datetime(2026, 12, 31, 23, 59, 59), datetime.date(2024, 2, 29), None, "baris\nkedua", 0.1])
ws["C2"].number_format = "yyyy-mm-dd hh:mm:ss"
ws["C3"].number_format = "dd/mm/yyyy hh:mm"
ws["C4"].number_format = "yyyy-mm-dd hh:mm:ss"
for c in ("D2", "D3", "D4"):
    ws[c].number_format = "yyyy-mm-dd"
ws["G2"] = "=1+2"
ws2 = wb.create_sheet("Lain")
ws2.append(["a", "b"])
ws2.append([1, 2])
buf = io.BytesIO()
wb.save(buf)

src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
parts = {i.filename: src.read(i.filename) for i in src.infolist()}
sheet = parts["xl/worksheets/sheet1.xml"].decode()
# the formula's cached value
sheet = sheet.replace('<c r="G2"><f>1+2</f><v /></c>', '<c r="G2"><f>1+2</f><v>3</v></c>')
assert '<v>3</v>' in sheet, sheet
# F2 stays an inline string (with an entity); every other text goes to a shared-string table
sheet, n = re.subn(r'<c r="F2" t="inlineStr"><is><t>ok</t></is></c>', '<c r="F2" t="inlineStr"><is><t>catatan &amp; inline</t></is></c>', sheet)
assert n == 1, sheet
table = []
def shared(m):
    body = m.group(2)
    if body not in table:
        table.append(body)
    return '<c r="%s" t="s"><v>%d</v></c>' % (m.group(1), table.index(body))
sheet = re.sub(r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is>(.*?)</is></c>', lambda m: m.group(0) if m.group(1) == "F2" else shared(m), sheet, flags=re.S)
parts["xl/worksheets/sheet1.xml"] = sheet.encode()
parts["xl/sharedStrings.xml"] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="%d">' % len(table)
    + "".join("<si>%s</si>" % b for b in table) + "</sst>").encode()
ct = parts["[Content_Types].xml"].decode()
ct = ct.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
parts["[Content_Types].xml"] = ct.encode()
rels = parts["xl/_rels/workbook.xml.rels"].decode()
rels = rels.replace("</Relationships>", '<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
parts["xl/_rels/workbook.xml.rels"] = rels.encode()
out = io.BytesIO()
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
    for name, data in parts.items():
        dst.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
open(sys.argv[1] if len(sys.argv) > 1 else "openpyxl-sample.xlsx", "wb").write(out.getvalue())
# openpyxl reads it back
check = openpyxl.load_workbook(sys.argv[1] if len(sys.argv) > 1 else "openpyxl-sample.xlsx")
assert check["Kejadian"]["B3"].value == "Verifikasi – berkas ✓", check["Kejadian"]["B3"].value

# events-openpyxl.xlsx: a service log as an office keeps it in Excel.
ev = openpyxl.Workbook()
es = ev.active
es.title = "Log layanan"
es.append(["case_id", "activity", "time:timestamp", "start_timestamp", "org:resource", "catatan", "jumlah"])
rows = [
    ["IZN-1", "Terima Berkas", datetime.datetime(2026, 3, 2, 8, 15, 30), "2026-03-02 08:00:00", "Rina", "lengkap", 1],
    ["IZN-1", "Verifikasi Administrasi", datetime.datetime(2026, 3, 2, 13, 0, 0), None, "Budi", "cek, ulang\nbaris dua", 2.5],
    ["IZN-2", "Terima Berkas", datetime.datetime(2026, 3, 3, 9, 5, 0), None, "Rina", None, 0.1],
    ["IZN-1", "Penerbitan Izin", datetime.datetime(2026, 3, 4, 16, 45, 0), "2026-03-04 16:00:00", None, "\"kutip\" & ✓", 3],
]
for r in rows:
    es.append(r)
for k in range(2, 6):
    es.cell(row=k, column=3).number_format = "dd/mm/yyyy hh:mm:ss"
ev.save("events-openpyxl.xlsx")
