-- One service event per request (POST /api/v1/events), each with its own event id; eight events
-- (the immunisation SOP's main path) per case, so every request stores an event and re-checks one
-- case. args: SOP id, token, pause in ms between a connection's requests (0 = as fast as it can).
local counter = 0
local tid = 0
local threads = 0
local steps = {
  "Menerima pendaftaran dan memberikan nomor antrean",
  "Memeriksa kelengkapan buku KIA dan riwayat imunisasi",
  "Menimbang dan mengukur tumbuh kembang anak",
  "Melakukan skrining kelayakan imunisasi",
  "Menyiapkan vaksin dan alat suntik sesuai jadwal",
  "Memberikan imunisasi",
  "Mencatat imunisasi di buku KIA, register kohort dan ASIK",
  "Observasi KIPI dan edukasi orang tua",
}
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
init = function(args)
  sop = args[1]
  token = args[2]
  pause = tonumber(args[3] or "0")
  run = args[4] or "r"
end
request = function()
  counter = counter + 1
  local k = counter % 8
  local case = run .. "-" .. tid .. "-" .. math.floor(counter / 8)
  local minutes = 8 * 60 + k * 7
  local body = string.format(
    '{"event_id":"%s-%d-%d","sop_id":%s,"case":"%s","activity":"%s","timestamp":"2026-11-30T%02d:%02d:00+07:00"}',
    run, tid, counter, sop, case, steps[k + 1], math.floor(minutes / 60), minutes % 60)
  return wrk.format("POST", "/api/v1/events", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
delay = function()
  return pause
end
