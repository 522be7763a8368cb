-- Sign-ins of 20 different accounts (bench0 … bench19), each with its password, as a form POST
-- with the anonymous CSRF double-submit pair.
local csrf = "benchcsrf0123456789abcdef0123"
local n = 0
request = function()
  n = n + 1
  local body = "_csrf=" .. csrf .. "&username=bench" .. (n % 20) .. "&password=bench-kata-sandi-1"
  return wrk.format("POST", "/login", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "pantau_csrf=" .. csrf,
  }, body)
end
