-- One kind of soak traffic per wrk process (Benchmarks/web/soak.sh), paced so that each connection
-- waits `pause` ms between requests. With `pause@rate` each wrk thread also holds `rate` requests
-- a second: a thread that fell behind (slow answers) sends at once until it has caught up, one
-- that is a second ahead waits. wrk's Lua has only a clock in whole seconds (os.time), so the
-- rate is kept per second, not per request. args: kind, pause ms[@rate], then kind-specific values:
--   survey CODE                 GET the public form, then POST it filled in (token, CSRF pair), repeated
--   events SOP TOKEN BATCH      POST /api/v1/events with BATCH events, each with its own event id
--   get PATH [PATH ...]         GET the paths in turn (cookies and tokens come as wrk -H headers)
local counter = 0
local tid = 0
local threads = 0
local state = { step = "form" }
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
local unsur = { "persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "sarana", "pengaduan" }
local education = { "SD", "SMP", "SMA", "D1-D3", "S1", "S2" }
local occupation = { "PNS", "SWASTA", "WIRAUSAHA", "LAINNYA" }

setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

init = function(args)
  kind = args[1]
  local p, r = (args[2] or "0"):match("^(%d+)@?(%d*)$")
  pause = tonumber(p or "0")
  rate = tonumber(r)
  rest = {}
  for i = 3, #args do rest[#rest + 1] = args[i] end
  math.randomseed(os.time() + tid * 7919)
end

local function surveyBody()
  local parts = { "_csrf=" .. state.csrf, "_t=" .. state.token }
  for _, u in ipairs(unsur) do parts[#parts + 1] = "u_" .. u .. "=" .. math.random(2, 4) end
  parts[#parts + 1] = "gender=" .. (math.random(2) == 1 and "L" or "P")
  parts[#parts + 1] = "age=" .. math.random(18, 70)
  parts[#parts + 1] = "education=" .. education[math.random(#education)]
  parts[#parts + 1] = "occupation=" .. occupation[math.random(#occupation)]
  parts[#parts + 1] = "service_type=DASAR"
  parts[#parts + 1] = "saran=Pelayanan+cepat+dan+ramah"
  return table.concat(parts, "&")
end

request = function()
  counter = counter + 1
  if kind == "survey" then
    local path = "/s/" .. rest[1]
    if state.step == "post" and state.token then
      state.step = "form"
      return wrk.format("POST", path, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["Cookie"] = "pantau_csrf=" .. state.csrf,
      }, surveyBody())
    end
    return wrk.format("GET", path)
  elseif kind == "events" then
    local sop, token, batch = rest[1], rest[2], tonumber(rest[3] or "10")
    local items = {}
    for i = 1, batch do
      local n = counter * batch + i
      local k = n % 8
      local minutes = 8 * 60 + k * 7
      items[#items + 1] = string.format(
        '{"event_id":"soak-%d-%d","sop_id":%s,"case":"soak-%d-%d","activity":"%s","timestamp":"2026-11-30T%02d:%02d:00+07:00"}',
        tid, n, sop, tid, math.floor(n / 8), steps[k + 1], math.floor(minutes / 60), minutes % 60)
    end
    return wrk.format("POST", "/api/v1/events", {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. token,
    }, "[" .. table.concat(items, ",") .. "]")
  else
    return wrk.format("GET", rest[(counter % #rest) + 1])
  end
end

response = function(status, headers, body)
  if kind == "survey" then
    if status == 200 and state.step == "form" then
      state.token = body:match('name="_t" value="([^"]+)"')
      state.csrf = body:match('name="_csrf" value="([^"]+)"')
      if state.token and state.csrf then state.step = "post" end
    end
  end
end

local started = nil

delay = function()
  if rate then
    local now = os.time()
    started = started or now
    local elapsed = now - started
    if counter < elapsed * rate then return 0 end            -- behind: send now
    if counter >= (elapsed + 1) * rate then return 100 end   -- this second's share sent: wait
  end
  return pause
end
