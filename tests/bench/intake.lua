-- wrk script: POST /v1/discharges with a distinct notification per request,
-- so every request is a real intake (a new course and its first call).
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
	thread:set("id", thread_id)
	thread_id = thread_id + 1
	table.insert(threads, thread)
end

function init(args)
	token = os.getenv("MENTORD_BENCH_TOKEN")
	now = os.getenv("MENTORD_BENCH_DISCHARGED_AT")
	-- A new notification per run: the same id again would be a repeat (200).
	run = os.getenv("MENTORD_BENCH_RUN") or "0"
end

function request()
	counter = counter + 1
	-- Each notification is a different (synthetic) citizen: no CPR, a
	-- name of its own in every run, so no discharge supersedes another
	-- (a course is found again by phone and name).
	local n = id * 10000000 + counter
	local body = string.format(
		'{"notification_id": "bench-%s-%d", "citizen": {"name": "Bench Borger %s-%d",' ..
		' "phone": "+4529%06d"}, "discharged_at": "%s",' ..
		' "consent": {"contact": true, "share_information": true}}',
		run, n, run, n, n % 1000000, now)
	return wrk.format("POST", "/v1/discharges", {
		["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. token,
	}, body)
end

function response(status, headers, body)
	if status ~= 201 then
		io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
	end
end
