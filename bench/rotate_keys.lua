-- Spread GET /v1/links over several accounts' keys, so that the server's real hourly limits
-- (10,000 per Creator account) count every request without refusing any.
local keys = {}
for key in string.gmatch(os.getenv("EZIOX_BENCH_KEYS") or "", "[^,]+") do
  keys[#keys + 1] = key
end
local turn = 0

request = function()
  turn = turn % #keys + 1
  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. keys[turn] })
end
