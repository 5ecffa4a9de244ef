-- wrk: POST /api/v1/pip for a random estate of the fixture, with a bearer token on every request.
-- Environment: AUTHZ_TOKEN (a token with the internal scope), AUTHZ_ESTATES (fixture size).
-- No response() callback: wrk counts non-2xx answers itself, and a Lua callback per response
-- costs the single wrk thread about a fifth of its rate (it would measure wrk, not registrar).
local token = os.getenv("AUTHZ_TOKEN")
local estates = tonumber(os.getenv("AUTHZ_ESTATES") or "200000")
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. token,
}

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local body = string.format('{"from":"1%010d"}', math.random(1, estates))
  return wrk.format("POST", "/api/v1/pip", headers, body)
end
